//! The console view: a progress line per check as it ends, then failures with their
//! diagnosis, warnings, checks that did not count and why, warnings summed by kind, and
//! the closing `N passed, N failed, N skipped` line.

use super::{CheckRecord, Counts};
use crate::evidence::journal_line;
use crate::verdict::Verdict;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// The progress line of the `n`th of `total` checks.
pub fn progress_line(n: usize, total: usize, r: &CheckRecord) -> String {
    let mut line = format!(
        "  [{n}/{total}] {} {}  {}  ({:.1} s)",
        r.verdict.mark(),
        r.spec.id,
        r.spec.name,
        Duration::from_millis(r.duration_ms).as_secs_f64()
    );
    match r.verdict {
        Verdict::Passed | Verdict::Failed => {}
        other => {
            let _ = write!(line, "  {}", other.words());
        }
    }
    if !r.warnings.is_empty() {
        let _ = write!(line, "  (warning: {})", r.warnings[0].kind);
    }
    line
}

/// Prints the progress line of the `n`th of `total` checks.
pub fn print_progress(n: usize, total: usize, r: &CheckRecord) {
    say!("{}", progress_line(n, total, r));
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{}", l.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One field of a diagnosis: a label and a text wrapped under it.
fn field(out: &mut String, label: &str, text: &str) {
    let pad = " ".repeat(label.len() + 3);
    let _ = writeln!(out, "  {label}: {}", indent(text, &pad).trim_start());
}

fn diagnosis(out: &mut String, r: &CheckRecord) {
    let _ = writeln!(
        out,
        "\n{} {}  {}  [{}]",
        r.verdict.mark(),
        r.spec.id,
        r.spec.name,
        r.spec.location
    );
    field(
        out,
        "level",
        &format!("{} — {}", r.spec.level, r.spec.level_source),
    );
    if let Some(step) = &r.failed_step {
        field(out, "step", step);
    }
    if let Some(m) = &r.reason {
        field(out, "observed", m);
    }
    if let Some(o) = &r.observation {
        let status = o.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
        field(out, "browser", &format!("{}{status}", o.url));
        if !o.text.is_empty() {
            field(out, "page text", &o.text);
        }
    }
    let lines: Vec<String> = r
        .journal
        .iter()
        .filter(|e| !e.endpoint.is_metadata())
        .map(journal_line)
        .collect();
    if !lines.is_empty() {
        let _ = writeln!(out, "  journal:");
        for l in lines {
            let _ = writeln!(out, "    {l}");
        }
    }
    for n in &r.notes {
        field(out, "note", n);
    }
    let files: Vec<String> = [&r.files.screenshot, &r.files.page_text, &r.files.app_log]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    if !files.is_empty() {
        field(out, "evidence", &files.join(", "));
    }
    for (label, text) in [
        ("Why", &r.spec.why),
        ("Fix", &r.spec.fix),
        ("Source", &r.spec.source),
    ] {
        if !text.is_empty() {
            field(out, label, text);
        }
    }
}

/// The report after the progress lines, as text.
pub fn summary(records: &[CheckRecord]) -> String {
    let mut out = String::new();
    let of = |v: Verdict| records.iter().filter(move |r| r.verdict == v);
    for r in of(Verdict::Passed).filter(|r| !r.notes.is_empty()) {
        let _ = writeln!(
            out,
            "\n  {} {}  {}",
            r.verdict.mark(),
            r.spec.id,
            r.spec.name
        );
        for n in &r.notes {
            let _ = writeln!(out, "      note: {n}");
        }
    }
    if of(Verdict::Failed).next().is_some() {
        let _ = writeln!(out, "\nFailures:");
    }
    for r in of(Verdict::Failed) {
        diagnosis(&mut out, r);
    }
    if of(Verdict::Warned).next().is_some() {
        let _ = writeln!(
            out,
            "\nWarnings (`should` checks that did not hold; they fail the run only with --strict):"
        );
    }
    for r in of(Verdict::Warned) {
        diagnosis(&mut out, r);
    }
    let skipped: Vec<&CheckRecord> = records.iter().filter(|r| r.verdict.is_skip()).collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\nNot counted (no verdict either way):");
    }
    for r in skipped {
        let mut why = r.reason.clone().unwrap_or_default();
        if !r.blocked_by.is_empty() {
            let _ = write!(why, " — see {}", r.blocked_by.join(", "));
        }
        let _ = writeln!(
            out,
            "  - {}  {}: {}: {why}",
            r.spec.id,
            r.spec.name,
            r.verdict.words()
        );
    }
    // Warnings of checks that passed, once per kind.
    let mut kinds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in records {
        for w in &r.warnings {
            kinds.entry(&w.kind).or_default().push(&r.spec.id);
        }
    }
    if !kinds.is_empty() {
        let _ = writeln!(out, "\nPassed with warnings:");
    }
    for (kind, ids) in kinds {
        let _ = writeln!(
            out,
            "  {kind}: {} check{} ({})",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", ")
        );
    }
    let counts = Counts::of(records);
    let _ = writeln!(out);
    if counts.warned > 0 {
        let _ = writeln!(
            out,
            "({} of the passed checks warned: `should` level)",
            counts.warned
        );
    }
    let _ = writeln!(out, "{}", counts.closing_line());
    out
}

/// Prints the report after the progress lines.
pub fn print_summary(records: &[CheckRecord]) {
    let text = summary(records);
    say!("{}", text.trim_end_matches('\n'));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The console view of one record of each verdict, pinned.
    #[test]
    fn the_console_view_is_pinned() {
        let rs = super::super::fixtures::records();
        let mut text = String::new();
        for (i, r) in rs.iter().enumerate() {
            text.push_str(&progress_line(i + 1, rs.len(), r));
            text.push('\n');
        }
        text.push_str(&summary(&rs));
        super::super::fixtures::pinned("console.txt", &text);
    }
}
