//! The chromedriver child process: found on PATH, started on a free loopback port in its
//! own process group, and ended with every Chromium it started.

use crate::process::{end_group, signal_group};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use url::Url;

/// Why the browser environment is unusable.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// No chromedriver binary.
    #[error(
        "chromedriver not found on PATH: install Debian's chromium and chromium-driver (`apt-get install chromium chromium-driver`, or run scripts/ensure-browser), set STICKLER_CHROMEDRIVER, or pass --webdriver URL"
    )]
    NoDriver,
    /// No Chromium binary.
    #[error(
        "Chromium not found (tried STICKLER_CHROMIUM, chromium, chromium-browser, google-chrome): install Debian's chromium (`apt-get install chromium chromium-driver`), or pass --webdriver URL"
    )]
    NoChromium,
    /// chromedriver did not start.
    #[error("chromedriver ({path}) could not be started: {reason}")]
    DriverFailed {
        /// The binary.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

/// The Chromium binary: `STICKLER_CHROMIUM`, else the first of the usual names on PATH.
pub fn find_chromium() -> Result<PathBuf, EnvError> {
    if let Some(p) = std::env::var_os("STICKLER_CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    on_path(&["chromium", "chromium-browser", "google-chrome"]).ok_or(EnvError::NoChromium)
}

/// A running chromedriver this process owns.
#[derive(Debug)]
pub struct Chromedriver {
    child: Option<tokio::process::Child>,
    port: u16,
}

impl Chromedriver {
    /// Starts chromedriver and waits (≤ 10 s) until it answers `/status`.
    pub async fn start() -> Result<Chromedriver, EnvError> {
        find_chromium()?;
        let path = std::env::var_os("STICKLER_CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| on_path(&["chromedriver"]))
            .ok_or(EnvError::NoDriver)?;
        let failed = |reason: String| EnvError::DriverFailed {
            path: path.display().to_string(),
            reason,
        };
        let port = crate::app::free_port().map_err(|e| failed(e.to_string()))?;
        let child = tokio::process::Command::new(&path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| failed(e.to_string()))?;
        let mut driver = Chromedriver {
            child: Some(child),
            port,
        };
        let http = reqwest::Client::new();
        let status = format!("http://127.0.0.1:{port}/status");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(r) = http.get(&status).send().await
                && r.status().is_success()
            {
                return Ok(driver);
            }
            if let Some(c) = driver.child.as_mut()
                && let Ok(Some(code)) = c.try_wait()
            {
                return Err(failed(format!("it exited with {code}")));
            }
            if tokio::time::Instant::now() >= deadline {
                driver.shutdown().await;
                return Err(failed(format!("it did not answer {status} within 10 s")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Its WebDriver URL.
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://127.0.0.1:{}", self.port)).expect("valid URL")
    }

    /// Ends chromedriver and every browser it started.
    pub async fn shutdown(mut self) {
        if let Some(mut c) = self.child.take() {
            end_group(&mut c, Duration::from_secs(2)).await;
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        if let Some(c) = self.child.take()
            && let Some(pgid) = c.id()
        {
            signal_group(pgid, nix::sys::signal::Signal::SIGKILL);
        }
    }
}
