//! The non-browser targets of a check: the CLI under test, run as an owned process group
//! (the watchdog knows it) whose output is read for the verification URL and user code;
//! and one call of the API under test with a bearer token.

use crate::evidence::{ApiObservation, CliObservation};
use crate::process::ProcessGroup;
use crate::scenario::{ApiTarget, AppCommand, CliTarget, Placeholders};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How much of the CLI's output a report keeps.
const OUTPUT_KEPT: usize = 4000;
/// How long the CLI gets to end after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// A run of the CLI under test. Dropping it kills its process group.
#[derive(Debug)]
pub struct CliRun {
    group: Option<ProcessGroup>,
    log: PathBuf,
    shown: String,
    started: Instant,
    timeout: Duration,
    exit: Option<i32>,
    ended: bool,
    timed_out: bool,
    codes: (Option<String>, Option<String>),
}

impl CliRun {
    /// Starts the CLI with `vars` filled in; its stdout and stderr go to `log`.
    pub fn start(
        spec: &AppCommand,
        vars: &Placeholders,
        log: &Path,
        timeout: Duration,
    ) -> Result<CliRun> {
        let argv: Vec<String> = spec
            .argv
            .iter()
            .map(|a| vars.fill(a))
            .collect::<Result<_, _>>()?;
        let (program, args) = argv.split_first().context("the [cli] command is empty")?;
        let env: Vec<(String, String)> = spec
            .env
            .iter()
            .map(|(k, v)| Ok((k.clone(), vars.fill(v)?)))
            .collect::<Result<_, crate::scenario::PlaceholderError>>()?;
        if let Some(parent) = log.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let out = std::fs::File::create(log)
            .with_context(|| format!("cannot write {}", log.display()))?;
        let err = out.try_clone()?;
        let path = Path::new(program);
        let program_path = if path.is_relative() && program.contains('/') {
            std::path::absolute(spec.workdir.join(path))?
        } else {
            path.to_path_buf()
        };
        let mut command = tokio::process::Command::new(program_path);
        command
            .args(args)
            .envs(env)
            .current_dir(&spec.workdir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let group = ProcessGroup::spawn(&mut command).with_context(|| {
            format!(
                "cannot start the CLI `{program}` in {}",
                spec.workdir.display()
            )
        })?;
        Ok(CliRun {
            group: Some(group),
            log: log.to_path_buf(),
            shown: vars.masked(&argv.join(" ")),
            started: Instant::now(),
            timeout,
            exit: None,
            ended: false,
            timed_out: false,
            codes: (None, None),
        })
    }

    /// Its output so far.
    pub fn output(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Notes its exit when it has exited; true then.
    fn exited(&mut self) -> bool {
        if self.ended {
            return true;
        }
        if let Some(status) = self.group.as_mut().and_then(ProcessGroup::try_wait) {
            self.exit = status.code();
            self.ended = true;
        }
        self.ended
    }

    /// Waits until its output shows the verification URL and the user code; the error
    /// says it exited or timed out first, with its output.
    pub async fn wait_for_codes(&mut self, cli: &CliTarget) -> Result<(String, String), String> {
        let find = |re: &regex::Regex, text: &str| {
            re.captures(text).map(|c| {
                c.get(1)
                    .or_else(|| c.get(0))
                    .map_or("", |m| m.as_str())
                    .to_string()
            })
        };
        loop {
            let text = self.output();
            let url = find(&cli.verification_url, &text);
            let code = find(&cli.user_code, &text);
            if let (Some(u), Some(c)) = (&url, &code) {
                self.codes = (url.clone(), code.clone());
                return Ok((u.clone(), c.clone()));
            }
            if self.exited() {
                return Err("the CLI ended before its output showed a verification URL and a user code (`[cli] verification_url` / `user_code`)".into());
            }
            if self.started.elapsed() >= self.timeout {
                return Err(format!(
                    "the CLI's output showed no {} within {} s (`[cli] verification_url` = `{}`, `user_code` = `{}`)",
                    match (&url, &code) {
                        (None, None) => "verification URL and no user code",
                        (None, Some(_)) => "verification URL",
                        _ => "user code",
                    },
                    self.timeout.as_secs(),
                    cli.verification_url.as_str(),
                    cli.user_code.as_str()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for it to end, at most until its timeout, then stops it; what it ended on.
    pub async fn finish(&mut self, vars: &Placeholders) -> CliObservation {
        while self.still_running().await {}
        self.end(vars).await
    }

    /// Waits up to 100 ms; false once it has exited or its timeout has passed.
    pub async fn still_running(&mut self) -> bool {
        if self.exited() || self.started.elapsed() >= self.timeout {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        true
    }

    /// Stops it now if it still runs (noting the timeout when that has passed); what it
    /// ended on.
    pub async fn end(&mut self, vars: &Placeholders) -> CliObservation {
        if !self.exited() && self.started.elapsed() >= self.timeout {
            self.timed_out = true;
        }
        if let Some(g) = self.group.take() {
            g.end(STOP_GRACE).await;
        }
        self.observe(vars)
    }

    /// What it shows now, without waiting (teardown of a check that stopped early).
    pub fn observe(&self, vars: &Placeholders) -> CliObservation {
        let out = vars.masked(&self.output());
        CliObservation {
            command: self.shown.clone(),
            exit: self.exit,
            timed_out: self.timed_out,
            output: tail_chars(&out, OUTPUT_KEPT),
            verification_url: self.codes.0.clone(),
            user_code: self.codes.1.clone(),
            kept_polling_after: None,
        }
    }

    /// Stops it now (teardown).
    pub async fn stop(mut self) {
        if let Some(g) = self.group.take() {
            g.end(STOP_GRACE).await;
        }
    }
}

/// The last `n` bytes of `text`, cut at a character boundary.
fn tail_chars(text: &str, n: usize) -> String {
    let start = text.len().saturating_sub(n);
    let start = (start..text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    text[start..].to_string()
}

/// Signs of a crash in a CLI's output: a stack trace or a panic, not a message.
pub fn crash_marks(output: &str) -> Option<&'static str> {
    const MARKS: [(&str, &str); 6] = [
        ("panicked at", "a Rust panic"),
        ("Traceback (most recent call last)", "a Python traceback"),
        ("goroutine 1 [", "a Go panic"),
        ("panic: ", "a Go panic"),
        (
            "UnhandledPromiseRejection",
            "an unhandled Node.js rejection",
        ),
        ("Exception in thread", "a Java exception"),
    ];
    MARKS
        .iter()
        .find(|(m, _)| output.contains(m))
        .map(|(_, what)| *what)
}

/// Calls the API's request with `token` as bearer; what it answered.
pub async fn call_api(
    http: &reqwest::Client,
    api: &ApiTarget,
    base: &str,
    token: &str,
    label: &str,
) -> ApiObservation {
    let url = format!("{}{}", base.trim_end_matches('/'), api.path);
    let request = format!("{} {url}", api.method);
    let sent = http
        .request(api.method.clone(), &url)
        .bearer_auth(token)
        .send()
        .await;
    match sent {
        Ok(r) => {
            let status = r.status().as_u16();
            let challenge = r
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(|v| format!(" (WWW-Authenticate: {v})"))
                .unwrap_or_default();
            let body = r.text().await.unwrap_or_default();
            ApiObservation {
                token: label.into(),
                request,
                status: Some(status),
                body: format!("{}{challenge}", crate::journeys::excerpt(&body, 300)),
            }
        }
        Err(e) => ApiObservation {
            token: label.into(),
            request,
            status: None,
            body: if e.is_connect() {
                "the connection was refused".into()
            } else if e.is_timeout() {
                "no answer in time".into()
            } else {
                format!("the request failed: {e}")
            },
        },
    }
}
