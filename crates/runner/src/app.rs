//! The app under test as a child process: started with placeholders filled, in its own
//! process group, output to a log file, ready when its readiness URL answers, and ended
//! with its whole group.

use crate::process::{end_group, signal_group};
use crate::scenario::{AppCommand, Placeholders};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// Why the app could not be started or built.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A placeholder could not be filled.
    #[error("{0}")]
    Placeholder(String),
    /// The program could not be spawned.
    #[error("cannot start `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// It exited or did not answer in time.
    #[error("{reason}\n--- last lines of {log} ---\n{tail}")]
    NotReady {
        /// What happened.
        reason: String,
        /// The log file.
        log: String,
        /// Its last lines.
        tail: String,
    },
    /// The build command failed.
    #[error("`{command}` failed: {status}")]
    Build {
        /// The command.
        command: String,
        /// How it ended.
        status: String,
    },
    /// I/O around the log file.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A free TCP port on 127.0.0.1 for a child to listen on. Port 0 would come from the
/// ephemeral range, where the browser's outgoing connections may take it before the
/// child binds it; so ports are drawn below that range (Linux: 32768+) and never handed
/// out twice in one run.
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
    Err(std::io::Error::other("no free port found in 20000-31999 on 127.0.0.1"))
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A running app this process owns.
#[derive(Debug)]
pub struct ManagedApp {
    child: Option<tokio::process::Child>,
}

impl ManagedApp {
    /// Starts the app and waits until its readiness URL answers 2xx or 3xx.
    pub async fn start(
        cmd: &AppCommand,
        vars: &Placeholders,
        log: &Path,
        ready_timeout: Duration,
    ) -> Result<ManagedApp, AppError> {
        let fill = |s: &str| vars.fill(s).map_err(|e| AppError::Placeholder(e.to_string()));
        let argv: Vec<String> = cmd.argv.iter().map(|a| fill(a)).collect::<Result<_, _>>()?;
        let ready_url = fill(&cmd.ready_url)?;
        let out = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
        let mut command = tokio::process::Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .current_dir(&cmd.workdir)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .process_group(0)
            .kill_on_drop(true);
        for (k, v) in &cmd.env {
            command.env(k, fill(v)?);
        }
        let child = command.spawn().map_err(|source| AppError::Spawn {
            program: argv[0].clone(),
            source,
        })?;
        let mut app = ManagedApp { child: Some(child) };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| AppError::Io(std::io::Error::other(e)))?;
        let deadline = tokio::time::Instant::now() + ready_timeout;
        let not_ready = |reason: String| AppError::NotReady {
            reason,
            log: log.display().to_string(),
            tail: tail(log, 20),
        };
        loop {
            if let Ok(r) = http.get(&ready_url).send().await
                && (r.status().is_success() || r.status().is_redirection())
            {
                return Ok(app);
            }
            if let Some(c) = app.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                let err = not_ready(format!("`{}` exited ({status}) before {ready_url} answered", argv.join(" ")));
                app.stop().await;
                return Err(err);
            }
            if tokio::time::Instant::now() >= deadline {
                app.stop().await;
                return Err(not_ready(format!(
                    "{ready_url} did not answer 2xx/3xx within {} s",
                    ready_timeout.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM to the whole group, ≤ 3 s grace, then SIGKILL.
    pub async fn stop(mut self) {
        if let Some(mut c) = self.child.take() {
            end_group(&mut c, Duration::from_secs(3)).await;
        }
    }
}

impl Drop for ManagedApp {
    fn drop(&mut self) {
        if let Some(c) = self.child.take()
            && let Some(pgid) = c.id()
        {
            signal_group(pgid, nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// Runs the scenario's build step once, output inherited.
pub async fn run_build(argv: &[String], workdir: &Path) -> Result<(), AppError> {
    let status = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(workdir)
        .stdin(Stdio::null())
        .status()
        .await
        .map_err(|source| AppError::Spawn {
            program: argv[0].clone(),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(AppError::Build {
            command: argv.join(" "),
            status: status.to_string(),
        })
    }
}
