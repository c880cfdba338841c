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
const WRONG_AZP: &str = "The app refuses an ID token whose azp names another client";
const BAD_SIG: &str = "The app refuses an ID token whose signature does not verify";
const ALG_NONE: &str = "The app refuses an unsigned ID token (alg none)";
const HS256: &str = "The app refuses an ID token signed with the client secret (HS256)";
const UNKNOWN_KID: &str = "The app refuses an ID token signed with a key that is not in the JWKS";
const WRONG_NONCE: &str = "The app refuses an ID token whose nonce is not its own";
const MISSING_NONCE: &str = "The app refuses an ID token without the nonce it sent";
const REPLAY: &str = "The app refuses an ID token replayed from an earlier sign-in";
const EXPIRED: &str = "The app refuses an expired ID token";
const MISSING_SUB: &str = "The app refuses an ID token without sub";
const MISSING_IAT: &str = "The app refuses an ID token without iat";
const IAT_FUTURE: &str = "The app refuses an ID token issued a day in the future";
const AT_HASH: &str = "The app refuses an ID token whose at_hash does not match the access token";
const EMAIL_STRING: &str = "The app accepts email_verified given as the string \"true\"";
const NO_KID: &str = "The app accepts an ID token without kid when the JWKS has one key";
const NO_KID_SEVERAL: &str = "The app signs in or refuses cleanly when the ID token has no kid and the JWKS has several keys";
const ROTATION: &str = "The app signs in after the IdP rotates its signing key";
const USERINFO_SUB: &str = "The app refuses a userinfo answer about another subject";
const THIN: &str = "The app signs in with claims that only userinfo carries";
const DISCOVERY: &str = "The app refuses a discovery document that names another issuer";
const CALLBACK_REPLAY: &str = "The app refuses a callback replayed in another browser session";

/// Every shipped check and the feature file it is in.
const CHECKS: [(&str, &str); 36] = [
    (STATE, "features/jumpcloud/state.feature"),
    (CSRF, "features/jumpcloud/state.feature"),
    (POST, "features/jumpcloud/client_auth.feature"),
    (BASIC, "features/jumpcloud/client_auth.feature"),
    (ISSUER, "features/jumpcloud/issuer.feature"),
    (REDIRECT, "features/jumpcloud/redirect_uri.feature"),
    (PKCE, "features/jumpcloud/pkce_nonce.feature"),
    (NONCE, "features/jumpcloud/pkce_nonce.feature"),
    (OUTSIDER, "features/jumpcloud/groups.feature"),
    (ONE_GROUP, "features/jumpcloud/groups.feature"),
    (GROUPS, "features/jumpcloud/groups.feature"),
    (INVALID_STATE, "features/jumpcloud/error_redirects.feature"),
    (WRONG_ISS, "features/id_token/issuer_audience.feature"),
    (WRONG_AUD, "features/id_token/issuer_audience.feature"),
    (EXTRA_AUD, "features/id_token/issuer_audience.feature"),
    (WRONG_AZP, "features/id_token/issuer_audience.feature"),
    (BAD_SIG, "features/id_token/signature.feature"),
    (ALG_NONE, "features/id_token/signature.feature"),
    (HS256, "features/id_token/signature.feature"),
    (UNKNOWN_KID, "features/id_token/signature.feature"),
    (WRONG_NONCE, "features/id_token/nonce.feature"),
    (MISSING_NONCE, "features/id_token/nonce.feature"),
    (REPLAY, "features/id_token/nonce.feature"),
    (EXPIRED, "features/id_token/claims.feature"),
    (MISSING_SUB, "features/id_token/claims.feature"),
    (MISSING_IAT, "features/id_token/claims.feature"),
    (IAT_FUTURE, "features/id_token/claims.feature"),
    (AT_HASH, "features/id_token/claims.feature"),
    (EMAIL_STRING, "features/id_token/claims.feature"),
    (NO_KID, "features/id_token/keys.feature"),
    (NO_KID_SEVERAL, "features/id_token/keys.feature"),
    (ROTATION, "features/id_token/keys.feature"),
    (USERINFO_SUB, "features/userinfo/userinfo.feature"),
    (THIN, "features/userinfo/userinfo.feature"),
    (DISCOVERY, "features/discovery/discovery.feature"),
    (CALLBACK_REPLAY, "features/callback/replay.feature"),
];

/// Each bug switch (several, comma-separated, where one mistake hides behind another)
/// and the checks it must fail. The run covers every feature file holding one of them,
/// and every other check in those files must pass: a bug fails exactly its checks.
/// The correct app runs the whole suite.
fn expectations() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        // JumpCloud refuses whole flows: a bug that breaks the flow early fails every
        // sign-in in the files it runs against.
        ("no-state", vec![STATE, CSRF]),
        ("short-state", vec![STATE, CSRF]),
        ("ignore-state-mismatch", vec![CSRF]),
        ("auth-basic-always", vec![POST]),
        ("auth-post-always", vec![BASIC]),
        ("strip-issuer-slash", vec![ISSUER]),
        ("plain-pkce", vec![PKCE, NONCE]),
        ("short-nonce", vec![PKCE, NONCE]),
        ("crash-on-idp-error", vec![OUTSIDER, INVALID_STATE]),
        ("groups-array-only", vec![ONE_GROUP]),
        ("groups-string-only", vec![GROUPS]),
        ("wrong-redirect-uri", vec![REDIRECT]),
        // ID token, userinfo and discovery.
        ("skip-issuer-check", vec![WRONG_ISS, DISCOVERY]),
        ("skip-audience-check", vec![WRONG_AUD, EXTRA_AUD, WRONG_AZP]),
        (
            "skip-signature-check",
            vec![BAD_SIG, ALG_NONE, HS256, UNKNOWN_KID],
        ),
        ("accept-alg-none", vec![ALG_NONE, HS256]),
        // The replayed token still fails the at_hash check...
        ("ignore-nonce", vec![WRONG_NONCE, MISSING_NONCE]),
        // ...unless that is skipped too.
        (
            "ignore-nonce,skip-at-hash-check",
            vec![WRONG_NONCE, MISSING_NONCE, REPLAY],
        ),
        ("ignore-exp", vec![EXPIRED]),
        ("lenient-claims", vec![MISSING_SUB, MISSING_IAT]),
        ("ignore-iat", vec![IAT_FUTURE]),
        ("skip-at-hash-check", vec![AT_HASH]),
        ("strict-booleans", vec![EMAIL_STRING]),
        ("require-kid", vec![NO_KID]),
        // Refusing is fine for several keys without kid; crashing is not.
        (
            "require-kid,crash-on-invalid-token",
            vec![NO_KID, NO_KID_SEVERAL],
        ),
        ("cache-jwks-forever", vec![ROTATION]),
        ("ignore-userinfo-sub-mismatch", vec![USERINFO_SUB]),
        // Without userinfo, the thin token leaves no email, and the other subject's
        // answer is never seen, so the app signs in where it had to refuse.
        ("skip-userinfo", vec![THIN, USERINFO_SUB]),
        ("replayable-callback", vec![CALLBACK_REPLAY]),
    ]
}

/// The feature files holding `checks`, and every check in them.
fn scope(checks: &[&str]) -> (Vec<&'static str>, BTreeSet<String>) {
    let mut files: Vec<&'static str> = CHECKS
        .iter()
        .filter(|(c, _)| checks.contains(c))
        .map(|(_, f)| *f)
        .collect();
    files.sort_unstable();
    files.dedup();
    let all = CHECKS
        .iter()
        .filter(|(_, f)| files.contains(f))
        .map(|(c, _)| c.to_string())
        .collect();
    (files, all)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Outcome {
    code: i32,
    failed: BTreeSet<String>,
    passed: BTreeSet<String>,
    report: serde_json::Value,
    /// The JUnit XML report of the same run.
    junit: String,
    stdout: String,
}

fn run_suite(bug: Option<&str>, features: &[&str]) -> Outcome {
    let dir = std::env::temp_dir().join(format!(
        "stickler-selftest-{}-{}",
        std::process::id(),
        bug.unwrap_or("none").replace(',', "+")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let json = dir.join("report.json");
    let junit = dir.join("report.xml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stickler"));
    cmd.current_dir(workspace())
        .args(["run", "scenarios/demo-rp.toml", "--report-dir"])
        .arg(&dir)
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
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
        junit: std::fs::read_to_string(&junit).unwrap_or_default(),
        stdout,
    }
}

/// `text` as XML attributes carry it.
fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
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
    let expected_all: BTreeSet<String> = CHECKS.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(correct.passed, expected_all, "{}", correct.stdout);
    assert!(
        correct
            .stdout
            .trim_end()
            .ends_with(&format!("{} passed, 0 failed", CHECKS.len())),
        "{}",
        correct.stdout
    );
    // The JUnit report counts the same.
    assert!(
        correct.junit.contains(&format!(
            "<testsuites name=\"stickler\" tests=\"{}\" failures=\"0\"",
            CHECKS.len()
        )),
        "{}",
        correct.junit
    );

    let mut failed_somewhere = BTreeSet::new();
    let mut mismatches = Vec::new();
    for (bug, expected) in expectations() {
        let (files, in_scope) = scope(&expected);
        let o = run_suite(Some(bug), &files);
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        let ran: BTreeSet<String> = o.failed.union(&o.passed).cloned().collect();
        if o.code != 1 || o.failed != expected || ran != in_scope {
            mismatches.push(format!(
                "--bug {bug} on {files:?}: exit {} (want 1)\n  failed unexpectedly: {:?}\n  passed unexpectedly: {:?}\n  not run: {:?}\n{}",
                o.code,
                o.failed.difference(&expected).collect::<Vec<_>>(),
                expected.difference(&o.failed).collect::<Vec<_>>(),
                in_scope.difference(&ran).collect::<Vec<_>>(),
                o.stdout
            ));
        }
        // JUnit says the same as the JSON report.
        assert!(
            o.junit.contains(&format!(
                "tests=\"{}\" failures=\"{}\"",
                ran.len(),
                o.failed.len()
            )) && o.failed.iter().all(|c| o
                .junit
                .contains(&format!("<testcase name=\"{}\"", xml_escaped(c)))),
            "--bug {bug}: JUnit report disagrees:\n{}",
            o.junit
        );
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
            "require-kid,crash-on-invalid-token" => assert!(
                message_of(&o, NO_KID_SEVERAL).contains("HTTP 500"),
                "{}",
                o.stdout
            ),
            _ => {}
        }
        failed_somewhere.extend(o.failed);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
    // Every check, refusals and acceptances alike, is failed by some bug.
    let never: Vec<_> = expected_all.difference(&failed_somewhere).collect();
    assert!(
        never.is_empty(),
        "checks no bug switch makes fail: {never:?}"
    );
}

/// The table above is the shipped suite: no check is missing from it, none is stale.
#[test]
fn the_matrix_knows_every_shipped_check() {
    let mut shipped = BTreeSet::new();
    let mut areas: Vec<String> = std::fs::read_dir(workspace().join("features"))
        .expect("features/")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| format!("features/{}", e.file_name().to_string_lossy()))
        .collect();
    areas.sort();
    assert!(areas.len() >= 5, "{areas:?}");
    for dir in &areas {
        for entry in std::fs::read_dir(workspace().join(dir)).expect("feature folder") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("feature file");
            let rel = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            for line in text.lines() {
                if let Some(name) = line.trim().strip_prefix("Scenario: ") {
                    shipped.insert((name.trim().to_string(), rel.clone()));
                }
            }
        }
    }
    let table: BTreeSet<(String, String)> = CHECKS
        .iter()
        .map(|(c, f)| (c.to_string(), f.to_string()))
        .collect();
    assert_eq!(table, shipped);
}
