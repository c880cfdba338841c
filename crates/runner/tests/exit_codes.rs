//! The `stickler` binary's exit codes and messages for what goes wrong before any check
//! runs: usage and configuration errors (2) name the file, line and key; environment
//! errors (3) say what is missing and how to fix it. Also `--dry-run` (0 or 2, nothing
//! started) and a `signed_in` selector that never matched a signed-in page (2, the
//! scenario file's mistake).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stickler(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stickler"));
    cmd.current_dir(workspace()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("stickler runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stickler-exit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn configuration_errors_exit_2_naming_file_line_and_key() {
    let dir = scratch("config");
    let scenario = dir.join("app.toml");
    std::fs::write(&scenario, "name = \"x\"\nfeaturs = [\"a\"]\n").unwrap();
    let o = stickler(&["run", scenario.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("{}:2:", scenario.display())) && e.contains("unknown key `featurs`"),
        "{e}"
    );

    // An API that already runs needs the tenant it trusts.
    let api = dir.join("api.toml");
    std::fs::write(
        &api,
        "name = \"x\"\n[api]\nurl = \"http://127.0.0.1:1\"\naudience = \"a\"\npath = \"/x\"\n",
    )
    .unwrap();
    let o = stickler(&["run", api.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("{}:3:", api.display())) && e.contains("needs `tenant` in [api]"),
        "{e}"
    );

    let idp = dir.join("idp.toml");
    std::fs::write(
        &idp,
        "[[tenant]]\nname = \"t\"\n[tenant.quirks]\nmin_state_length = \"eight\"\n",
    )
    .unwrap();
    let o = stickler(&["idp", "--config", idp.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("{}:4:", idp.display())) && e.contains("min_state_length"),
        "{e}"
    );

    let o = stickler(
        &[
            "run",
            "scenarios/demo-rp.toml",
            "--features",
            "features/nowhere",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("features/nowhere does not exist"));

    let o = stickler(
        &["run", "scenarios/demo-rp.toml", "--concurrency", "0"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run that would execute no check is a usage error, not a green build: a tag that
/// matches nothing, an empty feature folder, an unknown `--check`, a check without level.
#[test]
fn a_run_that_selects_no_check_exits_2() {
    let dir = scratch("selection");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "scenarios/demo-rp.toml"];
        args.extend_from_slice(extra);
        stickler(&args, &[])
    };
    let o = run(&["--tags", "@no-such-tag"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no check selected"), "{}", stderr(&o));

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(&["--features", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no check selected"), "{}", stderr(&o));

    let o = run(&["--check", "jumpcloud.state.9"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no check `jumpcloud.state.9`"),
        "{}",
        stderr(&o)
    );

    let area = dir.join("area");
    std::fs::create_dir_all(&area).unwrap();
    let bare = area.join("bare.feature");
    std::fs::write(
        &bare,
        "Feature: F\n  Scenario: S\n    Source: x\n    When carol signs in through the browser\n",
    )
    .unwrap();
    let o = run(&["--features", bare.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bare.feature:2") && stderr(&o).contains("Level:"),
        "{}",
        stderr(&o)
    );

    // An unknown step is a usage error before anything starts, at the step's line.
    let typo = area.join("typo.feature");
    std::fs::write(
        &typo,
        "Feature: F\n  Scenario: S\n    Source: x\n    Level: must — x\n    Exercised: authorize\n    Why: x\n    Fix: x\n\n    When carol sings in through the browser\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = run(&["--features", typo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("typo.feature:9") && stderr(&o).contains("sings in"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed().as_secs() < 5, "nothing started");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_driver_exits_3_and_says_how_to_fix_it() {
    let dir = scratch("driver");
    let report = dir.join("report");
    let o = stickler(
        &[
            "run",
            "scenarios/demo-rp.toml",
            "--features",
            "features/jumpcloud/state.feature",
            "--report-dir",
            report.to_str().unwrap(),
        ],
        &[("STICKLER_CHROMEDRIVER", "/nonexistent/chromedriver")],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("point STICKLER_CHROMEDRIVER at the binary"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_app_that_does_not_start_exits_3_with_its_output() {
    let dir = scratch("app");
    let scenario = dir.join("broken.toml");
    std::fs::write(
        &scenario,
        format!(
            r##"name = "Broken app"
features = ["{features}"]
[app]
command = ["sh", "-c", "echo 'missing AUTH_SECRET' >&2; exit 7"]
ready_url = "{{app_url}}/"
ready_timeout_secs = 5
[client]
redirect_uris = ["{{app_url}}/callback"]
[login]
start_url = "{{app_url}}/"
signed_in = "#user"
"##,
            features = workspace()
                .join("features/jumpcloud/state.feature")
                .display()
        ),
    )
    .unwrap();
    let report = dir.join("report");
    // A log left by an earlier run in the same folder is not quoted as this run's.
    std::fs::create_dir_all(&report).unwrap();
    std::fs::write(
        report.join("preflight-app.log"),
        "stale line of an earlier run\n",
    )
    .unwrap();
    let o = stickler(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--report-dir",
            report.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("exit status: 7") && e.contains("missing AUTH_SECRET"),
        "{e}"
    );
    assert!(!e.contains("stale line"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo app's scenario file, made to run from a scratch folder, with `edit` applied.
fn demo_scenario(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let ws = workspace().canonicalize().unwrap();
    let text = std::fs::read_to_string(ws.join("scenarios/demo-rp.toml"))
        .unwrap()
        .replace(
            "workdir = \"..\"",
            &format!("workdir = \"{}\"", ws.display()),
        )
        .replace("\"../features", &format!("\"{}/features", ws.display()));
    let path = dir.join("demo.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// `--dry-run` validates everything a run would check first, asks Chromium whether the
/// selectors parse, and starts nothing: no build, no app, no report folder.
#[test]
fn a_dry_run_validates_the_scenario_and_its_selectors_and_starts_nothing() {
    let dir = scratch("dry");
    let report = dir.join("report");
    let good = demo_scenario(&dir, |t| {
        // A build that would leave a trace if it ran.
        t.replace(
            "build = [\"cargo\", \"build\", \"-p\", \"stickler-demo-rp\"]",
            &format!("build = [\"touch\", \"{}/built\"]", dir.display()),
        )
    });
    let t0 = std::time::Instant::now();
    let o = stickler(
        &[
            "run",
            good.to_str().unwrap(),
            "--dry-run",
            "--report-dir",
            report.to_str().unwrap(),
        ],
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{}{out}", stderr(&o));
    assert!(out.contains("is valid; nothing was started"), "{out}");
    assert!(
        out.contains("signed_in = `#user` (line 31): Chromium parses it"),
        "{out}"
    );
    // The demo scenario names every web check (the self-test's correct run holds it to that).
    let listed = stickler(&["checks", "--json"], &[]);
    let web = serde_json::from_slice::<serde_json::Value>(&listed.stdout)
        .expect("checks json")
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["target"] == "app")
        .count();
    assert!(out.contains(&format!("checks:    {web} selected")), "{out}");
    assert!(!dir.join("built").exists(), "the build step ran");
    assert!(!report.exists(), "a dry run writes no report");
    eprintln!("dry run: {:.1} s", t0.elapsed().as_secs_f64());

    // A selector Chromium refuses: file, line, key and the browser's words; exit 2.
    let bad = demo_scenario(&dir, |t| {
        t.replace("click = \"#login\"", "click = \"#login[\"")
    });
    let o = stickler(&["run", bad.to_str().unwrap(), "--dry-run"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "{}:30: key `click` in [login]: `#login[` is not a CSS selector Chromium accepts",
            bad.display()
        )) && e.contains("is not a valid selector"),
        "{e}"
    );
    // What a run refuses before starting, a dry run refuses the same way.
    let o = stickler(
        &[
            "run",
            good.to_str().unwrap(),
            "--dry-run",
            "--check",
            "nope.x.1",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no check `nope.x.1`"), "{}", stderr(&o));
    let typo = demo_scenario(&dir, |t| {
        t.replace("[login]\n", "[login]\nsigned_inn = \"#x\"\n")
    });
    let o = stickler(&["run", typo.to_str().unwrap(), "--dry-run"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown key `signed_inn`"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `signed_in` selector that never matches while the page shows the signed-in user's
/// email is the scenario file's mistake: exit 2 naming the file, line and key, not a
/// failed check blamed on the app.
#[test]
fn a_signed_in_selector_that_never_matches_a_signed_in_page_exits_2() {
    let dir = scratch("selector");
    let report = dir.join("report");
    let scenario = demo_scenario(&dir, |t| {
        t.replace("signed_in = \"#user\"", "signed_in = \"#signed-in-user\"")
    });
    let o = stickler(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--check",
            "jumpcloud.issuer.1",
            "--report-dir",
            report.to_str().unwrap(),
        ],
        &[],
    );
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains(&format!(
            "error: {}:31: key `signed_in` in [login]: the selector `#signed-in-user` never matched",
            scenario.display()
        )) && e.contains("shows carol's email carol@example.com")
            && e.contains("found by jumpcloud.issuer.1"),
        "{e}"
    );
    // The correct selector passes the same check; the console says what is built and
    // started, streams the build's output, and counts the checks.
    let o = stickler(
        &[
            "run",
            demo_scenario(&dir, |t| t).to_str().unwrap(),
            "--check",
            "jumpcloud.issuer.1",
            "--report-dir",
            report.to_str().unwrap(),
        ],
        &[],
    );
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    assert!(
        e.contains("building Stickler demo app (openidconnect-rs): cargo build -p stickler-demo-rp")
            && e.contains("\n  build |     Finished `dev` profile")
            && e.contains("\nbuilt in ")
            && e.contains("starting Stickler demo app (openidconnect-rs) once against a lenient IdP (preflight)"),
        "{e}"
    );
    let build_log = std::fs::read_to_string(report.join("build.log")).unwrap();
    assert!(build_log.contains("Finished `dev` profile"), "{build_log}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("[1/1] ✓ jumpcloud.issuer.1"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
