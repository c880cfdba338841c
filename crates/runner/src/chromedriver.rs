//! The chromedriver child process: found on PATH, started on a free loopback port in its
//! own process group, and ended with every Chromium it started.

use crate::process::ProcessGroup;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use url::Url;

/// How long chromedriver may take to answer `/status`.
const READY_WAIT: Duration = Duration::from_secs(10);
/// How long chromedriver and its browsers get to quit after SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Ports tried when the first one is taken before chromedriver binds it.
const START_ATTEMPTS: usize = 3;
/// chromedriver's log, in its temporary folder.
const LOG: &str = "chromedriver.log";
/// The longest TMPDIR Chromium can work in: it binds a Unix socket at
/// `$TMPDIR/org.chromium.Chromium.XXXXXX/SingletonSocket` (45 more bytes), and a socket
/// path has at most 107 (`sun_path`); in a longer one no session starts.
const CHROMIUM_TMPDIR_MAX: usize = 107 - 45;
/// The prefix of chromedriver's folder (with 6 random characters after it).
pub const SCRATCH_PREFIX: &str = "stickler-cd-";

/// Where chromedriver's folder goes: TMPDIR, unless the folder would be too deep for
/// Chromium's socket there; then `/tmp`.
fn scratch_base() -> PathBuf {
    let tmp = std::env::temp_dir();
    let depth =
        tmp.as_os_str().len() + 1 + SCRATCH_PREFIX.len() + crate::scratch::owner_tag().len() + 6;
    if depth <= CHROMIUM_TMPDIR_MAX {
        tmp
    } else {
        PathBuf::from("/tmp")
    }
}
/// The names Chromium goes by on PATH, in order of preference.
const CHROMIUM_NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// Why the browser environment is unusable.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// No chromedriver binary.
    #[error(
        "chromedriver not found on PATH: install Debian's `chromium` and `chromium-driver` (apt-get install chromium chromium-driver), or pass --webdriver URL, or set STICKLER_CHROMEDRIVER"
    )]
    NoDriver,
    /// No Chromium binary.
    #[error(
        "Chromium not found (tried STICKLER_CHROMIUM, then chromium, chromium-browser, google-chrome on PATH): install Debian's `chromium` and `chromium-driver` (apt-get install chromium chromium-driver), or pass --webdriver URL, or set STICKLER_CHROMIUM"
    )]
    NoChromium,
    /// An environment variable names a file that is not there.
    #[error("{var}={path} is not a file: point {var} at the binary, or unset it to search PATH")]
    BadOverride {
        /// The variable.
        var: &'static str,
        /// Its value.
        path: PathBuf,
    },
    /// chromedriver did not start or did not answer.
    #[error(
        "chromedriver ({path}) could not be started: {reason}{}",
        log_section(log_tail)
    )]
    DriverFailed {
        /// The binary.
        path: PathBuf,
        /// What went wrong, and what to try.
        reason: String,
        /// The last lines chromedriver printed.
        log_tail: String,
    },
}

fn log_section(tail: &str) -> String {
    if tail.trim().is_empty() {
        String::new()
    } else {
        format!("\n--- chromedriver said ---\n{tail}")
    }
}

/// Finds a binary: the override variable if set (it must name a file), else the first
/// of `names` in the directories of `path_var`.
fn locate(
    var: &'static str,
    override_value: Option<OsString>,
    path_var: Option<OsString>,
    names: &[&str],
) -> Result<Option<PathBuf>, EnvError> {
    if let Some(p) = override_value.filter(|p| !p.is_empty()) {
        let path = PathBuf::from(p);
        return if path.is_file() {
            Ok(Some(path))
        } else {
            Err(EnvError::BadOverride { var, path })
        };
    }
    let Some(path_var) = path_var else {
        return Ok(None);
    };
    Ok(names.iter().find_map(|n| {
        std::env::split_paths(&path_var)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    }))
}

/// The chromedriver binary: `STICKLER_CHROMEDRIVER`, else `chromedriver` on PATH.
pub fn find_chromedriver() -> Result<PathBuf, EnvError> {
    locate(
        "STICKLER_CHROMEDRIVER",
        std::env::var_os("STICKLER_CHROMEDRIVER"),
        std::env::var_os("PATH"),
        &["chromedriver"],
    )?
    .ok_or(EnvError::NoDriver)
}

/// The Chromium binary: `STICKLER_CHROMIUM`, else the first of the usual names on PATH.
pub fn find_chromium() -> Result<PathBuf, EnvError> {
    locate(
        "STICKLER_CHROMIUM",
        std::env::var_os("STICKLER_CHROMIUM"),
        std::env::var_os("PATH"),
        &CHROMIUM_NAMES,
    )?
    .ok_or(EnvError::NoChromium)
}

/// A running chromedriver this process owns. Ending it ([`Chromedriver::shutdown`], or
/// dropping it) ends its whole process group: chromedriver and every Chromium it started.
#[derive(Debug)]
pub struct Chromedriver {
    group: ProcessGroup,
    url: Url,
    /// chromedriver's TMPDIR, so that the scratch files of every Chromium it starts
    /// go with it, and its log (read back when it fails). Declared after `group`, so a
    /// drop kills the processes before it removes their folder.
    scratch: crate::scratch::Folder,
}

impl Chromedriver {
    /// Starts chromedriver (after checking Chromium is there too) on a free loopback
    /// port and waits (≤ 10 s) until it answers `/status`.
    pub async fn start() -> Result<Chromedriver, EnvError> {
        find_chromium()?;
        Self::start_binary(&find_chromedriver()?).await
    }

    /// Starts this chromedriver binary; see [`Chromedriver::start`].
    pub async fn start_binary(path: &Path) -> Result<Chromedriver, EnvError> {
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(path).await {
                Ok(driver) => return Ok(driver),
                // It exited early, most likely because the port was taken meanwhile.
                Err(Attempt::Exited(e)) => last = Some(e),
                Err(Attempt::Fatal(e)) => return Err(e),
            }
        }
        Err(last.unwrap_or(EnvError::NoDriver))
    }

    async fn start_once(path: &Path) -> Result<Chromedriver, Attempt> {
        let failed = |reason: String, log_tail: String| EnvError::DriverFailed {
            path: path.to_path_buf(),
            reason,
            log_tail,
        };
        let port = crate::app::free_port().map_err(|e| {
            Attempt::Fatal(failed(format!("no free loopback port: {e}"), String::new()))
        })?;
        let url = Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| {
            Attempt::Fatal(failed(
                format!("bad URL for port {port}: {e}"),
                String::new(),
            ))
        })?;
        let scratch =
            crate::scratch::Folder::new_in(SCRATCH_PREFIX, &scratch_base()).map_err(|e| {
                Attempt::Fatal(failed(
                    format!(
                        "cannot create its temporary folder: {e}; check that TMPDIR is writable"
                    ),
                    String::new(),
                ))
            })?;
        // One append-mode description for both streams, so neither overwrites the other.
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(scratch.path().join(LOG));
        let (out, err) = match out.and_then(|o| Ok((o.try_clone()?, o))) {
            Ok((o, e)) => (Stdio::from(o), Stdio::from(e)),
            Err(_) => (Stdio::null(), Stdio::null()),
        };
        let mut command = tokio::process::Command::new(path);
        command
            // No --allowed-ips: with it chromedriver listens on every interface and
            // relies on the list; without it, it binds loopback only.
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        // Chromium's own scratch folders then go with ours, even when it is killed.
        command.env("TMPDIR", scratch.path());
        // Its own group, so ending it reaches every Chromium it starts.
        let group = ProcessGroup::spawn(&mut command).map_err(|e| {
            Attempt::Fatal(failed(
                format!("{e}; check that the file is an executable chromedriver"),
                String::new(),
            ))
        })?;
        let mut driver = Chromedriver {
            group,
            url,
            scratch,
        };
        let status = format!("http://127.0.0.1:{port}/status");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .no_proxy()
            .build()
            .map_err(|e| Attempt::Fatal(failed(format!("no HTTP client: {e}"), String::new())))?;
        let deadline = tokio::time::Instant::now() + READY_WAIT;
        loop {
            if let Ok(r) = http.get(&status).send().await
                && r.status().is_success()
            {
                return Ok(driver);
            }
            if let Some(code) = driver.group.try_wait() {
                let tail = driver.log_tail();
                driver.shutdown().await; // its browsers, if any
                return Err(Attempt::Exited(failed(
                    format!("it exited ({code}) before answering {status}"),
                    tail,
                )));
            }
            if tokio::time::Instant::now() >= deadline {
                let tail = driver.log_tail();
                driver.shutdown().await;
                return Err(Attempt::Fatal(failed(
                    format!(
                        "it did not answer {status} within {} s; run `{} --port={port}` by hand to see why, or pass --webdriver URL",
                        READY_WAIT.as_secs(),
                        path.display()
                    ),
                    tail,
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Its WebDriver URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    /// Its process group id (= its pid at the start).
    #[cfg(test)]
    pub fn pgid(&self) -> u32 {
        self.group.pgid()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.scratch.path().join(LOG)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Ends chromedriver and every browser it started: SIGTERM to its group, up to 2 s
    /// to go, then SIGKILL.
    pub async fn shutdown(self) {
        self.group.end(SHUTDOWN_GRACE).await;
        self.scratch.remove().await;
    }
}

/// One start attempt's failure: worth another port, or not.
enum Attempt {
    Exited(EnvError),
    Fatal(EnvError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_bin(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "").expect("write");
        p
    }

    #[test]
    fn locate_prefers_the_override_then_path_order() {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let in_b = temp_bin(b.path(), "chromium-browser");
        let in_a = temp_bin(a.path(), "google-chrome");
        let path = std::env::join_paths([a.path(), b.path()]).expect("join");
        let found = locate("X", None, Some(path.clone()), &CHROMIUM_NAMES).expect("ok");
        assert_eq!(
            found,
            Some(in_b.clone()),
            "earlier names win over earlier dirs"
        );
        let found = locate("X", Some(in_a.clone().into()), Some(path), &CHROMIUM_NAMES);
        assert_eq!(found.expect("ok"), Some(in_a));
        let none = locate(
            "X",
            None,
            Some(OsString::from("/nonexistent")),
            &["chromedriver"],
        );
        assert_eq!(none.expect("ok"), None);
    }

    #[test]
    fn a_bad_override_says_which_variable() {
        let e = locate(
            "STICKLER_CHROMEDRIVER",
            Some("/no/such/file".into()),
            None,
            &[],
        )
        .expect_err("missing file");
        let msg = e.to_string();
        assert!(
            msg.starts_with("STICKLER_CHROMEDRIVER=/no/such/file is not a file"),
            "{msg}"
        );
    }

    #[test]
    fn not_found_messages_say_how_to_fix() {
        let msg = EnvError::NoDriver.to_string();
        assert!(
            msg.contains("apt-get install chromium chromium-driver"),
            "{msg}"
        );
        assert!(msg.contains("--webdriver URL") && msg.contains("STICKLER_CHROMEDRIVER"));
        assert!(
            EnvError::NoChromium
                .to_string()
                .contains("STICKLER_CHROMIUM")
        );
    }

    /// Every listening TCP socket on `port`, as `/proc/net/tcp{,6}` hex local addresses.
    fn listeners(port: u16) -> Vec<String> {
        let mut out = Vec::new();
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let text = std::fs::read_to_string(table).unwrap_or_default();
            for line in text.lines().skip(1) {
                let cols: Vec<&str> = line.split_whitespace().collect();
                // local address is ADDR:PORT in hex; state 0A is LISTEN.
                if let (Some(local), Some("0A")) = (cols.get(1), cols.get(3).copied())
                    && let Some((addr, p)) = local.rsplit_once(':')
                    && u16::from_str_radix(p, 16) == Ok(port)
                {
                    out.push(addr.to_string());
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn chromedriver_listens_on_loopback_only() {
        let Ok(driver) = Chromedriver::start().await else {
            return; // no chromedriver here: the browser tests say so
        };
        let port = driver.url().port().expect("port");
        let addrs = listeners(port);
        driver.shutdown().await;
        const LOOPBACK_V4: &str = "0100007F";
        const LOOPBACK_V6: &str = "00000000000000000000000001000000";
        assert!(!addrs.is_empty(), "nothing listens on {port}");
        assert!(
            addrs.iter().all(|a| a == LOOPBACK_V4 || a == LOOPBACK_V6),
            "chromedriver listens beyond loopback: {addrs:?}"
        );
    }

    #[tokio::test]
    async fn a_driver_that_exits_at_once_reports_its_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fake = dir.path().join("chromedriver");
        std::fs::write(&fake, "#!/bin/sh\necho \"bind() failed: $1\" >&2\nexit 1\n")
            .expect("write");
        std::process::Command::new("chmod")
            .args(["+x"])
            .arg(&fake)
            .status()
            .expect("chmod");
        let e = Chromedriver::start_binary(&fake)
            .await
            .expect_err("it exits");
        let msg = e.to_string();
        assert!(msg.contains("exited (exit status: 1)"), "{msg}");
        assert!(
            msg.contains("--- chromedriver said ---\nbind() failed: --port="),
            "{msg}"
        );
    }
}
