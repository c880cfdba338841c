//! The JUnit view: one suite per area, one case per check (`classname` = area, name =
//! `id: name`), with its start time and duration; failures carry the diagnosis, checks
//! that did not count are `<skipped>` with why, and `system-out` holds the level,
//! warnings and the screenshot as a `[[ATTACHMENT|path]]` line.

use super::CheckRecord;
use crate::verdict::Verdict;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// The JUnit XML of `records`.
pub fn junit_xml(records: &[CheckRecord]) -> Result<String, String> {
    let mut report = Report::new("stickler");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in records {
        let idx = match suites.iter().position(|s| s.name.as_str() == r.spec.area) {
            Some(i) => i,
            None => {
                suites.push(TestSuite::new(r.spec.area.clone()));
                suites.len() - 1
            }
        };
        let reason = r.reason.clone().unwrap_or_default();
        let status = match r.verdict {
            Verdict::Passed | Verdict::Warned => TestCaseStatus::success(),
            Verdict::NotExercised | Verdict::NotApplicable => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("{}: {reason}", r.verdict.words()));
                s
            }
            Verdict::Failed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(reason.clone());
                s.set_description(format!(
                    "{}\n{reason}\n\nWhy: {}\nFix: {}\nSource: {}",
                    r.failed_step.clone().unwrap_or_default(),
                    r.spec.why,
                    r.spec.fix,
                    r.spec.source
                ));
                s
            }
        };
        let mut out = format!(
            "{} {}\nlevel: {} — {}\nverdict: {}\n",
            r.spec.id,
            r.spec.location,
            r.spec.level,
            r.spec.level_source,
            r.verdict.words()
        );
        if r.verdict == Verdict::Warned {
            let _ = writeln!(out, "warning: {reason}\nFix: {}", r.spec.fix);
        }
        for w in &r.warnings {
            let _ = writeln!(out, "warning: {}: {}", w.kind, w.detail);
        }
        if let Some(shot) = &r.files.screenshot {
            let _ = writeln!(out, "[[ATTACHMENT|{}]]", shot.display());
        }
        let mut case = TestCase::new(format!("{}: {}", r.spec.id, r.spec.name), status);
        case.set_classname(r.spec.area.clone());
        case.set_time(Duration::from_millis(r.duration_ms));
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&r.started_at) {
            case.set_timestamp(t);
        }
        case.set_system_out(out);
        suites[idx].add_test_case(case);
    }
    report.add_test_suites(suites);
    report.to_string().map_err(|e| e.to_string())
}

/// Writes the JUnit XML report.
pub fn write_junit(records: &[CheckRecord], path: &Path) -> std::io::Result<()> {
    let xml = junit_xml(records).map_err(std::io::Error::other)?;
    std::fs::write(path, xml)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_junit_view_is_pinned() {
        let xml = super::junit_xml(&super::super::fixtures::records()).expect("xml");
        super::super::fixtures::pinned("junit.xml", &xml);
    }
}
