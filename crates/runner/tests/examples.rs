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

/// The targets an example configuration's scenario file describes.
fn targets_of_pinned(pinned: &Path) -> Vec<String> {
    let p = load(pinned);
    targets_of(&pinned.with_file_name(&p.scenario))
}

/// Whether an example configuration describes only an `[api]`: its run starts no browser
/// (a few seconds, little CPU), so it runs in its own test, beside the browser ones.
fn api_only(pinned: &Path) -> bool {
    targets_of_pinned(pinned) == ["api"]
}

/// Whether an example configuration describes only a `[cli]`: its run mostly waits (the
/// CLI polls at its interval), so it runs in its own test, beside the web ones.
fn cli_only(pinned: &Path) -> bool {
    targets_of_pinned(pinned) == ["cli"]
}

/// A pinned configuration's name: its path under `examples/`.
fn label_of(f: &Path) -> String {
    f.strip_prefix(workspace().join("examples"))
        .unwrap_or(f)
        .display()
        .to_string()
}

/// The pinned configurations to run: all of them, or with
/// `STICKLER_EXAMPLES=device-cli-go/,django/` only those whose path under `examples/`
/// contains one of those words (while working on one example).
fn selected() -> Vec<PathBuf> {
    let only: Vec<String> = std::env::var("STICKLER_EXAMPLES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    pinned_files()
        .into_iter()
        .filter(|f| only.is_empty() || only.iter().any(|w| label_of(f).contains(w.as_str())))
        .collect()
}

/// Runs each of `files`' example configurations and says every verdict that differs from
/// the pinned one.
fn compare_with_pins(files: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
    let mut problems = Vec::new();
    for f in files {
        let label = label_of(&f);
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
    problems
}

/// Runs the selected example configurations `which` picks and asserts every verdict is
/// the pinned one; with nothing narrowing the selection, at least `expected` of them.
fn assert_pinned_verdicts(which: fn(&Path) -> bool, expected: usize) {
    let files: Vec<PathBuf> = selected().into_iter().filter(|f| which(f)).collect();
    if std::env::var_os("STICKLER_EXAMPLES").is_none() {
        assert!(files.len() >= expected, "example configurations: {files:?}");
    }
    let problems = compare_with_pins(files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs each example configuration with a web app (every check in Chromium) and
/// compares every verdict with the pinned one.
#[test]
fn every_example_gives_its_pinned_verdicts() {
    assert_pinned_verdicts(|f| !api_only(f) && !cli_only(f), 6);
}

/// The device-flow CLI examples, in a test of their own, so the test harness runs it
/// beside the web examples (their runs mostly wait for the CLI's polls);
/// `cargo test --test examples cli_example` runs only these.
#[test]
fn every_cli_example_gives_its_pinned_verdicts() {
    assert_pinned_verdicts(cli_only, 4);
}

/// The bearer-token API examples, in a test of their own, so the test harness runs it
/// beside the browser examples (about 5 s a configuration);
/// `cargo test --test examples api_example` runs only these.
#[test]
fn every_api_example_gives_its_pinned_verdicts() {
    assert_pinned_verdicts(api_only, 9);
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
    ("jose", "examples/api-jose"),
    ("python-jose", "examples/api-python-jose"),
    ("Authlib", "examples/api-authlib"),
    ("x/oauth2", "examples/go-oidc"),
    ("x/oauth2", "examples/device-cli-go"),
    ("openidconnect-rs", "crates/demo-rp"),
];

/// Libraries users ask about that no example runs yet: a Fix must not name them.
const UNPROVEN_LIBRARIES: &[&str] = &["Spring", "jsonwebtoken", "passport", "omniauth", "MSAL"];

/// Libraries whose Fix sentences hold for one pinned version only (read from its source
/// and run by its example): a Fix that names one names that version, and no other.
/// `jose` is panva's package as a word of its own, not python-jose, go-jose or a module
/// path such as `authlib.jose` or `jose.exceptions`.
const PINNED_VERSIONS: &[(&str, &str)] = &[
    ("jose", "6.2.18"),
    ("python-jose", "3.5.0"),
    ("Authlib", "1.6.12"),
];

/// Where `name` occurs in `text` as a library name: for `jose`, only as a word of its own.
fn mentions<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(name).map(|(i, _)| i).filter(move |&i| {
        if name != "jose" {
            return true;
        }
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || "-./@_".contains(c))
            && !after.is_some_and(|c| c.is_alphanumeric() || "-._".contains(c))
    })
}

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
        for (name, version) in PINNED_VERSIONS {
            let mut versioned = 0;
            for i in mentions(fix, name) {
                let rest = &fix[i + name.len()..];
                let Some(v) = rest.strip_prefix(' ') else {
                    continue;
                };
                if v.starts_with(|c: char| c.is_ascii_digit()) {
                    versioned += 1;
                    if !v.starts_with(version) {
                        problems.push(format!(
                            "{id}: the Fix names {name} {}, but its example pins {name} {version}",
                            v.split_whitespace().next().unwrap_or("")
                        ));
                    }
                }
            }
            if mentions(fix, name).next().is_some() && versioned == 0 {
                problems.push(format!(
                    "{id}: the Fix names {name} without its version: say `{name} {version}`, \
                     the version its example runs"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
