//! Reports. A cucumber [`Writer`] turns the event stream and each check's evidence into
//! one typed [`CheckRecord`] per check, judged by the verdict rules; the console, JUnit,
//! JSON and HTML reports are views of those records, in memory.

mod console;
mod html;
mod json;
mod junit;
pub mod matrix;

pub use console::{print_progress, print_summary};
pub use html::write_html;
pub use json::write_json;
pub use junit::write_junit;

use crate::check::{self, CheckSpec};
use crate::evidence::{Evidence, Observation};
use crate::verdict::{self, Facts, StepOutcome, Verdict, Warning};
use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step};
use cucumber::{Event, Writer, cli, gherkin, parser};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use stickler_idp::{Endpoint, JournalEntry};

/// Evidence the checks leave, by check id, for the writer to pick up when the check's
/// `Finished` event arrives (the after hook that fills it runs before that event).
pub type EvidenceDrop = Arc<Mutex<HashMap<String, Evidence>>>;

/// Files a check left in its report folder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Files {
    /// The check's folder.
    pub dir: PathBuf,
    /// Screenshot of the last page, on failure.
    pub screenshot: Option<PathBuf>,
    /// The last page's full text, on failure.
    pub page_text: Option<PathBuf>,
    /// The app's log, for managed apps.
    pub app_log: Option<PathBuf>,
}

/// Everything known about one check once it ran: what it is, its verdict and why, and
/// its evidence. Every report is a view of these.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRecord {
    /// What the check is.
    #[serde(flatten)]
    pub spec: CheckSpec,
    /// Its verdict.
    pub verdict: Verdict,
    /// What was observed (failed, warned), or why it did not count (not exercised, not
    /// applicable).
    pub reason: Option<String>,
    /// The failing step, as written.
    pub failed_step: Option<String>,
    /// For a check not exercised: the failed checks of the run that explain why.
    pub blocked_by: Vec<String>,
    /// Findings reported without failing.
    pub warnings: Vec<Warning>,
    /// Facts noted by steps.
    pub notes: Vec<String>,
    /// What the browser ended on.
    pub observation: Option<Observation>,
    /// What the CLI's run ended on, for CLI checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<crate::evidence::CliObservation>,
    /// What the API answered, for API checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api: Vec<crate::evidence::ApiObservation>,
    /// The IdP journal of the check's tenant.
    pub journal: Vec<JournalEntry>,
    /// Its files.
    pub files: Files,
    /// A mistake in the scenario file this check ran into (the run exits 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_mistake: Option<String>,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Wall time.
    pub duration_ms: u64,
}

/// A check in progress: when it started, and its first failure (step, message).
type Running = (SystemTime, Option<(String, String)>);

#[derive(Debug, Default)]
struct Shared {
    records: Vec<CheckRecord>,
    parse_errors: Vec<String>,
}

/// The cucumber writer.
#[derive(Debug, Clone)]
pub struct Collector {
    specs: Arc<HashMap<String, CheckSpec>>,
    ids: Arc<check::Ids>,
    evidence: EvidenceDrop,
    report_dir: PathBuf,
    strict: bool,
    total: usize,
    shared: Arc<Mutex<Shared>>,
    started: Arc<Mutex<HashMap<String, Running>>>,
}

impl Collector {
    /// A writer for the selected `specs` (`total` of them), reading the evidence its
    /// checks drop.
    pub fn new(
        specs: Vec<CheckSpec>,
        ids: Arc<check::Ids>,
        evidence: EvidenceDrop,
        report_dir: PathBuf,
        strict: bool,
    ) -> Self {
        Collector {
            ids,
            total: specs.len(),
            specs: Arc::new(specs.into_iter().map(|s| (s.id.clone(), s)).collect()),
            evidence,
            report_dir,
            strict,
            shared: Arc::default(),
            started: Arc::default(),
        }
    }

    /// The records so far, in the order the checks finished, each check not exercised
    /// linked to the failed checks that explain it.
    pub fn records(&self) -> Vec<CheckRecord> {
        let mut records = self
            .shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .records
            .clone();
        link_blockers(&mut records);
        records
    }

    /// Feature files that did not parse.
    pub fn parse_errors(&self) -> Vec<String> {
        self.shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .parse_errors
            .clone()
    }

    fn scenario_event<W>(
        &self,
        at: SystemTime,
        feat: &gherkin::Feature,
        sc: &gherkin::Scenario,
        ev: &Scenario<W>,
    ) {
        let id = self.ids.get(feat, sc);
        let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        match ev {
            Scenario::Started => {
                started.insert(id, (at, None));
            }
            Scenario::Step(step, Step::Failed(_, _, _, err))
            | Scenario::Background(step, Step::Failed(_, _, _, err)) => {
                if let Some(entry) = started.get_mut(&id)
                    && entry.1.is_none()
                {
                    entry.1 = Some((format!("{}{}", step.keyword, step.value), step_error(err)));
                }
            }
            Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some(entry) = started.get_mut(&id)
                    && entry.1.is_none()
                {
                    entry.1 = Some((format!("{kind:?} hook"), panic_text(info)));
                }
            }
            Scenario::Finished => {
                let (t0, failure) = started.remove(&id).unwrap_or((at, None));
                drop(started);
                let Some(spec) = self.specs.get(&id).cloned() else {
                    return;
                };
                let evidence = self
                    .evidence
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id)
                    .unwrap_or_default();
                let outcome = match failure {
                    Some((step, message)) => StepOutcome::Failed { step, message },
                    None => StepOutcome::Passed,
                };
                let record = self.record(spec, &outcome, evidence, t0, at);
                let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
                shared.records.push(record);
                print_progress(
                    shared.records.len(),
                    self.total,
                    shared.records.last().expect("pushed"),
                );
            }
            _ => {}
        }
    }

    fn record(
        &self,
        spec: CheckSpec,
        outcome: &StepOutcome,
        ev: Evidence,
        t0: SystemTime,
        at: SystemTime,
    ) -> CheckRecord {
        let facts = Facts {
            journal: ev.journal,
            callback_delivered: ev.callback_delivered,
            crash: ev.crash,
            not_applicable: ev.not_applicable,
            not_exercised: ev.not_exercised,
            warnings: ev.warnings,
            cli: ev.cli,
            api: ev.api,
        };
        let j = verdict::judge(&spec, outcome, &facts, self.strict);
        CheckRecord {
            files: Files {
                dir: self.report_dir.join(&spec.id),
                screenshot: ev.screenshot,
                page_text: ev.page_text_file,
                app_log: ev.app_log,
            },
            spec,
            verdict: j.verdict,
            reason: j.reason,
            failed_step: j.failed_step,
            blocked_by: Vec::new(),
            warnings: facts.warnings,
            notes: ev.notes,
            scenario_mistake: ev.scenario_mistake,
            observation: ev.observation,
            cli: facts.cli,
            api: facts.api,
            journal: facts.journal,
            started_at: chrono::DateTime::<chrono::Utc>::from(t0).to_rfc3339(),
            duration_ms: at.duration_since(t0).unwrap_or_default().as_millis() as u64,
        }
    }
}

/// Where a sign-in stopped, from its journal: the furthest stage reached and the last
/// error the IdP answered.
fn stop_point(journal: &[JournalEntry]) -> (u8, Option<&str>) {
    let stage = journal
        .iter()
        .map(|e| match e.endpoint {
            Endpoint::Authorize => 1,
            Endpoint::Login => 2,
            Endpoint::Token if e.status == 200 => 4,
            Endpoint::Token => 3,
            Endpoint::Userinfo => 5,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let error = journal.iter().rev().find_map(|e| e.error.as_deref());
    (stage, error)
}

/// Links each check not exercised to the failed checks whose sign-in stopped at the same
/// point (the same stage, the same IdP error): they name the cause and its fix.
pub fn link_blockers(records: &mut [CheckRecord]) {
    let failed: Vec<((u8, Option<String>), String)> = records
        .iter()
        .filter(|r| r.verdict == Verdict::Failed)
        .map(|r| {
            let (stage, error) = stop_point(&r.journal);
            ((stage, error.map(str::to_string)), r.spec.id.clone())
        })
        .collect();
    for r in records
        .iter_mut()
        .filter(|r| r.verdict == Verdict::NotExercised)
    {
        let (stage, error) = stop_point(&r.journal);
        let point = (stage, error.map(str::to_string));
        let mut ids: Vec<String> = failed
            .iter()
            .filter(|(p, id)| *p == point && *id != r.spec.id)
            .map(|(_, id)| id.clone())
            .collect();
        ids.sort();
        r.blocked_by = ids;
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "(no message)".into()
    }
}

fn step_error(err: &event::StepError) -> String {
    match err {
        event::StepError::Panic(info) => panic_text(info),
        event::StepError::NotFound => {
            "no step definition matches this step (see the README's step vocabulary)".into()
        }
        other => other.to_string(),
    }
}

impl<W: std::fmt::Debug> Writer<W> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        match event {
            Err(e) => {
                self.shared
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .parse_errors
                    .push(e.to_string());
            }
            Ok(ev) => match &ev.value {
                Cucumber::Feature(feat, Feature::Scenario(sc, retryable)) => {
                    self.scenario_event(ev.at, feat, sc, &retryable.event)
                }
                Cucumber::Feature(feat, Feature::Rule(_, Rule::Scenario(sc, retryable))) => {
                    self.scenario_event(ev.at, feat, sc, &retryable.event)
                }
                _ => {}
            },
        }
    }
}

impl cucumber::writer::NonTransforming for Collector {}

/// How many checks ended how: the closing line's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passed, warned included (a `should` check never fails the run without `--strict`).
    pub passed: usize,
    /// Of those, how many warned.
    pub warned: usize,
    /// Failed.
    pub failed: usize,
    /// Not exercised.
    pub not_exercised: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

impl Counts {
    /// Counts of `records`.
    pub fn of(records: &[CheckRecord]) -> Counts {
        let n = |v: Verdict| records.iter().filter(|r| r.verdict == v).count();
        Counts {
            passed: n(Verdict::Passed) + n(Verdict::Warned),
            warned: n(Verdict::Warned),
            failed: n(Verdict::Failed),
            not_exercised: n(Verdict::NotExercised),
            not_applicable: n(Verdict::NotApplicable),
        }
    }

    /// Skipped in the closing line: not exercised and not applicable.
    pub fn skipped(&self) -> usize {
        self.not_exercised + self.not_applicable
    }

    /// The closing line: `N passed, N failed` (`, N skipped` when any were).
    pub fn closing_line(&self) -> String {
        if self.skipped() > 0 {
            format!(
                "{} passed, {} failed, {} skipped",
                self.passed,
                self.failed,
                self.skipped()
            )
        } else {
            format!("{} passed, {} failed", self.passed, self.failed)
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Records for the reporters' snapshot tests.
    use super::*;
    use crate::check::{Exercise, Level};

    fn spec(id: &str, name: &str, level: Level, exercised_by: Exercise) -> CheckSpec {
        CheckSpec {
            id: id.into(),
            area: id.split('.').next().unwrap_or_default().into(),
            name: name.into(),
            feature: "Feature".into(),
            location: format!("features/{}.feature:7", id.replace('.', "/")),
            tags: vec!["jumpcloud".into()],
            level,
            level_source: "OIDC Core §3.1.2.1".into(),
            exercised_by,
            target: crate::check::Target::App,
            source: "fosite".into(),
            why: "JumpCloud refuses it.".into(),
            fix: "Auth.js: add `checks: [\"pkce\", \"state\"]`.".into(),
        }
    }

    /// Compares a view with its committed snapshot in `src/report/snapshots/`;
    /// `STICKLER_BLESS=1` writes the snapshot instead (review the diff).
    pub fn pinned(name: &str, actual: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/report/snapshots")
            .join(name);
        if std::env::var_os("STICKLER_BLESS").is_some() {
            std::fs::write(&path, actual).expect("write snapshot");
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == actual,
            "{name} changed (STICKLER_BLESS=1 to accept); new text:\n{actual}"
        );
    }

    /// One record of each verdict.
    pub fn records() -> Vec<CheckRecord> {
        let base = |spec: CheckSpec, verdict: Verdict| CheckRecord {
            files: Files {
                dir: PathBuf::from("stickler-report").join(&spec.id),
                ..Default::default()
            },
            spec,
            verdict,
            reason: None,
            failed_step: None,
            blocked_by: vec![],
            cli: None,
            api: vec![],
            warnings: vec![],
            notes: vec![],
            observation: None,
            journal: vec![],
            scenario_mistake: None,
            started_at: "2026-12-02T03:00:00+00:00".into(),
            duration_ms: 1500,
        };
        let mut failed = base(
            spec(
                "jumpcloud.state.1",
                "The app sends a state",
                Level::Must,
                Exercise::Authorize,
            ),
            Verdict::Failed,
        );
        failed.reason = Some("the app sent no `state`".into());
        failed.failed_step = Some("Then the app sent a state of at least 8 characters".into());
        failed.files.screenshot = Some(PathBuf::from(
            "stickler-report/jumpcloud.state.1/screenshot.png",
        ));
        let mut warned = base(
            spec(
                "id_token.claims.5",
                "The app refuses a bad at_hash",
                Level::Should,
                Exercise::IdToken,
            ),
            Verdict::Warned,
        );
        warned.reason = Some("the app signed the user in".into());
        warned.failed_step = Some("Then the app refuses the sign-in visibly".into());
        let mut passed = base(
            spec(
                "id_token.signature.1",
                "The app refuses a bad signature",
                Level::Must,
                Exercise::IdToken,
            ),
            Verdict::Passed,
        );
        passed.warnings.push(Warning {
            kind: "refused with an HTTP 5xx page".into(),
            detail: "HTTP 500 at http://127.0.0.1:3000/api/auth/error".into(),
        });
        let mut skipped = base(
            spec(
                "userinfo.userinfo.1",
                "The app refuses another subject",
                Level::Must,
                Exercise::Userinfo,
            ),
            Verdict::NotExercised,
        );
        skipped.reason = Some("the app never called userinfo".into());
        skipped.blocked_by = vec!["jumpcloud.state.1".into()];
        let mut na = base(
            spec(
                "jumpcloud.client_auth.2",
                "Basic only",
                Level::Must,
                Exercise::TokenRequest,
            ),
            Verdict::NotApplicable,
        );
        na.reason = Some("the app is wired to client_secret_post".into());
        vec![failed, warned, passed, skipped, na]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_line_counts_warnings_as_passes_and_skips_apart() {
        let c = Counts::of(&fixtures::records());
        assert_eq!(c.closing_line(), "2 passed, 1 failed, 2 skipped");
        assert_eq!(c.warned, 1);
    }

    #[test]
    fn blockers_are_failed_checks_that_stopped_at_the_same_point() {
        let stop = |error: &str| JournalEntry {
            endpoint: Endpoint::Authorize,
            status: 303,
            error: Some(error.into()),
            ..Default::default()
        };
        let mut rs = fixtures::records();
        rs[3].blocked_by.clear();
        rs[3].journal = vec![stop("invalid_state")];
        rs[0].journal = vec![stop("invalid_state")];
        link_blockers(&mut rs);
        assert_eq!(rs[3].blocked_by, vec!["jumpcloud.state.1".to_string()]);
        rs[0].journal = vec![stop("access_denied")];
        link_blockers(&mut rs);
        assert!(rs[3].blocked_by.is_empty());
    }
}
