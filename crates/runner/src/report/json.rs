//! The JSON view: the counts and every check's record (its id, level, verdict, reason,
//! warnings, evidence and files).

use super::{CheckRecord, Counts};
use std::path::Path;

/// The JSON report of `records`.
pub fn json_report(records: &[CheckRecord]) -> serde_json::Value {
    let c = Counts::of(records);
    serde_json::json!({
        "passed": c.passed,
        "warned": c.warned,
        "failed": c.failed,
        "skipped": c.skipped(),
        "not_exercised": c.not_exercised,
        "not_applicable": c.not_applicable,
        "checks": records,
    })
}

/// Writes the JSON report.
pub fn write_json(records: &[CheckRecord], path: &Path) -> std::io::Result<()> {
    let body = serde_json::to_vec_pretty(&json_report(records)).map_err(std::io::Error::other)?;
    std::fs::write(path, body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_json_view_is_pinned() {
        let v = super::json_report(&super::super::fixtures::records());
        let text = serde_json::to_string_pretty(&v).expect("json");
        super::super::fixtures::pinned("report.json", &text);
    }
}
