//! Apps being ended in the background. A check is over once its verdict and evidence
//! are taken; its app still gets its grace period to exit (SIGTERM, up to 3 s, then
//! SIGKILL), but the check's slot goes on to the next check meanwhile. A Node server that
//! closes gracefully, for one, waits for the browser's pre-opened connections, which no
//! reset of the browser closes, and would hold every check for the whole grace period.
//!
//! The run waits for every stop before it ends ([`Stopping::wait`]); after Ctrl-C,
//! [`Stopping::kill`] ends them all at once.

use crate::app::ManagedApp;
use std::sync::Mutex;
use tokio::task::JoinSet;

/// The stops in progress.
#[derive(Debug, Default)]
pub struct Stopping(Mutex<JoinSet<()>>);

impl Stopping {
    /// Ends `app` in the background.
    pub fn stop(&self, app: ManagedApp) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .spawn(app.stop());
    }

    /// Waits until every app given to [`Stopping::stop`] is gone.
    pub async fn wait(&self) {
        let mut set = self.take();
        while set.join_next().await.is_some() {}
    }

    /// Ends every app still stopping at once (its group is killed when its stop is
    /// dropped).
    pub async fn kill(&self) {
        self.take().shutdown().await;
    }

    /// The stops in progress, out of the lock (which is never held across an await).
    fn take(&self) -> JoinSet<()> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
