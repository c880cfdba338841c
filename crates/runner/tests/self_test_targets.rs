//! The self-test matrix for the CLI and API targets: `features/device` and
//! `features/bearer_api` against the demo CLI and demo API (`scenarios/jitsudo-demo.toml`),
//! correct and with each `--bug` switch, through the real `stickler` binary, the real
//! browser (the device verification page) and the real IdP. The correct targets pass
//! every check; each bug gives exactly the verdicts listed for it (every other check of
//! the run passes); every CLI and API check is failed or warned by at least one bug; and
//! against the `jumpcloud` profile the CLI's login fails with "no device authorization
//! endpoint".

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const F: &str = "failed";
const W: &str = "warned";
const NE: &str = "not_exercised";
const P: &str = "passed";

/// The bearer checks whose token must be refused with 401/403 (a 5xx fails them).
const REFUSE_CHECKS: [&str; 9] = [
    "bearer_api.tokens.2",
    "bearer_api.tokens.3",
    "bearer_api.tokens.4",
    "bearer_api.tokens.5",
    "bearer_api.tokens.6",
    "bearer_api.tokens.7",
    "bearer_api.tokens.8",
    "bearer_api.tokens.9",
    "bearer_api.tokens.10",
];

const DEVICE: &str = "features/device";
const BEARER: &str = "features/bearer_api";

/// One run: the CLI's and the API's bugs, the features, and the verdicts that are not a
/// plain pass.
struct Case {
    cli_bugs: &'static str,
    api_bugs: &'static str,
    features: &'static [&'static str],
    expect: Vec<(&'static str, &'static str)>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every shipped check of `target`.
fn shipped(target: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args(["checks", "--json"])
        .output()
        .expect("stickler checks runs");
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    checks
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["target"] == target)
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect()
}

struct Outcome {
    code: i32,
    verdicts: BTreeMap<String, String>,
    reasons: BTreeMap<String, String>,
    stdout: String,
}

/// Numbers the runs of this process: the tests of this file run in parallel, and two of
/// them may run the same bugs (the correct targets), so the label alone is not a folder.
static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn run(scenario: &Path, case: &Case, label: &str) -> Outcome {
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "stickler-selftest-targets-{}-{n}-{label}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let json = dir.join("report.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stickler"));
    cmd.current_dir(workspace())
        .arg("run")
        .arg(scenario)
        .arg("--report-dir")
        .arg(&dir)
        .arg("--json")
        .arg(&json)
        .env("DEMO_CLI_BUGS", case.cli_bugs)
        .env("DEMO_API_BUGS", case.api_bugs);
    for f in case.features {
        cmd.args(["--features", f]);
    }
    let out = cmd.output().expect("stickler runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value = std::fs::read(&json)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| panic!("{label}: no JSON report\nstdout:\n{stdout}\nstderr:\n{stderr}"));
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let field = |c: &serde_json::Value, k: &str| c[k].as_str().unwrap_or_default().to_string();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        verdicts: checks
            .iter()
            .map(|c| (field(c, "id"), field(c, "verdict")))
            .collect(),
        reasons: checks
            .iter()
            .map(|c| (field(c, "id"), field(c, "reason")))
            .collect(),
        stdout,
    }
}

/// The checks of the given feature folders; none given: the scenario file's own list
/// (the device and bearer checks, and the web app's callback check: a mixed run).
fn checks_of(features: &[&str]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    if features.is_empty() {
        ids.insert("callback.replay.1".to_string());
        return checks_of(&[DEVICE, BEARER])
            .into_iter()
            .chain(ids)
            .collect();
    }
    for f in features {
        let target = if *f == DEVICE { "cli" } else { "api" };
        ids.extend(shipped(target));
    }
    ids
}

/// Runs each case; every difference from its expected verdicts and exit code.
fn matrix(scenario: &Path, cases: &[Case]) -> (Vec<String>, BTreeSet<String>, Vec<Outcome>) {
    let mut problems = Vec::new();
    let mut caught = BTreeSet::new();
    let mut outcomes = Vec::new();
    for c in cases {
        let label = format!("cli={} api={}", c.cli_bugs, c.api_bugs).replace([',', ' ', '='], "_");
        let mut expected: BTreeMap<String, String> = checks_of(c.features)
            .into_iter()
            .map(|id| (id, P.to_string()))
            .collect();
        for (id, v) in &c.expect {
            expected.insert(id.to_string(), v.to_string());
            if *v == F || *v == W {
                caught.insert(id.to_string());
            }
        }
        let o = run(scenario, c, &label);
        for (id, want) in &expected {
            let got = o.verdicts.get(id).map_or("not run", String::as_str);
            if got != want {
                problems.push(format!(
                    "{label}: {id}: expected {want}, got {got} ({})",
                    o.reasons.get(id).map_or("", String::as_str)
                ));
            }
        }
        for id in o.verdicts.keys().filter(|id| !expected.contains_key(*id)) {
            problems.push(format!("{label}: {id} ran but was not expected to"));
        }
        let want_exit = if c.expect.iter().any(|(_, v)| *v == F) {
            1
        } else {
            0
        };
        if o.code != want_exit {
            problems.push(format!("{label}: exit {} (want {want_exit})", o.code));
        }
        if problems.iter().any(|p| p.starts_with(&label)) {
            problems.push(o.stdout.clone());
        }
        outcomes.push(o);
    }
    (problems, caught, outcomes)
}

/// `scenarios/jitsudo-demo.toml` changed by `edit`, written into `dir` with absolute
/// paths.
fn variant(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let ws = std::path::absolute(workspace()).expect("absolute");
    let text = std::fs::read_to_string(workspace().join("scenarios/jitsudo-demo.toml"))
        .expect("read")
        .replace(
            "workdir = \"..\"",
            &format!("workdir = {:?}", ws.display().to_string()),
        )
        .replace("\"../features/", &format!("\"{}/features/", ws.display()));
    let file = dir.join(name);
    std::fs::write(&file, edit(text)).expect("write");
    file
}

/// An API that takes JWT access tokens (RFC 9068) instead of ID tokens: the same checks,
/// the same verdicts.
#[test]
fn an_api_on_access_tokens_is_checked_the_same_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = variant(dir.path(), "access-tokens.toml", |t| {
        t.replace(
            "path = \"/api/whoami\"",
            "path = \"/api/whoami\"\ntoken = \"access_token\"",
        )
    });
    let api: &'static [&str] = &[BEARER];
    let (problems, _, _) = matrix(
        &file,
        &[
            Case {
                cli_bugs: "",
                api_bugs: "",
                features: api,
                expect: vec![],
            },
            Case {
                cli_bugs: "",
                api_bugs: "skips-signature",
                features: api,
                expect: vec![
                    ("bearer_api.tokens.7", F),
                    ("bearer_api.tokens.8", F),
                    ("bearer_api.tokens.9", F),
                    ("bearer_api.tokens.10", F),
                ],
            },
        ],
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn correct_targets_pass_and_jumpcloud_has_no_device_flow() {
    let scenario = workspace().join("scenarios/jitsudo-demo.toml");
    let all: &'static [&str] = &[DEVICE, BEARER];
    // The scenario file's own features: a web app, a CLI and an API of one product.
    let (mut problems, _, outcomes) = matrix(
        &scenario,
        &[Case {
            cli_bugs: "",
            api_bugs: "",
            features: &[],
            expect: vec![],
        }],
    );
    for line in [
        "By target:",
        "app  1 passed, 0 failed",
        "cli  6 passed, 0 failed",
        "api  14 passed, 0 failed",
    ] {
        if !outcomes[0].stdout.contains(line) {
            problems.push(format!(
                "mixed run: no `{line}` in:\n{}",
                outcomes[0].stdout
            ));
        }
    }
    // The same product against JumpCloud: no device flow. The CLI's login fails with the
    // reason and the fix; the checks that need polls are not exercised and point at it;
    // the clear-message check passes; the API checks are unaffected.
    let dir = tempfile::tempdir().expect("tempdir");
    let jc = variant(dir.path(), "jitsudo-jumpcloud.toml", |t| {
        t.replace("profile = \"lenient\"", "profile = \"jumpcloud\"")
    });
    let case = Case {
        cli_bugs: "",
        api_bugs: "",
        features: all,
        expect: vec![
            ("device.login.1", F),
            ("device.login.2", NE),
            ("device.login.3", NE),
            ("device.login.4", NE),
            ("device.login.5", NE),
        ],
    };
    let (more, _, outcomes) = matrix(&jc, std::slice::from_ref(&case));
    problems.extend(more);
    let o = &outcomes[0];
    let login = o.reasons.get("device.login.1").cloned().unwrap_or_default();
    if !login.contains("no device authorization endpoint") || !login.contains("jumpcloud") {
        problems.push(format!(
            "jumpcloud: device.login.1 does not name the missing endpoint: {login}"
        ));
    }
    if !o.stdout.contains("use another IdP for the CLI")
        || !o.stdout.contains("browser-based login")
    {
        problems.push(format!("jumpcloud: the fix is not shown:\n{}", o.stdout));
    }
    if !o
        .reasons
        .get("device.login.2")
        .is_some_and(|r| r.contains("never polled"))
    {
        problems.push(format!(
            "jumpcloud: device.login.2's reason: {:?}",
            o.reasons.get("device.login.2")
        ));
    }
    if !o.stdout.contains("By target:") {
        problems.push(format!("no per-target summary:\n{}", o.stdout));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_cli_and_api_bug_fails_exactly_its_checks() {
    let scenario = workspace().join("scenarios/jitsudo-demo.toml");
    let both: &[&str] = &[DEVICE, BEARER];
    let api: &[&str] = &[BEARER];
    // Each CLI bug runs beside one API bug: two processes, two disjoint sets of checks.
    let cases = vec![
        Case {
            cli_bugs: "ignores-slow-down",
            api_bugs: "skips-signature",
            features: both,
            expect: vec![
                ("device.login.3", F),
                ("bearer_api.tokens.7", F),
                ("bearer_api.tokens.8", F),
                ("bearer_api.tokens.9", F),
                ("bearer_api.tokens.10", F),
            ],
        },
        // Polling every 200 ms, the CLI is answered slow_down for ever (RFC 8628 §3.5):
        // it never logs in, nor sees a denial or an expiry before its timeout.
        Case {
            cli_bugs: "polls-too-fast",
            api_bugs: "accepts-alg-none",
            features: both,
            expect: vec![
                ("device.login.1", F),
                ("device.login.2", W),
                ("device.login.3", F),
                ("device.login.4", W),
                ("device.login.5", W),
                ("bearer_api.tokens.7", F),
            ],
        },
        Case {
            cli_bugs: "no-stop-on-denied",
            api_bugs: "accepts-hs256",
            features: both,
            expect: vec![("device.login.4", W), ("bearer_api.tokens.8", F)],
        },
        Case {
            cli_bugs: "no-stop-on-expired",
            api_bugs: "ignores-aud",
            features: both,
            expect: vec![
                ("device.login.5", W),
                ("bearer_api.tokens.3", F),
                ("bearer_api.tokens.4", F),
            ],
        },
        Case {
            cli_bugs: "crash-on-no-device-endpoint",
            api_bugs: "ignores-exp",
            features: both,
            expect: vec![("device.login.6", W), ("bearer_api.tokens.5", F)],
        },
        Case {
            cli_bugs: "",
            api_bugs: "ignores-nbf",
            features: api,
            expect: vec![("bearer_api.tokens.6", F)],
        },
        Case {
            cli_bugs: "",
            api_bugs: "ignores-iss",
            features: api,
            expect: vec![("bearer_api.tokens.2", F)],
        },
        Case {
            cli_bugs: "",
            api_bugs: "crash-on-bad-token",
            features: api,
            expect: REFUSE_CHECKS.iter().map(|id| (*id, F)).collect(),
        },
        Case {
            cli_bugs: "",
            api_bugs: "no-jwks-refresh",
            features: api,
            expect: vec![("bearer_api.tokens.11", W)],
        },
        Case {
            cli_bugs: "",
            api_bugs: "groups-string-crash",
            features: api,
            expect: vec![("bearer_api.tokens.12", F)],
        },
        // An issuer configured without its slash refuses every valid token.
        Case {
            cli_bugs: "",
            api_bugs: "issuer-slash-mismatch",
            features: api,
            expect: vec![("bearer_api.tokens.1", F), ("bearer_api.tokens.11", W)],
        },
        Case {
            cli_bugs: "",
            api_bugs: "missing-groups-allowed",
            features: api,
            expect: vec![("bearer_api.tokens.13", W), ("bearer_api.tokens.14", W)],
        },
    ];
    let (mut problems, caught, _) = matrix(&scenario, &cases);
    for id in shipped("cli").into_iter().chain(shipped("api")) {
        if !caught.contains(&id) {
            problems.push(format!("{id}: no bug switch makes it fail or warn"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A web-only scenario file leaves the CLI and API checks out, and says so.
#[test]
fn a_web_only_scenario_leaves_cli_and_api_checks_out() {
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args([
            "run",
            "scenarios/demo-rp.toml",
            "--features",
            DEVICE,
            "--features",
            BEARER,
        ])
        .output()
        .expect("stickler runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.matches("6 cli checks left out").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("14 api checks left out").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("no check selected"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args([
            "run",
            "scenarios/demo-rp.toml",
            "--check",
            "device.login.1",
            "--features",
            DEVICE,
        ])
        .output()
        .expect("stickler runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs a [cli] table"), "{stderr}");
}

/// An API that does not start is an environment error (exit 3) before any check.
#[test]
fn a_broken_api_command_is_an_environment_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = variant(dir.path(), "broken-api.toml", |t| {
        t.replace(
            "\"target/debug/demo-api\",",
            "\"target/debug/demo-api\", \"--no-such-flag\",",
        )
    });
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .arg("run")
        .arg(&file)
        .args(["--features", BEARER, "--report-dir"])
        .arg(dir.path().join("report"))
        .output()
        .expect("stickler runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the API did not start") && stderr.contains("[api] command"),
        "{stderr}"
    );
}

/// A product with only a CLI and an API (jitsudo's shape): no [app], [client] or [login];
/// the CLI and the API are built by their own `build`, the web checks are left out.
#[test]
fn a_cli_and_an_api_alone_are_checked_without_a_web_app() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = variant(dir.path(), "cli-api-only.toml", |t| {
        let (head, rest) = t.split_once("[app]").expect("an [app] table");
        let (_, targets) = rest.split_once("[cli]").expect("a [cli] table");
        let build = "build = [\"cargo\", \"build\", \"--quiet\", \"-p\", \"stickler-demo-rp\"]\n";
        format!(
            "{head}[cli]\n{build}{}",
            targets.replace("[api]\n", &format!("[api]\n{build}"))
        )
    });
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .arg("run")
        .arg(&file)
        .args([
            "--features",
            BEARER,
            "--features",
            "features/callback",
            "--report-dir",
        ])
        .arg(dir.path().join("report"))
        .output()
        .expect("stickler runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stderr.matches("1 app check left out").count(),
        1,
        "said once: {stderr}"
    );
    assert!(
        stderr.contains("building the CLI of") && !stderr.contains("building the API of"),
        "{stderr}"
    );
    assert!(
        stdout.trim_end().ends_with("14 passed, 0 failed"),
        "{stdout}"
    );
}
