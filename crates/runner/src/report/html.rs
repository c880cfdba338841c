//! The HTML view: one self-contained page (inline CSS, screenshots embedded as `data:`
//! PNGs, nothing fetched, no script) with the run's counts by verdict, area and level,
//! then every check, failures first and open, with its diagnosis, Why / Fix / Source,
//! last page, screenshot, IdP journal as a timeline and the end of the app's log.

use super::{CheckRecord, Counts};
use crate::evidence::{Observation, Shown};
use crate::verdict::Verdict;
use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::BTreeMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use stickler_idp::JournalEntry;
#[cfg(test)]
use stickler_idp::{Endpoint, Outcome};

/// Lines of the app's log shown under a check.
const LOG_LINES: usize = 40;
/// How far from the end of the app's log to look for them.
const LOG_TAIL_BYTES: u64 = 64 * 1024;

/// Verdicts in the order the summary shows them.
const VERDICTS: [Verdict; 5] = [
    Verdict::Failed,
    Verdict::Warned,
    Verdict::Passed,
    Verdict::NotExercised,
    Verdict::NotApplicable,
];

/// The page's sections: anchor, heading, and the verdicts they hold.
const SECTIONS: [(&str, &str, &[Verdict]); 4] = [
    ("failures", "Failures", &[Verdict::Failed]),
    (
        "warnings",
        "Warnings: should checks that did not hold (they fail the run only with --strict)",
        &[Verdict::Warned],
    ),
    (
        "not-counted",
        "Not counted (no verdict either way)",
        &[Verdict::NotExercised, Verdict::NotApplicable],
    ),
    ("passed", "Passed", &[Verdict::Passed]),
];

/// Tags that start a line of the page's source.
const BREAK_BEFORE: [&str; 11] = [
    "<body",
    "<header",
    "<section",
    "<h2",
    "<details class=\"check",
    "<dt",
    "<h3",
    "<tr",
    "<pre",
    "<figure",
    "<p ",
];

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#fff;--soft:#f5f6f9;
--failed:#c62828;--warned:#b26a00;--passed:#2e7d32;--not-exercised:#607086;--not-applicable:#7a6f92}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1180px;padding:24px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{margin:0 0 4px;font-size:26px}h2{margin:32px 0 12px;font-size:20px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:18px 0 6px;font-size:15px}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:var(--soft);padding:1px 4px;border-radius:3px}
pre{background:var(--soft);padding:10px;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-word;margin:0}
.closing{font-size:18px;font-weight:600;margin:0}.meta,.note{color:var(--muted);margin:4px 0}
.tiles{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:16px 0}
.tile{min-width:150px;padding:10px 14px;border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px}
.tile .n{display:block;font-size:28px;font-weight:700;color:var(--c)}.tile.zero{opacity:.55}
.failed{--c:var(--failed)}.warned{--c:var(--warned)}.passed{--c:var(--passed)}
.not-exercised{--c:var(--not-exercised)}.not-applicable{--c:var(--not-applicable)}
.tables{display:flex;flex-wrap:wrap;gap:24px}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:13px}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.num.zero{color:#b8bec9}
details.check{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px;margin:10px 0;background:var(--bg)}
details.check>summary{cursor:pointer;padding:8px 12px;display:flex;flex-wrap:wrap;gap:10px;align-items:baseline}
details.check[open]>summary{border-bottom:1px solid var(--line);background:var(--soft)}
.badge{display:inline-block;min-width:108px;text-align:center;padding:0 8px;border-radius:10px;color:#fff;background:var(--c);font-size:13px;font-weight:600}
.check .why-short{color:var(--muted);font-size:13px}.check .warn-mark{color:var(--warned);font-size:13px;font-weight:600}.check .name{font-weight:600}.check .lvl,.check .dur{color:var(--muted);font-size:13px}.check .dur{margin-left:auto}
.body{padding:4px 16px 14px}
dl.facts{display:grid;grid-template-columns:140px minmax(0,1fr);gap:6px 14px;margin:10px 0}
dl.facts dt{color:var(--muted);font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
dd.fix{background:#eef6ee;border-radius:4px;padding:4px 8px}
ul.plain{margin:0;padding-left:18px}
img.screenshot{max-width:min(100%,760px);border:1px solid var(--line);border-radius:4px;display:block}
figure{margin:0}figcaption{color:var(--muted);font-size:13px}
table.journal{width:100%;font-size:13px}table.journal td{white-space:nowrap}
table.journal td.err,table.journal td.req{white-space:normal;overflow-wrap:anywhere}table.journal td.err{min-width:220px}table.journal td.req{width:40%}table.journal td.err{color:var(--failed)}
table.journal>tbody>tr.error>td:first-child{border-left:3px solid var(--failed)}
table.params td{border:0;padding:1px 8px 1px 0;white-space:normal}details.params>summary{white-space:nowrap;cursor:pointer}table.params td:first-child{white-space:nowrap}
.files{color:var(--muted);font-size:13px;margin-top:12px}
@media (prefers-color-scheme:dark){:root{--fg:#e3e6ec;--muted:#9aa3b2;--line:#3a4150;--bg:#161a22;--soft:#202634}
dd.fix{background:#1f3322}td.num.zero{color:#566}}
"#;

/// The CSS class of a verdict.
fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::Warned => "warned",
        Verdict::Failed => "failed",
        Verdict::NotExercised => "not-exercised",
        Verdict::NotApplicable => "not-applicable",
    }
}

/// Text with its `backticked` parts as code, as the feature files write them.
fn prose(text: &str) -> Markup {
    html! {
        @for (i, part) in text.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// An RFC 3339 time to the second, in UTC (as written when it does not parse).
fn when(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// One row of counts, one cell per verdict, and the total.
fn count_cells(records: &[&CheckRecord]) -> Markup {
    html! {
        @for v in VERDICTS {
            @let n = records.iter().filter(|r| r.verdict == v).count();
            td.num.zero[n == 0] { (n) }
        }
        td.num { (records.len()) }
    }
}

fn count_table(id: &str, first: &str, rows: &BTreeMap<String, Vec<&CheckRecord>>) -> Markup {
    html! {
        table id=(id) {
            thead { tr {
                th { (first) }
                @for v in VERDICTS { th.(class(v)) { (v.words()) } }
                th { "total" }
            } }
            tbody {
                @for (key, rs) in rows {
                    tr data-key=(key) { th { (key) } (count_cells(rs)) }
                }
            }
        }
    }
}

fn summary(records: &[CheckRecord]) -> Markup {
    let mut by_area: BTreeMap<String, Vec<&CheckRecord>> = BTreeMap::new();
    let mut by_level: BTreeMap<String, Vec<&CheckRecord>> = BTreeMap::new();
    for r in records {
        by_area.entry(r.spec.area.clone()).or_default().push(r);
        by_level
            .entry(r.spec.level.to_string())
            .or_default()
            .push(r);
    }
    html! {
        section id="summary" {
            ul.tiles {
                @for v in VERDICTS {
                    @let n = records.iter().filter(|r| r.verdict == v).count();
                    li.tile.(class(v)).zero[n == 0] {
                        span.n id=(format!("count-{}", class(v))) { (n) }
                        span.label { (v.words()) }
                    }
                }
            }
            p.note {
                "The closing line counts warned checks as passed, and not exercised and not \
                 applicable ones as skipped. A failed check fails the run; a warned one only with --strict."
            }
            div.tables {
                (count_table("by-area", "area", &by_area))
                (count_table("by-level", "level", &by_level))
            }
        }
    }
}

/// What the last page showed, in words.
fn shown(s: &Shown) -> Option<String> {
    match s {
        Shown::SignedIn(t) => Some(format!("the app's signed-in element: {t}")),
        Shown::AppError(t) => Some(format!("the app's error element: {t}")),
        Shown::IdpError(t) => Some(format!("the IdP's error page: {t}")),
        Shown::LoginError(t) => Some(format!("the IdP's login form with an error: {t}")),
        Shown::Nothing => None,
    }
}

fn last_page(o: &Observation) -> Markup {
    html! {
        h3 { "Last page" }
        dl.facts.page {
            dt { "URL" } dd { code.url { (o.url) } }
            dt { "HTTP status" }
            dd.status { @if let Some(s) = o.status { (s) } @else { "unknown" } }
            @if let Some(what) = shown(&o.shown) { dt { "Showed" } dd { (what) } }
        }
        @if !o.text.is_empty() { pre.page-text { (o.text) } }
    }
}

/// The screenshot as a `data:` URL, when the file exists and is a PNG.
fn screenshot_data(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    Some(format!("data:image/png;base64,{b64}"))
}

fn journal(entries: &[JournalEntry]) -> Markup {
    let t0 = entries.iter().map(|e| e.at_ms).min().unwrap_or(0);
    html! {
        h3 { "IdP journal" }
        table.journal {
            thead { tr {
                th { "time" } th { "method" } th { "endpoint" } th { "status" }
                th { "outcome" } th { "error" } th { "request" }
            } }
            tbody {
                @for e in entries {
                    tr.entry.error[e.error.is_some()] data-endpoint=(e.endpoint) {
                        td.num { "+" (format!("{:.3}", e.at_ms.saturating_sub(t0) as f64 / 1000.0)) " s" }
                        td { (e.method) }
                        td { code { (e.endpoint) } }
                        td.num { (e.status) }
                        td { (e.outcome) }
                        td.err {
                            @if let Some(err) = &e.error {
                                code { (err) }
                                @if let Some(d) = &e.error_description { ": " (d) }
                            }
                        }
                        td.req {
                            @if !e.params.is_empty() {
                                details.params {
                                    summary { (e.params.len()) " parameter" @if e.params.len() != 1 { "s" } }
                                    table.params {
                                        @for (k, v) in &e.params {
                                            tr { td { code { (k) } } td { code { (v) } } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Removes terminal colour codes (`ESC [ … letter`) from a log line.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.clone().next() == Some('[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The last [`LOG_LINES`] lines of a log file, when it exists and has any.
fn log_tail(path: &Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let from = len.saturating_sub(LOG_TAIL_BYTES);
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    if from > 0 && !lines.is_empty() {
        lines.remove(0); // cut mid-line
    }
    let start = lines.len().saturating_sub(LOG_LINES);
    let tail: Vec<String> = lines[start..].iter().map(|l| strip_ansi(l)).collect();
    let tail = tail.join("\n");
    (!tail.trim().is_empty()).then_some(tail)
}

fn check(r: &CheckRecord) -> Markup {
    let v = r.verdict;
    let reason_label = match v {
        Verdict::Failed | Verdict::Warned => "Observed",
        Verdict::NotExercised | Verdict::NotApplicable => "Why not counted",
        Verdict::Passed => "Reason",
    };
    let exercised = serde_json::to_value(r.spec.exercised_by)
        .ok()
        .and_then(|x| x.as_str().map(str::to_string))
        .unwrap_or_default();
    let shot = r.files.screenshot.as_deref().and_then(screenshot_data);
    let log = r.files.app_log.as_deref().and_then(log_tail);
    html! {
        details.check.(class(v)) id=(format!("check-{}", r.spec.id)) data-verdict=(class(v))
            open[matches!(v, Verdict::Failed | Verdict::Warned)] {
            summary {
                span.badge { (v.words()) }
                code.id { (r.spec.id) }
                span.name { (r.spec.name) }
                span.lvl { (r.spec.level) }
                @if let (true, Some(reason)) = (v.is_skip(), &r.reason) {
                    span.why-short { (prose(reason)) }
                }
                @if let Some(w) = r.warnings.first() {
                    span.warn-mark { "warning: " (w.kind) }
                }
                span.dur { (seconds(r.duration_ms)) }
            }
            div.body {
                dl.facts {
                    dt { "Level" }
                    dd.level { strong { (r.spec.level) } " — " (prose(&r.spec.level_source)) }
                    @if let Some(reason) = &r.reason {
                        dt { (reason_label) }
                        dd.reason {
                            (prose(reason))
                            @if !r.blocked_by.is_empty() {
                                " — see "
                                @for (i, id) in r.blocked_by.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    a.blocked-by href=(format!("#check-{id}")) { code { (id) } }
                                }
                            }
                        }
                    }
                    @if let Some(step) = &r.failed_step {
                        dt { "Failing step" } dd { code.step { (step) } }
                    }
                    @if !r.warnings.is_empty() {
                        dt { "Warnings" }
                        dd { ul.plain.warnings { @for w in &r.warnings {
                            li { strong { (w.kind) } ": " (w.detail) }
                        } } }
                    }
                    @if !r.notes.is_empty() {
                        dt { "Notes" }
                        dd { ul.plain.notes { @for n in &r.notes { li { (prose(n)) } } } }
                    }
                    @if !r.spec.why.is_empty() { dt { "Why" } dd.why { (prose(&r.spec.why)) } }
                    @if !r.spec.fix.is_empty() { dt { "Fix" } dd.fix { (prose(&r.spec.fix)) } }
                    @if !r.spec.source.is_empty() { dt { "Source" } dd.source { (prose(&r.spec.source)) } }
                    dt { "Exercised by" } dd { code { (exercised) } }
                    dt { "Feature" } dd { (r.spec.feature) " " code { (r.spec.location) } }
                    dt { "Started" } dd { (when(&r.started_at)) ", took " (seconds(r.duration_ms)) }
                }
                @if let Some(o) = &r.observation { (last_page(o)) }
                @if let Some(src) = &shot {
                    h3 { "Screenshot" }
                    figure {
                        img.screenshot src=(src) alt=(format!("The last page of {}", r.spec.id));
                        @if let Some(p) = &r.files.screenshot { figcaption { (p.display()) } }
                    }
                }
                @if !r.journal.is_empty() { (journal(&r.journal)) }
                @if let (Some(text), Some(p)) = (&log, &r.files.app_log) {
                    h3 { "App log " span.meta { "(the last lines of " code { (p.display()) } ")" } }
                    pre.app-log { (text) }
                }
                p.files {
                    "Files: " code { (r.files.dir.display()) }
                    @for p in [&r.files.screenshot, &r.files.page_text, &r.files.app_log].into_iter().flatten() {
                        ", " code { (p.display()) }
                    }
                }
            }
        }
    }
}

/// The HTML report of `records`.
pub fn html_report(records: &[CheckRecord]) -> String {
    let counts = Counts::of(records);
    let started = records.iter().map(|r| r.started_at.as_str()).min();
    let mut sorted: Vec<&CheckRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.spec.id.cmp(&b.spec.id));
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Stickler: " (counts.closing_line()) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "Stickler report" }
                    p.closing id="closing" { (counts.closing_line()) }
                    p.meta {
                        (records.len()) " check" @if records.len() != 1 { "s" }
                        @if let Some(t) = started { ", the first started at " (when(t)) }
                    }
                }
                (summary(records))
                @for (anchor, heading, verdicts) in SECTIONS {
                    @let here: Vec<&CheckRecord> = sorted.iter().copied()
                        .filter(|r| verdicts.contains(&r.verdict)).collect();
                    @if !here.is_empty() {
                        section id=(anchor) {
                            h2 { (heading) " (" (here.len()) ")" }
                            @for r in here { (check(r)) }
                        }
                    }
                }
            }
        }
    };
    // A line per block, for whoever reads the source (all text is escaped: a `<` here
    // starts a tag, and none of these is inside a `<pre>`).
    let mut text = page.into_string();
    for tag in BREAK_BEFORE {
        text = text.replace(tag, &format!("\n{tag}"));
    }
    text.push('\n');
    text
}

/// Writes the HTML report.
pub fn write_html(records: &[CheckRecord], path: &Path) -> std::io::Result<()> {
    std::fs::write(path, html_report(records))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;
    use crate::evidence::Observation;
    use std::path::PathBuf;

    /// The fixture records, the failed one with a last page, a journal and an app log.
    fn records() -> Vec<CheckRecord> {
        let mut rs = fixtures::records();
        let entry =
            |seq: u64, at_ms: u128, endpoint: Endpoint, method: &str, status: u16| JournalEntry {
                seq,
                at_ms,
                endpoint,
                method: method.into(),
                status,
                outcome: Outcome::Ok,
                ..Default::default()
            };
        let mut authorize = entry(2, 1_764_644_400_250, Endpoint::Authorize, "GET", 303);
        authorize.outcome = Outcome::ErrorRedirect;
        authorize.error = Some("invalid_state".into());
        authorize.error_description = Some("state must be at least 8 characters <long>".into());
        authorize.params = [
            ("client_id", "demo"),
            ("redirect_uri", "http://127.0.0.1:3000/callback"),
            ("response_type", "code"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        rs[0].journal = vec![
            entry(1, 1_764_644_400_000, Endpoint::Discovery, "GET", 200),
            authorize,
        ];
        rs[0].observation = Some(Observation {
            url: "http://127.0.0.1:3000/callback?error=invalid_state".into(),
            status: Some(500),
            shown: Shown::AppError("Sign-in failed".into()),
            text: "Sign-in failed: invalid_state <script>alert(1)</script>".into(),
        });
        rs[0].notes = vec!["the app used `client_secret_post`".into()];
        rs[0].files.app_log = Some(PathBuf::from("src/report/snapshots/fixture-app.log"));
        rs
    }

    #[test]
    fn the_html_view_is_pinned() {
        fixtures::pinned("report.html", &html_report(&records()));
    }

    #[test]
    fn the_page_is_self_contained_and_escaped() {
        let page = html_report(&records());
        for outside in ["<link", "<script", "src=\"http", "url(", "@import"] {
            assert!(!page.contains(outside), "{outside} in the page");
        }
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("at least 8 characters &lt;long&gt;"));
    }

    #[test]
    fn a_run_without_checks_is_a_page_with_zero_counts() {
        let page = html_report(&[]);
        assert!(page.contains("<p class=\"closing\" id=\"closing\">0 passed, 0 failed</p>"));
        assert!(page.contains("<span class=\"n\" id=\"count-failed\">0</span>"));
        assert!(!page.contains("<details"));
    }

    #[test]
    fn failures_come_first_and_open() {
        let page = html_report(&records());
        let at = |id: &str| page.find(&format!("id=\"check-{id}\"")).expect(id);
        assert!(at("jumpcloud.state.1") < at("id_token.claims.5"));
        assert!(at("id_token.claims.5") < at("userinfo.userinfo.1"));
        assert!(at("userinfo.userinfo.1") < at("id_token.signature.1"));
        assert!(page.contains("id=\"check-jumpcloud.state.1\" data-verdict=\"failed\" open"));
        assert!(!page.contains("data-verdict=\"passed\" open"));
        assert!(page.contains("href=\"#check-jumpcloud.state.1\""));
    }

    #[test]
    fn a_png_screenshot_is_embedded_and_anything_else_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("screenshot.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\nrest").unwrap();
        let mut rs = records();
        rs[0].files.screenshot = Some(png.clone());
        let page = html_report(&rs);
        assert!(page.contains("src=\"data:image/png;base64,iVBORw0KGgpyZXN0\""));
        std::fs::write(&png, b"not a png").unwrap();
        assert!(!html_report(&rs).contains("data:image"));
    }

    #[test]
    fn the_app_log_shows_its_last_lines_without_colour_codes() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let text: String = (1..=100)
            .map(|i| format!("\u{1b}[32mINFO\u{1b}[0m line {i}\n"))
            .collect();
        std::fs::write(&log, text).unwrap();
        let tail = log_tail(&log).expect("a tail");
        assert_eq!(tail.lines().count(), LOG_LINES);
        assert!(tail.starts_with("INFO line 61\n") && tail.ends_with("INFO line 100"));
        assert_eq!(log_tail(&dir.path().join("absent.log")), None);
    }
}
