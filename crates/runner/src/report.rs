//! Reports. A cucumber [`Writer`] turns the event stream into one [`CheckResult`] per
//! scenario and prints a progress line as each finishes; the console summary with
//! diagnoses, the JUnit XML and the JSON file are views of those results.

use crate::evidence::Evidence;
use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step};
use cucumber::{Event, Writer, cli, gherkin, parser};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step or hook failed.
    Failed,
    /// Not run.
    Skipped,
}

/// The result of one check (one Gherkin scenario).
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Key of its evidence folder in the report directory.
    pub key: String,
    /// Feature name.
    pub feature: String,
    /// Scenario name.
    pub name: String,
    /// `file:line`.
    pub location: String,
    /// Tags without `@`.
    pub tags: Vec<String>,
    /// The scenario's description: why the IdP behaves so, and how to fix the app.
    pub explanation: String,
    /// Outcome.
    pub status: Status,
    /// The failing step, as written.
    pub failed_step: Option<String>,
    /// What was observed.
    pub message: Option<String>,
    /// Wall time.
    pub duration_ms: u128,
}

/// The key of a scenario's evidence folder: file stem and line.
pub fn check_key(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> String {
    let stem = feature
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "feature".into());
    format!("{stem}-{}", scenario.position.line)
}

/// A check in progress: when it started, and its first failure (step, message).
type Running = (SystemTime, Option<(String, String)>);

#[derive(Debug, Default)]
struct Shared {
    results: Vec<CheckResult>,
    parse_errors: Vec<String>,
}

/// The cucumber writer.
#[derive(Debug, Clone, Default)]
pub struct Collector {
    shared: Arc<Mutex<Shared>>,
    started: Arc<Mutex<HashMap<String, Running>>>,
}

impl Collector {
    /// Results so far.
    pub fn results(&self) -> Vec<CheckResult> {
        self.shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .results
            .clone()
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
        let key = check_key(feat, sc);
        let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        match ev {
            Scenario::Started => {
                started.insert(key, (at, None));
            }
            Scenario::Step(step, Step::Failed(_, _, _, err))
            | Scenario::Background(step, Step::Failed(_, _, _, err)) => {
                if let Some(entry) = started.get_mut(&key)
                    && entry.1.is_none()
                {
                    entry.1 = Some((format!("{}{}", step.keyword, step.value), step_error(err)));
                }
            }
            Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some(entry) = started.get_mut(&key)
                    && entry.1.is_none()
                {
                    entry.1 = Some((format!("{kind:?} hook"), panic_text(info)));
                }
            }
            Scenario::Finished => {
                let (t0, failure) = started.remove(&key).unwrap_or((at, None));
                let result = CheckResult {
                    key,
                    feature: feat.name.clone(),
                    name: sc.name.clone(),
                    location: format!("{}:{}", relative(feat.path.as_deref()), sc.position.line),
                    tags: feat.tags.iter().chain(&sc.tags).cloned().collect(),
                    explanation: sc.description.clone().unwrap_or_default(),
                    status: if failure.is_some() {
                        Status::Failed
                    } else {
                        Status::Passed
                    },
                    failed_step: failure.as_ref().map(|f| f.0.clone()),
                    message: failure.map(|f| f.1),
                    duration_ms: at.duration_since(t0).unwrap_or_default().as_millis(),
                };
                print_progress(&result);
                self.shared
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .results
                    .push(result);
            }
            _ => {}
        }
    }
}

/// A path relative to the working directory when it lies below it.
fn relative(path: Option<&Path>) -> String {
    let Some(p) = path else {
        return String::new();
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    p.strip_prefix(&cwd).unwrap_or(p).display().to_string()
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

fn mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "✓",
        Status::Failed => "✗",
        Status::Skipped => "-",
    }
}

fn print_progress(r: &CheckResult) {
    say!(
        "  {} {}  ({:.1} s)",
        mark(r.status),
        r.name,
        Duration::from_millis(r.duration_ms as u64).as_secs_f64()
    );
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{}", l.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints notes, diagnoses of failures, and the closing `N passed, N failed` line.
pub fn print_summary(results: &[CheckResult], report_dir: &Path) {
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    for r in results.iter().filter(|r| r.status == Status::Passed) {
        if let Some(ev) = Evidence::load(&report_dir.join(&r.key))
            && !ev.notes.is_empty()
        {
            say!("\n  {} {}", mark(r.status), r.name);
            for n in &ev.notes {
                say!("      note: {n}");
            }
        }
    }
    if !failed.is_empty() {
        say!("\nFailures:");
    }
    for r in &failed {
        let dir = report_dir.join(&r.key);
        let ev = Evidence::load(&dir).unwrap_or_default();
        say!("\n✗ {}  [{}]", r.name, r.location);
        if let Some(step) = &r.failed_step {
            say!("  step:      {step}");
        }
        if let Some(m) = &r.message {
            say!("  observed:  {}", indent(m, "             ").trim_start());
        }
        if let Some(o) = &ev.observation {
            let status = o.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            say!("  browser:   {}{status}", o.url);
            if !o.text.is_empty() {
                say!("  page text: {}", o.text);
            }
        }
        let lines = ev.journal_lines();
        if !lines.is_empty() {
            say!("  journal:");
            for l in lines
                .iter()
                .filter(|l| !l.contains(" discovery ") && !l.contains(" jwks "))
            {
                say!("    {l}");
            }
        }
        for n in &ev.notes {
            say!("  note:      {n}");
        }
        let files: Vec<String> = [
            ev.screenshot.clone(),
            ev.page_text_file.clone(),
            ev.app_log.clone(),
        ]
        .into_iter()
        .flatten()
        .map(|p: PathBuf| p.display().to_string())
        .collect();
        if !files.is_empty() {
            say!("  evidence:  {}", files.join(", "));
        }
        if !r.explanation.trim().is_empty() {
            say!("{}", indent(&r.explanation, "  "));
        }
    }
    let passed = results
        .iter()
        .filter(|r| r.status == Status::Passed)
        .count();
    let skipped = results
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .count();
    say!();
    if skipped > 0 {
        say!(
            "{passed} passed, {} failed, {skipped} skipped",
            failed.len()
        );
    } else {
        say!("{passed} passed, {} failed", failed.len());
    }
}

/// Writes the JUnit XML report: one suite per feature, one case per check.
pub fn write_junit(results: &[CheckResult], path: &Path) -> std::io::Result<()> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("stickler");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in results {
        let idx = match suites.iter().position(|s| s.name.as_str() == r.feature) {
            Some(i) => i,
            None => {
                suites.push(TestSuite::new(r.feature.clone()));
                suites.len() - 1
            }
        };
        let status = match r.status {
            Status::Passed => TestCaseStatus::success(),
            Status::Skipped => TestCaseStatus::skipped(),
            Status::Failed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(r.message.clone().unwrap_or_default());
                s.set_description(format!(
                    "{}\n{}\n\n{}",
                    r.failed_step.clone().unwrap_or_default(),
                    r.message.clone().unwrap_or_default(),
                    r.explanation
                ));
                s
            }
        };
        let mut case = TestCase::new(r.name.clone(), status);
        case.set_classname(r.location.clone());
        case.set_time(Duration::from_millis(r.duration_ms as u64));
        suites[idx].add_test_case(case);
    }
    report.add_test_suites(suites);
    let xml = report
        .to_string()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    std::fs::write(path, xml)
}

/// Writes the JSON report.
pub fn write_json(results: &[CheckResult], report_dir: &Path, path: &Path) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Check<'a> {
        #[serde(flatten)]
        result: &'a CheckResult,
        evidence: Option<Evidence>,
    }
    let checks: Vec<_> = results
        .iter()
        .map(|r| Check {
            result: r,
            evidence: Evidence::load(&report_dir.join(&r.key)),
        })
        .collect();
    let body = serde_json::json!({
        "passed": results.iter().filter(|r| r.status == Status::Passed).count(),
        "failed": results.iter().filter(|r| r.status == Status::Failed).count(),
        "skipped": results.iter().filter(|r| r.status == Status::Skipped).count(),
        "checks": checks,
    });
    std::fs::write(
        path,
        serde_json::to_vec_pretty(&body).map_err(std::io::Error::other)?,
    )
}
