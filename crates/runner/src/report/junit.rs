//! The JUnit view: one suite per area, one case per check (`classname` = area, name =
//! `id: name`), in the shape of the Jenkins xunit plugin's junit-10 schema: suites carry
//! their start (`timestamp`), `time` and `skipped` count, cases their `time` (the schema
//! has no case `timestamp`, so a case's start is in its `system-out`). Failures carry the
//! diagnosis, checks that did not count are `<skipped>` with why, and `system-out` holds
//! the level, warnings and the screenshot as a `[[ATTACHMENT|path]]` line.

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
                let mut message = format!("{}: {reason}", r.verdict.words());
                if !r.blocked_by.is_empty() {
                    let _ = write!(message, " — see {}", r.blocked_by.join(", "));
                }
                s.set_message(message);
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
            "{} {}\nlevel: {} — {}\nverdict: {}\nstarted: {}\n",
            r.spec.id,
            r.spec.location,
            r.spec.level,
            r.spec.level_source,
            r.verdict.words(),
            r.started_at
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
        case.set_system_out(out);
        let suite = &mut suites[idx];
        suite.add_test_case(case);
        // A suite starts with its first check and lasts as long as its checks together.
        let time = suite.time.unwrap_or_default() + Duration::from_millis(r.duration_ms);
        suite.set_time(time);
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&r.started_at)
            && suite.timestamp.is_none_or(|first| t < first)
        {
            suite.set_timestamp(t);
        }
    }
    let total = suites.iter().filter_map(|s| s.time).sum();
    report.set_time(total);
    report.add_test_suites(suites);
    let xml = report.to_string().map_err(|e| e.to_string())?;
    Ok(disabled_to_skipped(&xml))
}

/// quick-junit writes a suite's skipped cases as `disabled`, which the junit-10 schema
/// refuses; the same count is its `skipped`.
fn disabled_to_skipped(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    // Text and attribute values are escaped, so `<testsuite ` only starts a suite's tag.
    while let Some(i) = rest.find("<testsuite ") {
        let (head, tail) = rest.split_at(i);
        let end = tail.find('>').unwrap_or(tail.len());
        out.push_str(head);
        out.push_str(&tail[..end].replacen(" disabled=\"", " skipped=\"", 1));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Writes the JUnit XML report.
pub fn write_junit(records: &[CheckRecord], path: &Path) -> std::io::Result<()> {
    let xml = junit_xml(records).map_err(std::io::Error::other)?;
    std::fs::write(path, xml)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn the_junit_view_is_pinned() {
        let xml = super::junit_xml(&fixtures::records()).expect("xml");
        fixtures::pinned("junit.xml", &xml);
    }

    /// Against `tests/fixtures/junit-10.xsd`, the Jenkins xunit plugin's JUnit schema,
    /// with `xmllint` (libxml2-utils); without it the test says so and passes.
    #[test]
    fn the_junit_view_validates_against_the_xunit_junit_10_schema() {
        if std::process::Command::new("xmllint")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipped: no xmllint (apt-get install libxml2-utils)");
            return;
        }
        let mut rs = fixtures::records();
        rs[0].reason = Some("control \u{1} and <markup> & \"quotes\"".into());
        let xml = super::junit_xml(&rs).expect("xml");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("junit.xml");
        std::fs::write(&file, &xml).expect("write");
        let xsd =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .arg(&file)
            .output()
            .expect("xmllint runs");
        assert!(
            out.status.success(),
            "{}\n{xml}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!xml.contains("disabled="), "{xml}");
    }
}
