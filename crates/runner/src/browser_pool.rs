//! The browser sessions of one run: a check takes one, and gives it back when it ends.
//! A session given back is reset (a fresh tab, no cookies, no cache, the check's origins'
//! storage cleared) and kept for the next check; one that cannot be reset is closed. So
//! each browser slot starts Chromium once per run instead of once per check: Chromium's
//! start-up and exit are about 0.7 CPU-seconds, a quarter of a check's browser work.
//!
//! `STICKLER_FRESH_BROWSERS=1` gives every check a new Chromium, as before (for telling
//! an isolation problem from an app problem).

use crate::browser::{BrowserError, BrowserSession};
use std::path::PathBuf;
use std::sync::Mutex;
use url::Url;

/// The run's idle sessions, and how to open more.
#[derive(Debug)]
pub struct BrowserPool {
    /// None in a run that tests only an API: no check of it opens a browser.
    webdriver: Option<Url>,
    chromium: Option<PathBuf>,
    template: Option<PathBuf>,
    reuse: bool,
    idle: Mutex<Vec<BrowserSession>>,
}

impl BrowserPool {
    /// A pool opening sessions on `webdriver`, each from a copy of `template`.
    pub fn new(
        webdriver: Option<Url>,
        chromium: Option<PathBuf>,
        template: Option<PathBuf>,
    ) -> Self {
        let reuse =
            std::env::var("STICKLER_FRESH_BROWSERS").map_or(true, |v| v.is_empty() || v == "0");
        BrowserPool {
            webdriver,
            chromium,
            template,
            reuse,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// An idle session, or a new one.
    pub async fn take(&self) -> Result<BrowserSession, BrowserError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(session) => Ok(session),
            None => {
                let webdriver = self.webdriver.as_ref().ok_or(BrowserError::NoBrowser)?;
                BrowserSession::open(
                    webdriver,
                    self.chromium.as_deref(),
                    self.template.as_deref(),
                )
                .await
            }
        }
    }

    /// Takes a session back after a check that used `origins`: reset and kept, or
    /// closed when it cannot be reset (a dialog left open, a crashed tab).
    pub async fn give_back(&self, session: BrowserSession, origins: &[String]) {
        if !self.reuse {
            session.close().await;
            return;
        }
        match session.reset(origins).await {
            Ok(()) => self
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(session),
            Err(e) => {
                tracing::debug!("a browser session is closed instead of reused: {e}");
                session.close().await;
            }
        }
    }

    /// Ends every idle session (at the end of the run).
    pub async fn close_all(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        futures::future::join_all(idle.into_iter().map(BrowserSession::close)).await;
    }
}

/// The origin (`http://127.0.0.1:3000`) of a URL, when it has one.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:3000/t/x/cb?code=1").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("about:blank"), None);
        assert_eq!(origin_of("not a url"), None);
    }
}
