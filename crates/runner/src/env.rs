//! What every check of one run shares: the scenario file, the IdP, the WebDriver
//! endpoint and where evidence goes. Set once per run; each World reads it.

use crate::browser_pool::BrowserPool;
use crate::idp_client::IdpClient;
use crate::scenario::{AppCommand, ScenarioFile};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use stickler_idp::TenantInfo;

/// How the app under test is reached.
#[derive(Debug)]
pub enum AppTarget {
    /// The runner starts a fresh instance per check.
    Managed {
        /// The command to start it.
        command: AppCommand,
    },
    /// The scenario file describes no web app (only a CLI or an API).
    Absent,
    /// The app already runs, configured for one fixed tenant.
    Running {
        /// The app's base URL.
        url: String,
        /// The tenant it is configured for.
        tenant: TenantInfo,
    },
}

/// The shared environment of a run.
#[derive(Debug)]
pub struct RunEnv {
    /// The scenario file.
    pub scenario: ScenarioFile,
    /// The IdP's admin API.
    pub idp: IdpClient,
    /// The app.
    pub target: AppTarget,
    /// The browser sessions: each check takes one and gives it back.
    pub browsers: BrowserPool,
    /// Where evidence is written.
    pub report_dir: PathBuf,
    /// An HTTP client that does not follow redirects.
    pub http: reqwest::Client,
    /// Where each check leaves its evidence for the reporters.
    pub evidence: crate::report::EvidenceDrop,
    /// The apps of finished checks, being ended.
    pub stopping: crate::stopping::Stopping,
}

static CURRENT: RwLock<Option<Arc<RunEnv>>> = RwLock::new(None);

/// Makes `env` the environment new Worlds see.
pub fn set_current_env(env: Arc<RunEnv>) {
    *CURRENT.write().unwrap_or_else(|p| p.into_inner()) = Some(env);
}

/// The environment of the run in progress.
pub fn current_env() -> Option<Arc<RunEnv>> {
    CURRENT.read().unwrap_or_else(|p| p.into_inner()).clone()
}
