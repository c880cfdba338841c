//! The self-test matrix: the JumpCloud suite against the demo app, correct and with each
//! `--bug` switch, through the real `stickler` binary, the real browser and the real IdP.
//! The correct app passes every check; each bug fails exactly the checks listed for it,
//! and every check is failed by at least one bug.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const STATE: &str = "The app sends a state of 8 or more characters";
const CSRF: &str = "The app rejects a callback whose state is not its own";
const POST: &str = "The app signs in when it may only use client_secret_post";
const BASIC: &str = "The app signs in when it may only use client_secret_basic";
const ISSUER: &str = "The app works with an issuer that has a path and ends with a slash";
const REDIRECT: &str = "The app sends the registered redirect_uri exactly";
const PKCE: &str = "The app uses PKCE with S256 when it uses PKCE";
const NONCE: &str = "The app sends a nonce of 8 or more characters when it sends one";
const OUTSIDER: &str = "A user outside the app's groups is refused without a crash or a session";
const ONE_GROUP: &str = "A user in one assigned group gets in and the app sees that group";
const GROUPS: &str = "A user in several assigned groups gets in and the app sees all of them";
const INVALID_STATE: &str =
    "The app shows an error, not a crash, when JumpCloud answers invalid_state";

const WRONG_ISS: &str = "The app refuses an ID token from another issuer";
const WRONG_AUD: &str = "The app refuses an ID token for another client";
const EXTRA_AUD: &str = "The app refuses an ID token with an extra audience and no azp";
const BAD_SIG: &str = "The app refuses an ID token whose signature does not verify";
const ALG_NONE: &str = "The app refuses an unsigned ID token (alg none)";
const HS256: &str = "The app refuses an ID token signed with the client secret (HS256)";
const UNKNOWN_KID: &str = "The app refuses an ID token signed with a key that is not in the JWKS";
const WRONG_NONCE: &str = "The app refuses an ID token whose nonce is not its own";
const MISSING_NONCE: &str = "The app refuses an ID token without the nonce it sent";
const EXPIRED: &str = "The app refuses an expired ID token";
const NO_KID: &str = "The app accepts an ID token without kid when the JWKS has one key";
const USERINFO_SUB: &str = "The app refuses a userinfo answer about another subject";
const THIN: &str = "The app signs in with claims that only userinfo carries";

/// The ID-token and userinfo checks (features/id_token, features/userinfo).
const VALIDATION: [&str; 13] = [
    WRONG_ISS,
    WRONG_AUD,
    EXTRA_AUD,
    BAD_SIG,
    ALG_NONE,
    HS256,
    UNKNOWN_KID,
    WRONG_NONCE,
    MISSING_NONCE,
    EXPIRED,
    NO_KID,
    USERINFO_SUB,
    THIN,
];

const ALL: [&str; 12] = [
    STATE,
    CSRF,
    POST,
    BASIC,
    ISSUER,
    REDIRECT,
    PKCE,
    NONCE,
    OUTSIDER,
    ONE_GROUP,
    GROUPS,
    INVALID_STATE,
];
/// Checks that need a successful sign-in.
const SIGN_INS: [&str; 9] = [
    STATE, POST, BASIC, ISSUER, REDIRECT, PKCE, NONCE, ONE_GROUP, GROUPS,
];

fn all_but(except: &[&str]) -> Vec<&'static str> {
    ALL.iter()
        .copied()
        .filter(|c| !except.contains(c))
        .collect()
}

/// Each bug and the checks it must fail. JumpCloud refuses whole flows, so a bug that
/// breaks the flow early (no state, plain PKCE) fails every check that needs a sign-in.
fn expectations() -> Vec<(&'static str, Vec<&'static str>)> {
    let sign_ins = SIGN_INS.to_vec();
    vec![
        ("no-state", all_but(&[INVALID_STATE])),
        ("short-state", all_but(&[INVALID_STATE])),
        ("ignore-state-mismatch", vec![CSRF]),
        (
            "auth-basic-always",
            SIGN_INS.iter().copied().filter(|c| *c != BASIC).collect(),
        ),
        ("auth-post-always", vec![BASIC]),
        ("strip-issuer-slash", ALL.to_vec()),
        ("plain-pkce", [sign_ins.clone(), vec![CSRF]].concat()),
        ("short-nonce", sign_ins),
        ("crash-on-idp-error", vec![OUTSIDER, INVALID_STATE]),
        ("groups-array-only", vec![ONE_GROUP]),
        ("wrong-redirect-uri", ALL.to_vec()),
    ]
}

/// ID-token and userinfo bugs, run against the validation features.
fn validation_expectations() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("skip-issuer-check", vec![WRONG_ISS]),
        ("skip-audience-check", vec![WRONG_AUD, EXTRA_AUD]),
        (
            "skip-signature-check",
            vec![BAD_SIG, ALG_NONE, HS256, UNKNOWN_KID],
        ),
        ("accept-alg-none", vec![ALG_NONE, HS256]),
        ("ignore-nonce", vec![WRONG_NONCE, MISSING_NONCE]),
        ("ignore-exp", vec![EXPIRED]),
        ("ignore-userinfo-sub-mismatch", vec![USERINFO_SUB]),
    ]
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Outcome {
    code: i32,
    failed: BTreeSet<String>,
    passed: BTreeSet<String>,
    report: serde_json::Value,
    stdout: String,
}

const JUMPCLOUD_FEATURES: &[&str] = &["features/jumpcloud"];
const VALIDATION_FEATURES: &[&str] = &["features/id_token", "features/userinfo"];

fn run_suite(bug: Option<&str>, features: &[&str]) -> Outcome {
    let dir = std::env::temp_dir().join(format!(
        "stickler-selftest-{}-{}",
        std::process::id(),
        bug.unwrap_or("none")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let json = dir.join("report.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stickler"));
    cmd.current_dir(workspace())
        .args(["run", "scenarios/demo-rp.toml", "--report-dir"])
        .arg(&dir)
        .arg("--json")
        .arg(&json)
        .env_remove("DEMO_RP_BUGS");
    for f in features {
        cmd.args(["--features", f]);
    }
    if let Some(b) = bug {
        cmd.env("DEMO_RP_BUGS", b);
    }
    let out = cmd.output().expect("stickler runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value = std::fs::read(&json)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| {
            panic!("no JSON report for bug {bug:?}\nstdout:\n{stdout}\nstderr:\n{stderr}")
        });
    let names = |status: &str| -> BTreeSet<String> {
        report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["status"] == status)
            .filter_map(|c| c["name"].as_str().map(str::to_string))
            .collect()
    };
    Outcome {
        code: out.status.code().unwrap_or(-1),
        failed: names("failed"),
        passed: names("passed"),
        report,
        stdout,
    }
}

fn message_of<'a>(o: &'a Outcome, check: &str) -> &'a str {
    o.report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == check))
        .and_then(|c| c["message"].as_str())
        .unwrap_or("")
}

#[test]
fn the_matrix_proves_every_check_can_pass_and_fail() {
    // The correct app passes the whole suite the scenario file names.
    let correct = run_suite(None, &[]);
    assert_eq!(
        correct.code, 0,
        "correct app must pass:\n{}",
        correct.stdout
    );
    let expected_all: BTreeSet<String> = ALL
        .iter()
        .chain(&VALIDATION)
        .map(|s| s.to_string())
        .collect();
    assert_eq!(correct.passed, expected_all, "{}", correct.stdout);
    assert!(
        correct.stdout.trim_end().ends_with("25 passed, 0 failed"),
        "{}",
        correct.stdout
    );

    let mut failed_somewhere = BTreeSet::new();
    let mut mismatches = Vec::new();
    let runs = expectations()
        .into_iter()
        .map(|(b, e)| (b, e, JUMPCLOUD_FEATURES))
        .chain(
            validation_expectations()
                .into_iter()
                .map(|(b, e)| (b, e, VALIDATION_FEATURES)),
        );
    for (bug, expected, features) in runs {
        let o = run_suite(Some(bug), features);
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        if o.code != 1 || o.failed != expected {
            mismatches.push(format!(
                "--bug {bug}: exit {} (want 1)\n  failed unexpectedly: {:?}\n  passed unexpectedly: {:?}\n{}",
                o.code,
                o.failed.difference(&expected).collect::<Vec<_>>(),
                expected.difference(&o.failed).collect::<Vec<_>>(),
                o.stdout
            ));
        }
        // The diagnosis names the real cause for the bugs a single check is about.
        match bug {
            "no-state" => {
                let m = message_of(&o, STATE);
                assert!(
                    m.contains("no `state`") && m.contains("invalid_state"),
                    "{m}"
                );
                assert!(
                    o.stdout.contains("checks: [\"pkce\", \"state\"]"),
                    "fix missing:\n{}",
                    o.stdout
                );
            }
            "auth-basic-always" => assert!(
                message_of(&o, POST).contains("client_secret_post"),
                "{}",
                o.stdout
            ),
            "short-nonce" => assert!(
                message_of(&o, NONCE).contains("insufficient_entropy"),
                "{}",
                o.stdout
            ),
            "plain-pkce" => assert!(message_of(&o, PKCE).contains("plain"), "{}", o.stdout),
            "crash-on-idp-error" => assert!(
                message_of(&o, OUTSIDER).contains("HTTP 500"),
                "{}",
                o.stdout
            ),
            _ => {}
        }
        failed_somewhere.extend(o.failed);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
    // Acceptance checks (the app must sign in) fail under bugs that break signing in.
    let never: Vec<_> = expected_all
        .difference(&failed_somewhere)
        .filter(|c| ![NO_KID, THIN].contains(&c.as_str()))
        .collect();
    assert!(
        never.is_empty(),
        "checks no bug switch makes fail: {never:?}"
    );
}
