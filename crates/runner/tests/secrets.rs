//! No secret the run used reaches what a user sees: the console, the JSON and JUnit
//! reports, and every file of the report folder (evidence, page text, app logs).
//! Generated client secrets are 64 hex characters; Hydra-style codes and tokens start
//! with `ory_ac_`, `ory_at_`, `ory_rt_`; ID tokens are JWTs (`eyJ...`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every secret-looking string in `text`.
fn secrets_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let token_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    let mut i = 0;
    while i < bytes.len() {
        if !token_char(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && token_char(bytes[i]) {
            i += 1;
        }
        let word: String = bytes[start..i].iter().collect();
        let hex64 = word.len() == 64 && word.chars().all(|c| c.is_ascii_hexdigit());
        let opaque = ["ory_ac_", "ory_at_", "ory_rt_"]
            .iter()
            .any(|p| word.starts_with(p) && word.len() > p.len() + 8);
        let jwt = word.starts_with("eyJ") && word.matches('.').count() >= 2 && word.len() > 40;
        if hex64 || opaque || jwt {
            found.push(word);
        }
    }
    found
}

#[test]
fn the_secret_finder_finds_what_it_must() {
    let s = "a 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef b ory_ac_abcdefghijk eyJhbGciOi.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl ***(43) ory_ac_";
    assert_eq!(secrets_in(s).len(), 3, "{:?}", secrets_in(s));
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_secret_reaches_the_console_the_reports_or_the_report_folder() {
    let dir = std::env::temp_dir().join(format!("stickler-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let report = dir.join("report");
    // A failing run leaves the most evidence: screenshot, page text, app log, journal.
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args([
            "run",
            "scenarios/demo-rp.toml",
            "--features",
            "features/jumpcloud/client_auth.feature",
            "--features",
            "features/callback",
            "--report-dir",
        ])
        .arg(&report)
        .arg("--json")
        .arg(report.join("report.json"))
        .arg("--junit")
        .arg(report.join("report.xml"))
        .env("DEMO_RP_BUGS", "auth-basic-always")
        .output()
        .expect("stickler runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let mut leaks: Vec<String> = Vec::new();
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        leaks.extend(secrets_in(text).into_iter().map(|s| format!("{name}: {s}")));
    }
    let mut all = Vec::new();
    files(&report, &mut all);
    assert!(all.iter().any(|p| p.ends_with("app.log")), "{all:?}");
    for f in &all {
        if f.extension().is_some_and(|e| e == "png") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned();
        leaks.extend(
            secrets_in(&text)
                .into_iter()
                .map(|s| format!("{}: {s}", f.display())),
        );
    }
    assert!(
        leaks.is_empty(),
        "secrets in what users see:\n{}",
        leaks.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
