//! The app under test as a child process: started with placeholders filled, in its own
//! process group, output to a log file, ready when its readiness URL answers, and ended
//! with its whole group.

use crate::process::ProcessGroup;
use crate::scenario::{AppCommand, PlaceholderError, Placeholders};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// How often the readiness URL is tried.
const READY_POLL: Duration = Duration::from_millis(100);
/// How long the app gets to quit after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// How many log lines an error quotes.
const LOG_TAIL: usize = 20;

/// Why the app could not be started or built.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A placeholder could not be filled.
    #[error("cannot fill the app's command: {0}")]
    Placeholder(#[from] PlaceholderError),
    /// A command with no program.
    #[error(
        "the app's {what} command is empty: give a program and its arguments in the scenario file"
    )]
    EmptyCommand {
        /// `command` or `build`.
        what: &'static str,
    },
    /// The program could not be spawned.
    #[error(
        "cannot start `{program}` in {}: {source}; check that it is installed or built (a relative program path resolves against the scenario's workdir)",
        workdir.display()
    )]
    Spawn {
        /// The program.
        program: String,
        /// Where it was to run.
        workdir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The log file could not be opened.
    #[error("cannot open the app log {}: {source}", path.display())]
    Log {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// It exited or did not answer in time.
    #[error("{reason}\n--- last lines of {} ---\n{tail}", log.display())]
    NotReady {
        /// What happened, and what to check.
        reason: String,
        /// The log file.
        log: PathBuf,
        /// Its last lines.
        tail: String,
    },
    /// The build command failed.
    #[error("the build step `{command}` failed ({status}) in {}; its output is above and in {}", workdir.display(), log.display())]
    Build {
        /// The command.
        command: String,
        /// Where it ran.
        workdir: PathBuf,
        /// How it ended.
        status: String,
        /// Its whole output.
        log: PathBuf,
    },
}

/// A free TCP port on 127.0.0.1 for a child to listen on.
///
/// Port 0 would come from the ephemeral range, where the browser's outgoing connections
/// may take it before the child binds it; so ports are drawn below that range (Linux:
/// 32768+) and never handed out twice in one run.
pub fn free_port() -> std::io::Result<u16> {
    use rand::Rng;
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..200 {
        let port = rand::thread_rng().gen_range(20_000..32_000);
        if given.contains(&port) {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.push(port);
            return Ok(port);
        }
    }
    Err(std::io::Error::other(
        "no free port found in 20000-31999 on 127.0.0.1",
    ))
}

/// The last `lines` lines of a file (empty when unreadable).
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A relative program path with a slash (`target/debug/app`) is meant from the workdir;
/// a bare name (`npm`) is looked up on PATH.
fn program_path(program: &str, workdir: &Path) -> PathBuf {
    let p = Path::new(program);
    if p.is_relative() && program.contains('/') {
        // Absolute: the child starts in `workdir`, where a relative path would be
        // resolved a second time.
        let joined = workdir.join(p);
        std::path::absolute(&joined).unwrap_or(joined)
    } else {
        p.to_path_buf()
    }
}

/// A running app this process owns. Ending it ([`ManagedApp::stop`], or dropping it)
/// ends its whole process group.
#[derive(Debug)]
pub struct ManagedApp {
    group: ProcessGroup,
    log: PathBuf,
}

impl ManagedApp {
    /// Starts the app with `vars` filled into its program, arguments, environment and
    /// readiness URL, output appended to `log_path`; waits until the readiness URL
    /// answers 2xx or 3xx, at most `ready_timeout`. On failure the app is ended and the
    /// error quotes the end of the log.
    pub async fn start(
        spec: &AppCommand,
        vars: &Placeholders,
        log_path: &Path,
        ready_timeout: Duration,
    ) -> Result<ManagedApp, AppError> {
        let argv: Vec<String> = spec
            .argv
            .iter()
            .map(|a| vars.fill(a))
            .collect::<Result<_, _>>()?;
        let Some((program, args)) = argv.split_first() else {
            return Err(AppError::EmptyCommand { what: "start" });
        };
        // What the log and errors show of the command: secrets masked.
        let shown = vars.masked(&argv.join(" "));
        let env: Vec<(&String, String)> = spec
            .env
            .iter()
            .map(|(k, v)| Ok((k, vars.fill(v)?)))
            .collect::<Result<_, PlaceholderError>>()?;
        let ready_url = vars.fill(&spec.ready_url)?;
        let log_err = |source| AppError::Log {
            path: log_path.to_path_buf(),
            source,
        };
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .map_err(log_err)?;
        writeln!(
            out,
            "--- stickler: starting `{}` in {} ---",
            shown,
            spec.workdir.display()
        )
        .map_err(log_err)?;
        let err = out.try_clone().map_err(log_err)?;
        let mut command = tokio::process::Command::new(program_path(program, &spec.workdir));
        command
            .args(args)
            .envs(env)
            .current_dir(&spec.workdir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        // Its own group, so stopping it reaches whatever it starts in turn.
        let group = ProcessGroup::spawn(&mut command).map_err(|source| AppError::Spawn {
            program: program.clone(),
            workdir: spec.workdir.clone(),
            source,
        })?;
        let mut app = ManagedApp {
            group,
            log: log_path.to_path_buf(),
        };
        let not_ready = |reason: String| AppError::NotReady {
            reason,
            log: log_path.to_path_buf(),
            tail: tail(log_path, LOG_TAIL),
        };
        let http = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
        {
            Ok(h) => h,
            Err(e) => {
                app.stop().await;
                return Err(not_ready(format!(
                    "no HTTP client to poll {ready_url}: {e}"
                )));
            }
        };
        let started = tokio::time::Instant::now();
        let deadline = started + ready_timeout;
        loop {
            // Each try is bounded by what is left of the timeout.
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let attempt = http
                .get(&ready_url)
                .timeout(left.clamp(Duration::from_millis(100), Duration::from_secs(2)))
                .send()
                .await;
            let last_answer = match attempt {
                Ok(r) if r.status().is_success() || r.status().is_redirection() => return Ok(app),
                Ok(r) => format!("last answer: HTTP {}", r.status()),
                Err(e) if e.is_connect() => "nothing listening".into(),
                Err(e) => format!("last try: {e}"),
            };
            if let Some(status) = app.group.try_wait() {
                app.stop().await; // whatever it left behind in its group
                return Err(not_ready(format!(
                    "the app `{}` exited ({status}) after {:.1} s, before {ready_url} answered; see its log below",
                    shown,
                    started.elapsed().as_secs_f64()
                )));
            }
            if tokio::time::Instant::now() >= deadline {
                app.stop().await;
                return Err(not_ready(format!(
                    "the app `{}` did not answer {ready_url} with 2xx/3xx within {} s ({last_answer}); check `ready_url` and that the app listens on {{port}}, or raise `ready_timeout_secs`",
                    shown,
                    ready_timeout.as_secs_f64()
                )));
            }
            tokio::time::sleep(READY_POLL).await;
        }
    }

    /// When its process has exited: its status and the end of its log, as crash
    /// evidence.
    pub fn exited(&mut self) -> Option<String> {
        let status = self.group.try_wait()?;
        Some(format!(
            "its process exited ({status}); the end of its log ({}):\n{}",
            self.log.display(),
            tail(&self.log, LOG_TAIL)
        ))
    }

    /// Its process group id (= its pid at the start).
    #[cfg(test)]
    pub fn pgid(&self) -> u32 {
        self.group.pgid()
    }

    /// Ends the app: SIGTERM to its whole group, up to 3 s to go, then SIGKILL. Dropping
    /// it instead (error paths, Ctrl-C) kills the group at once.
    pub async fn stop(self) {
        self.group.end(STOP_GRACE).await;
    }
}

/// Runs the scenario's build step once in `workdir`, as its own process group (ended
/// with the run, also on Ctrl-C and by the watchdog): every line it prints, on stdout or
/// stderr, is shown on stderr as it comes, prefixed `  build | `, and kept in
/// `log_path`, so a long build is never silent and never mixes with the report.
pub async fn run_build(argv: &[String], workdir: &Path, log_path: &Path) -> Result<(), AppError> {
    use tokio::io::AsyncBufReadExt as _;
    let Some((program, args)) = argv.split_first() else {
        return Err(AppError::EmptyCommand { what: "build" });
    };
    let mut log = std::fs::File::create(log_path).map_err(|source| AppError::Log {
        path: log_path.to_path_buf(),
        source,
    })?;
    let mut command = tokio::process::Command::new(program_path(program, workdir));
    command
        .args(args)
        .current_dir(workdir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut group = ProcessGroup::spawn(&mut command).map_err(|source| AppError::Spawn {
        program: program.clone(),
        workdir: workdir.to_path_buf(),
        source,
    })?;
    let (out, err) = group.take_output();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let mut readers = Vec::new();
    for pipe in [
        out.map(|o| Box::new(o) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        err.map(|e| Box::new(e) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        readers.push(tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(pipe);
            let mut line = Vec::new();
            while matches!(lines.read_until(b'\n', &mut line).await, Ok(n) if n > 0) {
                let _ = tx.send(std::mem::take(&mut line));
            }
        }));
    }
    drop(tx);
    let show = |line: &[u8], log: &mut std::fs::File| {
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\n', '\r']);
        eprintln!("  build | {text}");
        let _ = writeln!(log, "{text}");
    };
    let status = loop {
        tokio::select! {
            Some(line) = rx.recv() => show(&line, &mut log),
            status = group.wait() => break status,
        }
    };
    // What is still in the pipes; a member that keeps them open (a daemon the build
    // left behind) is ended with the group below, so this wait is bounded.
    let drain = async {
        while let Some(line) = rx.recv().await {
            show(&line, &mut log);
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    for r in readers {
        r.abort();
    }
    group.end(STOP_GRACE).await;
    let status = status.map_err(|source| AppError::Spawn {
        program: program.clone(),
        workdir: workdir.to_path_buf(),
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(AppError::Build {
            command: argv.join(" "),
            workdir: workdir.to_path_buf(),
            status: status.to_string(),
            log: log_path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{group_alive, live_members};

    #[test]
    fn a_relative_program_is_made_absolute_against_a_relative_workdir() {
        let p = program_path("bin/app", Path::new("examples/x"));
        assert!(p.is_absolute(), "{}", p.display());
        assert!(p.ends_with("examples/x/bin/app"));
        assert_eq!(
            program_path("npm", Path::new("examples/x")),
            PathBuf::from("npm")
        );
    }
    use std::collections::BTreeMap;

    fn command(argv: &[&str], ready_url: &str, env: &[(&str, &str)]) -> AppCommand {
        AppCommand {
            argv: argv.iter().map(|a| a.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            ready_url: ready_url.into(),
            workdir: std::env::temp_dir(),
        }
    }

    fn vars() -> (Placeholders, u16) {
        let port = free_port().expect("port");
        let mut v = Placeholders::default();
        v.set("port", &port.to_string());
        v.set("app_url", &format!("http://127.0.0.1:{port}"));
        (v, port)
    }

    #[tokio::test]
    async fn an_app_that_never_answers_is_not_ready_and_is_ended() {
        let (vars, port) = vars();
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("app.log");
        // A child of the app too, to see the whole group go.
        let spec = command(
            &[
                "sh",
                "-c",
                "echo pid $$; echo \"hello on $PORT\"; sleep 30 & sleep 30",
            ],
            "{app_url}/healthz",
            &[("PORT", "{port}")],
        );
        let e = ManagedApp::start(&spec, &vars, &log, Duration::from_millis(700))
            .await
            .expect_err("never ready");
        let AppError::NotReady { reason, tail, .. } = &e else {
            panic!("{e}");
        };
        assert!(
            reason.contains("within 0.7 s (nothing listening)"),
            "{reason}"
        );
        assert!(tail.contains(&format!("hello on {port}")), "{tail}");
        assert!(e.to_string().contains("--- last lines of"), "{e}");
        // The group was ended before the error came back.
        let text = std::fs::read_to_string(&log).expect("log");
        let leader: u32 = pgid_from_log(&text);
        assert!(!group_alive(leader), "left: {:?}", live_members(leader));
    }

    /// The app writes its pid (its pgid) in the log through `$$`.
    fn pgid_from_log(text: &str) -> u32 {
        text.lines()
            .find_map(|l| l.strip_prefix("pid "))
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no pid line in {text}"))
    }

    #[tokio::test]
    async fn an_app_that_exits_early_says_how_and_quotes_its_log() {
        let (vars, _) = vars();
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("app.log");
        let spec = command(
            &[
                "sh",
                "-c",
                "echo pid $$; echo 'bad --issuer' \"$0\" >&2; exit 3",
                "{issuer_x}",
            ],
            "{app_url}/",
            &[],
        );
        // An unknown placeholder is refused before anything starts.
        let e = ManagedApp::start(&spec, &vars, &log, Duration::from_secs(5))
            .await
            .expect_err("unknown placeholder");
        assert!(
            e.to_string().contains("unknown placeholder `{issuer_x}`"),
            "{e}"
        );

        let spec = command(
            &[
                "sh",
                "-c",
                "echo pid $$; echo 'bad --issuer' \"$0\" >&2; exit 3",
                "{port}",
            ],
            "{app_url}/",
            &[],
        );
        let e = ManagedApp::start(&spec, &vars, &log, Duration::from_secs(5))
            .await
            .expect_err("exits");
        let msg = e.to_string();
        assert!(msg.contains("exited (exit status: 3)"), "{msg}");
        assert!(msg.contains("bad --issuer"), "{msg}");
        let pgid = pgid_from_log(&std::fs::read_to_string(&log).expect("log"));
        assert!(!group_alive(pgid));
    }

    #[tokio::test]
    async fn an_app_that_answers_is_ready_and_stops_with_its_group() {
        let (vars, _) = vars();
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("app.log");
        let spec = command(
            &[
                "python3",
                "-m",
                "http.server",
                "{port}",
                "--bind",
                "127.0.0.1",
            ],
            "{app_url}/",
            &[],
        );
        let app = ManagedApp::start(&spec, &vars, &log, Duration::from_secs(15))
            .await
            .expect("ready");
        let pgid = app.pgid();
        assert!(group_alive(pgid));
        app.stop().await;
        assert!(!group_alive(pgid), "left: {:?}", live_members(pgid));
    }

    #[tokio::test]
    async fn a_missing_program_and_a_failing_build_say_what_to_do() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (vars, _) = vars();
        let mut spec = command(&["bin/no-such-app"], "{app_url}/", &[]);
        spec.workdir = dir.path().to_path_buf();
        let e = ManagedApp::start(
            &spec,
            &vars,
            &dir.path().join("log"),
            Duration::from_secs(1),
        )
        .await
        .expect_err("missing");
        assert!(
            e.to_string()
                .starts_with("cannot start `bin/no-such-app` in "),
            "{e}"
        );

        let build = [
            "sh".to_string(),
            "-c".into(),
            "echo compiling widgets; echo 'error: no widget' >&2; exit 2".into(),
        ];
        let log = dir.path().join("build.log");
        let e = run_build(&build, dir.path(), &log)
            .await
            .expect_err("fails");
        assert!(
            e.to_string().starts_with(
                "the build step `sh -c echo compiling widgets; echo 'error: no widget' >&2; exit 2` failed (exit status: 2)"
            ),
            "{e}"
        );
        // Both streams are kept, line by line.
        let kept = std::fs::read_to_string(&log).unwrap();
        assert!(
            kept.contains("compiling widgets\n") && kept.contains("error: no widget\n"),
            "{kept}"
        );
        // A build that leaves a background process behind: the group is ended with it.
        let build = [
            "sh".to_string(),
            "-c".into(),
            "sleep 30 & echo started $!".into(),
        ];
        run_build(&build, dir.path(), &log).await.expect("builds");
        let kept = std::fs::read_to_string(&log).unwrap();
        let pid: i32 = kept
            .trim()
            .strip_prefix("started ")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err()
                || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .is_ok_and(|s| s.contains(") Z ")),
            "the build's background process {pid} was left running"
        );
        run_build(&["true".to_string()], dir.path(), &log)
            .await
            .expect("builds");
        assert!(matches!(
            run_build(&[], dir.path(), &log).await,
            Err(AppError::EmptyCommand { what: "build" })
        ));
    }

    #[tokio::test]
    async fn an_interrupted_build_leaves_nothing_running() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("build.log");
        let build = [
            "sh".to_string(),
            "-c".into(),
            "echo $$; sleep 30 & sleep 30".into(),
        ];
        // Ctrl-C drops the run's future mid-build.
        let dropped = tokio::time::timeout(
            Duration::from_millis(500),
            run_build(&build, dir.path(), &log),
        )
        .await;
        assert!(dropped.is_err(), "the build was still running");
        let pgid: u32 = std::fs::read_to_string(&log)
            .unwrap()
            .trim()
            .parse()
            .expect("the shell's pid, its group id");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while group_alive(pgid) {
            assert!(
                std::time::Instant::now() < deadline,
                "left: {:?}",
                live_members(pgid)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[test]
    fn relative_programs_resolve_against_the_workdir() {
        let w = Path::new("/w");
        assert_eq!(
            program_path("target/debug/app", w),
            Path::new("/w/target/debug/app")
        );
        assert_eq!(program_path("npm", w), Path::new("npm"));
        assert_eq!(program_path("/usr/bin/env", w), Path::new("/usr/bin/env"));
    }
}
