//! The self-test matrix: the suite against the demo app, correct and with each `--bug`
//! switch, through the real `stickler` binary, the real browser and the real IdP. The
//! correct app passes every check; each bug, run on the checks named for it (`--check`),
//! gives exactly the verdicts listed for it, and every check is failed or warned by at
//! least one bug.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A verdict as the JSON report spells it.
const F: &str = "failed";
const W: &str = "warned";
const NE: &str = "not_exercised";
const NA: &str = "not_applicable";
const P: &str = "passed";

/// One run of the matrix.
struct Case {
    /// `DEMO_RP_BUGS`.
    bugs: &'static str,
    /// The checks whose verdict is not a plain pass, and that verdict.
    expect: Vec<(&'static str, &'static str)>,
    /// Checks that pass with a warning of this kind.
    warn: Vec<(&'static str, &'static str)>,
    /// More checks to run, whose verdict is a plain pass unless listed.
    also: Vec<&'static str>,
    /// Extra flags.
    flags: Vec<&'static str>,
    /// The exit code.
    exit: i32,
}

fn case(bugs: &'static str, expect: Vec<(&'static str, &'static str)>) -> Case {
    let exit = if expect.iter().any(|(_, v)| *v == F) {
        1
    } else {
        0
    };
    Case {
        bugs,
        expect,
        warn: vec![],
        also: vec![],
        flags: vec![],
        exit,
    }
}

const WHOLE: &str = "jumpcloud.whole_profile.1";
const RETRIED: &str = "client authentication retried with another method";
const REFUSED_5XX: &str = "refused with an HTTP 5xx page";
const FORGED_PKCE: &str = "accepted a callback whose state it never issued (PKCE S256 protects it)";

fn cases() -> Vec<Case> {
    vec![
        // The seed story: JumpCloud refuses a missing state and Basic auth; each check
        // shows its own cause, and the whole profile fails.
        // PKCE S256 binds the code to the browser: a forged state is then a warning.
        Case {
            warn: vec![("jumpcloud.state.2", FORGED_PKCE)],
            ..case("no-state", vec![("jumpcloud.state.1", F), (WHOLE, F)])
        },
        case("short-state", vec![("jumpcloud.state.1", F), (WHOLE, F)]),
        Case {
            warn: vec![("jumpcloud.state.2", FORGED_PKCE)],
            also: vec!["jumpcloud.state.2"],
            ..case("ignore-state-mismatch", vec![])
        },
        case(
            "ignore-state-mismatch,no-pkce",
            vec![("jumpcloud.state.2", F)],
        ),
        case(
            "auth-basic-always",
            vec![("jumpcloud.client_auth.1", F), (WHOLE, F)],
        ),
        case("auth-post-always", vec![("jumpcloud.client_auth.2", F)]),
        // Okta refuses credentials sent twice (O7).
        case("auth-both", vec![("okta.client_auth.1", F)]),
        // Entra's multi-tenant `{tenantid}` issuer template (E2): refused, no sign-in
        // starts, so the tenant check never gets a token.
        case(
            "literal-issuer",
            vec![("entra_common.issuer.1", W), ("entra_common.issuer.2", NE)],
        ),
        case("any-tenant-issuer", vec![("entra_common.issuer.2", F)]),
        // Auth0's legacy HS256 applications (A3).
        case("rs256-only", vec![("auth0.signature.1", W)]),
        // Google refuses a scope it does not serve on its own page (G3).
        case("groups-scope", vec![("google.scopes.1", F)]),
        Case {
            warn: vec![("jumpcloud.client_auth.1", RETRIED)],
            also: vec![WHOLE],
            ..case("auth-basic-then-post", vec![("jumpcloud.client_auth.1", P)])
        },
        case(
            "strip-issuer-slash",
            vec![
                ("jumpcloud.issuer.1", F),
                (WHOLE, F),
                ("sign_in.whole_profile.1", F),
            ],
        ),
        case(
            "plain-pkce",
            vec![("jumpcloud.pkce_nonce.1", F), (WHOLE, F)],
        ),
        case(
            "short-nonce",
            vec![("jumpcloud.pkce_nonce.2", F), (WHOLE, F)],
        ),
        // Without a nonce there is nothing to compare: the nonce checks (replay
        // included) are not exercised, and sending none is its own (should) finding.
        case(
            "no-nonce",
            vec![
                ("jumpcloud.pkce_nonce.3", W),
                ("id_token.nonce.1", NE),
                ("id_token.nonce.2", NE),
                ("id_token.nonce.3", NE),
            ],
        ),
        case(
            "crash-on-idp-error",
            vec![
                ("jumpcloud.groups.1", F),
                ("jumpcloud.error_redirects.1", F),
            ],
        ),
        case("groups-array-only", vec![("jumpcloud.groups.2", F)]),
        case(
            "groups-string-only",
            vec![("jumpcloud.groups.3", F), (WHOLE, F)],
        ),
        case(
            "wrong-redirect-uri",
            vec![("jumpcloud.redirect_uri.1", F), (WHOLE, F)],
        ),
        // ID token, userinfo and discovery.
        case(
            "skip-issuer-check",
            vec![
                ("id_token.issuer_audience.1", F),
                ("discovery.discovery.1", F),
            ],
        ),
        case(
            "skip-audience-check",
            vec![
                ("id_token.issuer_audience.2", F),
                ("id_token.issuer_audience.3", F),
                ("id_token.issuer_audience.4", W),
            ],
        ),
        // Core §3.1.3.7 item 6: a token-endpoint ID token may go unverified (should).
        case(
            "skip-signature-check",
            vec![
                ("id_token.signature.1", W),
                ("id_token.signature.2", W),
                ("id_token.signature.3", W),
                ("id_token.signature.4", W),
            ],
        ),
        Case {
            flags: vec!["--strict"],
            exit: 1,
            ..case(
                "skip-signature-check",
                vec![
                    ("id_token.signature.1", F),
                    ("id_token.signature.2", F),
                    ("id_token.signature.3", F),
                    ("id_token.signature.4", F),
                ],
            )
        },
        case(
            "accept-alg-none",
            vec![("id_token.signature.2", W), ("id_token.signature.3", W)],
        ),
        // The replayed token still fails the at_hash check...
        case(
            "ignore-nonce",
            vec![("id_token.nonce.1", F), ("id_token.nonce.2", F)],
        ),
        // ...unless that is skipped too.
        case(
            "ignore-nonce,skip-at-hash-check",
            vec![
                ("id_token.nonce.1", F),
                ("id_token.nonce.2", F),
                ("id_token.nonce.3", F),
            ],
        ),
        case("ignore-exp", vec![("id_token.claims.1", F)]),
        case(
            "lenient-claims",
            vec![("id_token.claims.2", F), ("id_token.claims.3", F)],
        ),
        case("ignore-iat", vec![("id_token.claims.4", W)]),
        case("skip-at-hash-check", vec![("id_token.claims.5", W)]),
        // The same mistake meets AWS Cognito's userinfo (C3).
        case(
            "strict-booleans",
            vec![("id_token.claims.6", W), ("cognito.userinfo.1", W)],
        ),
        case("require-kid", vec![("id_token.keys.1", F)]),
        // Refusing is fine for several keys without kid; crashing is not.
        case(
            "require-kid,crash-on-invalid-token",
            vec![("id_token.keys.1", F), ("id_token.keys.2", F)],
        ),
        case("cache-jwks-forever", vec![("id_token.keys.3", F)]),
        // An app that dies on a token it refuses is a crash, not a refusal.
        case(
            "crash-on-invalid-token",
            vec![
                ("id_token.issuer_audience.1", F),
                ("id_token.issuer_audience.2", F),
                ("id_token.issuer_audience.3", F),
                ("id_token.issuer_audience.4", F),
            ],
        ),
        // An HTTP 500 error page (Auth.js's way) is still a refusal: a warning.
        Case {
            warn: vec![
                ("id_token.issuer_audience.1", REFUSED_5XX),
                ("id_token.issuer_audience.2", REFUSED_5XX),
                ("id_token.issuer_audience.3", REFUSED_5XX),
                ("id_token.issuer_audience.4", REFUSED_5XX),
            ],
            also: vec!["id_token.issuer_audience.1"],
            ..case("refuse-with-500", vec![])
        },
        case(
            "ignore-userinfo-sub-mismatch",
            vec![("userinfo.userinfo.1", F)],
        ),
        // Without userinfo, the thin token leaves no email; the other subject's answer
        // is never seen, so that check proves nothing.
        case(
            "skip-userinfo",
            vec![("userinfo.userinfo.1", NE), ("userinfo.userinfo.2", W)],
        ),
        case("replayable-callback", vec![("callback.replay.1", F)]),
        // An app that never answers its callback is blamed for that, not the login form.
        case(
            "hang-on-callback",
            vec![("jumpcloud.redirect_uri.1", F), (WHOLE, F)],
        ),
        // An app that cannot sign in at all: nothing is exercised, nothing passes, and
        // the run fails.
        Case {
            exit: 1,
            ..case(
                "no-sign-in",
                vec![
                    ("jumpcloud.state.1", NE),
                    ("jumpcloud.state.2", NE),
                    ("id_token.signature.1", NE),
                    ("id_token.signature.2", NE),
                    ("id_token.signature.3", NE),
                    ("id_token.signature.4", NE),
                ],
            )
        },
    ]
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every shipped check of the web app (`Target: app`): id → feature file (relative to
/// the workspace). CLI and API checks have their own matrix (`self_test_targets.rs`).
fn shipped() -> BTreeMap<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args(["checks", "--json"])
        .output()
        .expect("stickler checks runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    checks
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["target"] == "app")
        .map(|c| {
            let loc = c["location"].as_str().unwrap_or_default();
            let file = loc.rsplit_once(':').map_or(loc, |(f, _)| f);
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                file.to_string(),
            )
        })
        .collect()
}

struct Outcome {
    code: i32,
    /// id → verdict.
    verdicts: BTreeMap<String, String>,
    /// id → warning kinds.
    warnings: BTreeMap<String, Vec<String>>,
    report: serde_json::Value,
    junit: String,
    stdout: String,
}

/// Numbers the runs of this process, so that two tests running the same bugs never share
/// a report folder.
static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn run_suite(bugs: Option<&str>, features: &[String], flags: &[&str], scenario: &Path) -> Outcome {
    // One folder per run: the tests of this file run in parallel.
    let dir = std::env::temp_dir().join(format!(
        "stickler-selftest-{}-{}-{}-{}{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        scenario.file_stem().unwrap_or_default().to_string_lossy(),
        bugs.unwrap_or("none").replace(',', "+"),
        // The mode flags (`--strict`), not the `--check` selection.
        flags
            .iter()
            .filter(|f| f.starts_with("--") && **f != "--check")
            .copied()
            .collect::<String>()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let json = dir.join("report.json");
    let junit = dir.join("report.xml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stickler"));
    cmd.current_dir(workspace())
        .arg("run")
        .arg(scenario)
        .arg("--report-dir")
        .arg(&dir)
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .args(flags)
        .env_remove("DEMO_RP_BUGS");
    for f in features {
        cmd.args(["--features", f]);
    }
    if let Some(b) = bugs {
        cmd.env("DEMO_RP_BUGS", b);
    }
    let out = cmd.output().expect("stickler runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value = std::fs::read(&json)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| {
            panic!("no JSON report for bugs {bugs:?}\nstdout:\n{stdout}\nstderr:\n{stderr}")
        });
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let id = |c: &serde_json::Value| c["id"].as_str().unwrap_or_default().to_string();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        verdicts: checks
            .iter()
            .map(|c| (id(c), c["verdict"].as_str().unwrap_or_default().to_string()))
            .collect(),
        warnings: checks
            .iter()
            .map(|c| {
                let kinds = c["warnings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w["kind"].as_str().map(str::to_string))
                    .collect();
                (id(c), kinds)
            })
            .collect(),
        report,
        junit: std::fs::read_to_string(&junit).unwrap_or_default(),
        stdout,
    }
}

fn reason_of<'a>(o: &'a Outcome, check: &str) -> &'a str {
    o.report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == check))
        .and_then(|c| c["reason"].as_str())
        .unwrap_or("")
}

/// Each difference between expected and actual verdicts, naming the check, both
/// verdicts and the evidence folder.
fn differences(
    label: &str,
    expected: &BTreeMap<String, String>,
    o: &Outcome,
    want_exit: i32,
) -> Vec<String> {
    let mut out = Vec::new();
    for (id, want) in expected {
        let got = o.verdicts.get(id).map_or("not run", String::as_str);
        if got != want {
            let dir = o.report["checks"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["id"] == id.as_str()))
                .and_then(|c| c["files"]["dir"].as_str())
                .unwrap_or("-")
                .to_string();
            out.push(format!(
                "{label}: {id}: expected {want}, got {got} ({}) — evidence {dir}",
                reason_of(o, id)
            ));
        }
    }
    for id in o.verdicts.keys().filter(|id| !expected.contains_key(*id)) {
        out.push(format!("{label}: {id} ran but was not expected to"));
    }
    if o.code != want_exit {
        out.push(format!("{label}: exit {} (want {want_exit})", o.code));
    }
    if !out.is_empty() {
        out.push(o.stdout.clone());
    }
    out
}

/// The correct app passes the whole suite the scenario file names; every difference.
fn judge_correct_app(all: &BTreeMap<String, String>, scenario: &Path) -> Vec<String> {
    let correct = run_suite(None, &[], &[], scenario);
    let everything: BTreeMap<String, String> =
        all.keys().map(|id| (id.clone(), P.to_string())).collect();
    let mismatches = differences("correct app", &everything, &correct, 0);
    assert!(
        correct
            .stdout
            .trim_end()
            .ends_with(&format!("{} passed, 0 failed", all.len())),
        "{}",
        correct.stdout
    );
    assert!(
        correct.junit.contains(&format!(
            "<testsuites name=\"stickler\" tests=\"{}\" failures=\"0\"",
            all.len()
        )),
        "{}",
        correct.junit
    );
    mismatches
}

/// What one run of the matrix found: every difference from its expected verdicts, and
/// the checks it failed or warned.
type Judged = (Vec<String>, BTreeSet<String>);

/// Runs one bug's case.
fn judge_case(c: &Case, all: &BTreeMap<String, String>, scenario: &Path) -> Judged {
    let mut mismatches = Vec::new();
    let mut not_passed_somewhere = BTreeSet::new();
    // The checks named, and only those (`--check`, which also proves that the
    // selection runs exactly them, under their own ids); the correct app's run
    // proves each of them able to pass.
    let named: Vec<&str> = c
        .expect
        .iter()
        .map(|(id, _)| *id)
        .chain(c.also.iter().copied())
        .chain(c.warn.iter().map(|(id, _)| *id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut expected: BTreeMap<String, String> = named
        .iter()
        .map(|id| {
            assert!(all.contains_key(*id), "{id} is no shipped web check");
            (id.to_string(), P.to_string())
        })
        .collect();
    for (id, v) in &c.expect {
        expected.insert(id.to_string(), v.to_string());
    }
    let mut flags = c.flags.clone();
    for id in &named {
        flags.extend(["--check", id]);
    }
    let label = format!("--bug {} {}", c.bugs, c.flags.join(" "));
    let o = run_suite(Some(c.bugs), &[], &flags, scenario);
    mismatches.extend(differences(&label, &expected, &o, c.exit));
    for (id, kind) in &c.warn {
        if !o
            .warnings
            .get(*id)
            .is_some_and(|ks| ks.iter().any(|k| k == kind))
        {
            mismatches.push(format!(
                "{label}: {id} lacks the warning `{kind}`: {:?}",
                o.warnings.get(*id)
            ));
        }
    }
    // JUnit counts what JSON counts: failures, and skips as <skipped>.
    let failed = o.verdicts.values().filter(|v| *v == F).count();
    let skipped = o.verdicts.values().filter(|v| *v == NE || *v == NA).count();
    if !o.junit.contains(&format!(
        "tests=\"{}\" failures=\"{failed}\"",
        o.verdicts.len()
    )) || o.junit.matches("<skipped").count() != skipped
    {
        mismatches.push(format!("{label}: JUnit disagrees with JSON:\n{}", o.junit));
    }
    // The diagnosis names the real cause where a single check is about it.
    match c.bugs {
        "no-state" => {
            let m = reason_of(&o, "jumpcloud.state.1");
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
        "auth-basic-always" => {
            let m = reason_of(&o, "jumpcloud.client_auth.1");
            assert!(
                m.contains("`basic`") && m.contains("client_secret_post"),
                "{m}"
            );
        }
        "short-nonce" => assert!(
            reason_of(&o, "jumpcloud.pkce_nonce.2").contains("insufficient_entropy"),
            "{}",
            o.stdout
        ),
        "plain-pkce" => assert!(
            reason_of(&o, "jumpcloud.pkce_nonce.1").contains("plain"),
            "{}",
            o.stdout
        ),
        "crash-on-idp-error" | "crash-on-invalid-token" => {
            let id = if c.bugs == "crash-on-idp-error" {
                "jumpcloud.groups.1"
            } else {
                "id_token.issuer_audience.1"
            };
            let m = reason_of(&o, id);
            assert!(m.contains("crashed") && m.contains("exited"), "{m}");
        }
        "hang-on-callback" => {
            let m = reason_of(&o, "jumpcloud.redirect_uri.1");
            assert!(
                m.contains("did not answer its callback") && m.contains("/callback?code=***"),
                "{m}"
            );
        }
        "skip-userinfo" => {
            let m = reason_of(&o, "userinfo.userinfo.1");
            assert!(m.contains("never called userinfo"), "{m}");
        }
        _ => {}
    }
    for (id, v) in &o.verdicts {
        if v == F || v == W {
            not_passed_somewhere.insert(id.clone());
        }
    }
    (mismatches, not_passed_somewhere)
}

/// How many runs of the matrix go at once: one `stickler run` of a few checks leaves
/// much of the machine idle (starting the app, chromedriver and Chromium is mostly
/// waiting). `STICKLER_SELFTEST_JOBS` overrides it.
fn jobs() -> usize {
    std::env::var("STICKLER_SELFTEST_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .filter(|j| *j > 0)
        .unwrap_or(2)
}

#[test]
fn the_matrix_proves_every_check_can_pass_and_fail() {
    let all = shipped();
    let scenario = workspace().join("scenarios/demo-rp.toml");
    let cases = cases();
    // Each worker takes the next run: the correct app's (the longest) first, then the
    // bugs' in order. Results are put back in that order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<BTreeMap<usize, Judged>> = std::sync::Mutex::default();
    std::thread::scope(|s| {
        for _ in 0..jobs() {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let result = match i {
                        0 => (judge_correct_app(&all, &scenario), BTreeSet::new()),
                        i if i <= cases.len() => judge_case(&cases[i - 1], &all, &scenario),
                        _ => break,
                    };
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(i, result);
                }
            });
        }
    });
    let mut mismatches = Vec::new();
    let mut not_passed_somewhere = BTreeSet::new();
    for (m, caught) in results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_values()
    {
        mismatches.extend(m);
        not_passed_somewhere.extend(caught);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
    // Every check is failed or warned by some bug: each can fail, and each passes above.
    let never: Vec<_> = all
        .keys()
        .filter(|id| !not_passed_somewhere.contains(*id))
        .collect();
    assert!(
        never.is_empty(),
        "checks no bug switch makes fail: {never:?}"
    );
}

/// A scenario file that says the app is wired to one client authentication method, and
/// sets a quirk on every tenant: the other method's check is not applicable.
#[test]
fn a_declared_auth_method_makes_the_other_check_not_applicable() {
    let text = std::fs::read_to_string(workspace().join("scenarios/demo-rp.toml")).expect("read");
    let text = text
        .replace("\"{token_endpoint_auth_method}\"", "\"client_secret_post\"")
        .replace(
            "[client]\n",
            "[client]\ntoken_endpoint_auth_method = \"client_secret_post\"\n",
        )
        .replace(
            "workdir = \"..\"",
            &format!("workdir = {:?}", workspace().display().to_string()),
        )
        .replace(
            "\"../features/",
            &format!("\"{}/features/", workspace().display()),
        )
        + "\n[quirks]\ngroups_claim = \"groups\"\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("wired-post.toml");
    std::fs::write(&scenario, text).expect("write");
    let o = run_suite(
        None,
        &[
            "features/jumpcloud/client_auth.feature".into(),
            "features/jumpcloud/groups.feature".into(),
        ],
        &[],
        &scenario,
    );
    let expected: BTreeMap<String, String> = [
        ("jumpcloud.client_auth.1", P),
        ("jumpcloud.client_auth.2", NA),
        ("jumpcloud.groups.1", P),
        ("jumpcloud.groups.2", P),
        ("jumpcloud.groups.3", P),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let diffs = differences("wired to client_secret_post", &expected, &o, 0);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    assert!(reason_of(&o, "jumpcloud.client_auth.2").contains("wired to `client_secret_post`"));
    assert!(
        o.stdout
            .trim_end()
            .ends_with("4 passed, 0 failed, 1 skipped"),
        "{}",
        o.stdout
    );
    // The scenario's quirk reached the tenant: the app was told the groups claim is
    // `groups` (JumpCloud's profile says `memberOf`).
    let log = o.report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == "jumpcloud.groups.2"))
        .and_then(|c| c["files"]["app_log"].as_str())
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .unwrap_or_default();
    assert!(log.contains("--groups-claim groups "), "{log}");
}
