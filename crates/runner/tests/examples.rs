//! The examples' pinned verdicts: each example configuration (`examples/<app>/*.toml`
//! with its `*.verdicts.toml`) runs the whole suite through the real binary, browser and
//! IdP, on a real relying-party library, and every check's verdict must be the one
//! committed, with the library behaviour that explains it. A shipped check without an
//! expected verdict for every example fails too: the checks of every target its scenario
//! file describes (`[app]` → the web checks, `[cli]` → the device-flow checks, `[api]` →
//! the bearer-token checks).
//!
//! The examples' dependencies come from `scripts/examples-setup` (which `.ci/run` calls);
//! without them this test fails and says to run it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `stickler checks --json`: every shipped check with its texts.
fn every_check() -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args(["checks", "--json"])
        .output()
        .expect("stickler checks runs");
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    checks.as_array().expect("a list").clone()
}

/// The targets a scenario file describes (`app`, `cli`, `api`: its tables of those names).
fn targets_of(scenario: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(scenario).unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    let table: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    ["app", "cli", "api"]
        .into_iter()
        .filter(|t| table.contains_key(*t))
        .map(str::to_string)
        .collect()
}

/// Every shipped check id of the given targets (`Target:` in the feature files): a run
/// leaves out the checks of targets its scenario file does not describe.
fn shipped(checks: &[serde_json::Value], targets: &[String]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| targets.iter().any(|t| c["target"] == t.as_str()))
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect()
}

/// One example configuration's pinned verdicts.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Pinned {
    /// The scenario file, relative to the verdicts file.
    scenario: String,
    /// What must be installed first, said when it is missing.
    #[serde(default)]
    needs: Option<String>,
    /// Check id → expected verdict and why.
    verdicts: BTreeMap<String, Expected>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    verdict: String,
    /// The library behaviour behind a verdict that is not a plain pass (file or doc,
    /// version).
    #[serde(default)]
    why: Option<String>,
}

fn pinned_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(apps) = std::fs::read_dir(workspace().join("examples")) else {
        return out;
    };
    for app in apps.flatten().filter(|e| e.path().is_dir()) {
        for f in std::fs::read_dir(app.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let p = f.path();
            if p.to_string_lossy().ends_with(".verdicts.toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load(path: &Path) -> Pinned {
    let text = std::fs::read_to_string(path).expect("readable");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every example lists every shipped check, and explains every verdict that is not a
/// plain pass. Fast: no browser.
#[test]
fn every_example_pins_every_check_and_explains_each_non_pass() {
    let checks = every_check();
    let files = pinned_files();
    assert!(files.len() >= 3, "pinned example configurations: {files:?}");
    let mut problems = Vec::new();
    for f in &files {
        let p = load(f);
        assert!(
            f.with_file_name(&p.scenario).exists(),
            "{}: no {}",
            f.display(),
            p.scenario
        );
        let targets = targets_of(&f.with_file_name(&p.scenario));
        assert!(!targets.is_empty(), "{}: describes no target", p.scenario);
        let ids = shipped(&checks, &targets);
        for id in &ids {
            match p.verdicts.get(id) {
                None => problems.push(format!("{}: no expected verdict for `{id}`", f.display())),
                Some(e)
                    if e.verdict != "passed"
                        && e.why.as_deref().unwrap_or("").trim().is_empty() =>
                {
                    problems.push(format!(
                        "{}: `{id}` is {} without a `why`",
                        f.display(),
                        e.verdict
                    ))
                }
                _ => {}
            }
        }
        for id in p.verdicts.keys().filter(|k| !ids.contains(k)) {
            problems.push(format!(
                "{}: `{id}` is no shipped check of its targets ({})",
                f.display(),
                targets.join(", ")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs each example configuration and compares every verdict with the pinned one.
/// `STICKLER_EXAMPLES=device-cli-go/,django/` runs only the configurations whose path
/// under `examples/` contains one of those words (while working on one example).
#[test]
fn every_example_gives_its_pinned_verdicts() {
    let only: Vec<String> = std::env::var("STICKLER_EXAMPLES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut problems = Vec::new();
    let mut ran = 0;
    for f in pinned_files() {
        let label = f
            .strip_prefix(workspace().join("examples"))
            .unwrap_or(&f)
            .display()
            .to_string();
        if !only.is_empty() && !only.iter().any(|w| label.contains(w.as_str())) {
            continue;
        }
        ran += 1;
        let p = load(&f);
        let scenario = f.with_file_name(&p.scenario);
        let dir = std::env::temp_dir().join(format!(
            "stickler-example-{}-{}",
            std::process::id(),
            label.replace('/', "-")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let json = dir.join("report.json");
        let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
            .current_dir(workspace())
            .arg("run")
            .arg(&scenario)
            .args(["--features", "features", "--report-dir"])
            .arg(&dir)
            .arg("--json")
            .arg(&json)
            .output()
            .expect("stickler runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let Some(report) = std::fs::read(&json)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        else {
            problems.push(format!(
                "{label}: no report (exit {:?}); {}\n{stderr}",
                out.status.code(),
                p.needs
                    .as_deref()
                    .unwrap_or("run scripts/examples-setup first")
            ));
            continue;
        };
        let checks = report["checks"].as_array().cloned().unwrap_or_default();
        for (id, want) in &p.verdicts {
            let got = checks.iter().find(|c| c["id"] == id.as_str());
            let verdict = got.and_then(|c| c["verdict"].as_str()).unwrap_or("not run");
            if verdict != want.verdict {
                let reason = got.and_then(|c| c["reason"].as_str()).unwrap_or("");
                let evidence = got.and_then(|c| c["files"]["dir"].as_str()).unwrap_or("-");
                problems.push(format!(
                    "{label}: {id}: expected {}, got {verdict} ({reason}) — evidence {evidence}",
                    want.verdict
                ));
            }
        }
        if problems.iter().any(|m| m.starts_with(&label)) {
            problems.push(stdout);
        }
    }
    assert!(
        ran > 0,
        "STICKLER_EXAMPLES={only:?} names no pinned configuration"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The relying-party libraries a Fix text may name, each with the example or demo app
/// that runs it in this project's tests, so that every library-specific sentence is
/// checked against the library itself (an example's pinned verdicts, or the demo app's
/// self-test). A library named in a Fix without a row here is a claim nothing proves.
const PROVEN_LIBRARIES: &[(&str, &str)] = &[
    ("Auth.js", "examples/nextauth"),
    ("next-auth", "examples/nextauth"),
    ("@auth/core", "examples/nextauth"),
    ("oauth4webapi", "examples/openid-client"),
    ("openid-client", "examples/openid-client"),
    ("mozilla-django-oidc", "examples/django"),
    ("PyJWT", "examples/api-pyjwt"),
    ("go-oidc", "examples/go-oidc"),
    ("go-oidc", "examples/go-oidc-api"),
    ("x/oauth2", "examples/go-oidc"),
    ("x/oauth2", "examples/device-cli-go"),
    ("openidconnect-rs", "crates/demo-rp"),
];

/// Libraries users ask about that no example runs yet: a Fix must not name them.
const UNPROVEN_LIBRARIES: &[&str] = &[
    "Spring",
    "jsonwebtoken",
    "python-jose",
    "Authlib",
    "passport",
    "omniauth",
    "MSAL",
    "jose `",
    "jose's",
];

#[test]
fn fix_texts_name_only_libraries_an_example_runs() {
    for (_, home) in PROVEN_LIBRARIES {
        assert!(workspace().join(home).is_dir(), "{home} is gone");
    }
    let mut problems = Vec::new();
    for check in &every_check() {
        let id = check["id"].as_str().unwrap_or("?");
        let fix = check["fix"].as_str().unwrap_or("");
        for name in UNPROVEN_LIBRARIES {
            if fix.contains(name) {
                problems.push(format!(
                    "{id}: the Fix names `{}`, which no example runs; prove it with an example \
                     (and a row in PROVEN_LIBRARIES) or say it without the library",
                    name.trim_end_matches([' ', '`', '\''])
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
