//! Evidence of one check: what the browser ended on, the IdP journal, a screenshot and
//! the page text on failure, notes, warnings and crash evidence. Handed to the
//! reporters in memory, and saved as `evidence.json` in the check's report folder for
//! people to read.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use stickler_idp::JournalEntry;

/// What a browser journey ended on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Observation {
    /// The final URL.
    pub url: String,
    /// The HTTP status of the final page (from the Navigation Timing API).
    pub status: Option<u16>,
    /// What the page showed.
    pub shown: Shown,
    /// The start of the page text.
    pub text: String,
}

/// What the page ended up showing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Shown {
    /// The app's signed-in element, with its text.
    SignedIn(String),
    /// The app's error element, with its text.
    AppError(String),
    /// The IdP's own error page.
    IdpError(String),
    /// The IdP's login form with an error (wrong password).
    LoginError(String),
    /// None of the expected elements.
    #[default]
    Nothing,
}

/// What a run of the CLI under test ended on (a non-browser target's observation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CliObservation {
    /// The command as run, secrets masked.
    pub command: String,
    /// Its exit code; `None` when a signal ended it or the runner had to stop it.
    pub exit: Option<i32>,
    /// The runner stopped it after `[cli] timeout_secs`.
    pub timed_out: bool,
    /// Its output (stdout and stderr, interleaved), the last part.
    pub output: String,
    /// The verification URL read from its output.
    pub verification_url: Option<String>,
    /// The user code read from its output.
    pub user_code: Option<String>,
    /// The runner stopped it because it polled again after this terminal error
    /// (`access_denied`, `expired_token`): it would have polled until its timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_polling_after: Option<String>,
}

/// One answer of the API under test (a non-browser target's observation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiObservation {
    /// Which token was sent (`valid`, or how it was bent).
    pub token: String,
    /// Method and URL.
    pub request: String,
    /// The HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    /// The start of the body, or why no answer came.
    pub body: String,
}

/// Everything saved for one check.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// The last browser journey's end.
    pub observation: Option<Observation>,
    /// The IdP's journal for the check's tenant.
    pub journal: Vec<JournalEntry>,
    /// Screenshot, on failure.
    pub screenshot: Option<PathBuf>,
    /// Full page text, on failure.
    pub page_text_file: Option<PathBuf>,
    /// The app's log, for managed apps.
    pub app_log: Option<PathBuf>,
    /// Facts noted by steps.
    pub notes: Vec<String>,
    /// Findings to report without failing (an HTTP 5xx refusal page, a retried client
    /// authentication).
    pub warnings: Vec<crate::verdict::Warning>,
    /// Evidence that the app crashed.
    pub crash: Option<String>,
    /// Why the check does not apply to this app.
    pub not_applicable: Option<String>,
    /// Why a step left the check's subject out on purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_exercised: Option<String>,
    /// A journey delivered its forged or replayed callback to the app.
    pub callback_delivered: bool,
    /// The CLI's run, for CLI checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cli: Option<CliObservation>,
    /// The API's answers, for API checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api: Vec<ApiObservation>,
    /// A mistake in the scenario file, not the app's (the run exits 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_mistake: Option<String>,
}

impl Evidence {
    /// Writes `dir/evidence.json`; errors are ignored (evidence is best effort).
    pub fn save(&self, dir: &Path) {
        if std::fs::create_dir_all(dir).is_ok()
            && let Ok(json) = serde_json::to_vec_pretty(self)
        {
            let _ = std::fs::write(dir.join("evidence.json"), json);
        }
    }
}

/// A journal entry as one readable line.
pub fn journal_line(e: &JournalEntry) -> String {
    let mut parts = vec![format!("{} {} → {}", e.method, e.endpoint, e.status)];
    if let Some(n) = e.state_len {
        parts.push(format!("state {n} chars"));
    } else if e.endpoint == stickler_idp::Endpoint::Authorize {
        parts.push("no state".into());
    }
    if let Some(n) = e.nonce_len {
        parts.push(format!("nonce {n} chars"));
    }
    if let Some(m) = &e.pkce_method {
        parts.push(format!("PKCE {m}"));
    }
    if let Some(a) = &e.client_auth {
        parts.push(format!("client auth {a}"));
    }
    if let Some(r) = &e.redirect_uri {
        parts.push(format!("redirect_uri {r}"));
    }
    if let Some(err) = &e.error {
        parts.push(format!(
            "error {err}: {}",
            e.error_description.as_deref().unwrap_or("")
        ));
    }
    parts.join(", ")
}
