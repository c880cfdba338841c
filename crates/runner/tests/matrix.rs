//! `stickler run --profiles`: the compatibility matrix of the demo app, through the real
//! binary, browser and IdP. With `auth-both` (credentials in the header and the body)
//! the app works with the lenient profile and breaks with Okta, whose cell names the
//! check and links to it in Okta's own report; the console, JSON and HTML agree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_matrix_shows_which_profile_breaks_the_app_and_why() {
    let dir = std::env::temp_dir().join(format!("stickler-matrix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let json = dir.join("matrix.json");
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(workspace())
        .args([
            "run",
            "scenarios/demo-rp.toml",
            "--profiles",
            "lenient,okta",
        ])
        .args([
            "--features",
            "features/discovery",
            "--features",
            "features/okta",
        ])
        .arg("--report-dir")
        .arg(&dir)
        .arg("--json")
        .arg(&json)
        .env("DEMO_RP_BUGS", "auth-both")
        .output()
        .expect("stickler runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");

    // The console.
    assert!(
        stdout.contains("Compatibility matrix: Stickler demo app"),
        "{stdout}"
    );
    assert!(stdout.contains("  ✓ lenient  works\n"), "{stdout}");
    assert!(
        stdout.contains("  ✗ okta     breaks    okta.client_auth.1: failed: "),
        "{stdout}"
    );

    // The JSON.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the matrix JSON")).unwrap();
    let cells = m["profiles"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0]["profile"], "lenient");
    assert_eq!(cells[0]["fare"], "works");
    let ids = |c: &serde_json::Value| -> Vec<String> {
        c["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect()
    };
    // The okta folder runs for Okta only.
    assert_eq!(ids(&cells[0]), ["discovery.discovery.1"]);
    assert_eq!(cells[1]["profile"], "okta");
    assert_eq!(cells[1]["fare"], "breaks");
    let cause = cells[1]["first_cause"].as_str().unwrap();
    assert!(cause.starts_with("okta.client_auth.1: failed: "), "{cause}");
    assert!(
        ids(&cells[1]).contains(&"okta.client_auth.1".to_string()),
        "{}",
        cells[1]
    );

    // The HTML: each cell links to its checks in the profile's own report.
    let html = std::fs::read_to_string(dir.join("index.html")).expect("the matrix page");
    assert!(
        html.contains(r#"data-profile="okta" data-fare="breaks""#),
        "{html}"
    );
    assert!(
        html.contains(r#"href="okta/index.html#check-okta.client_auth.1""#),
        "{html}"
    );
    let okta = std::fs::read_to_string(dir.join("okta/index.html")).expect("Okta's report");
    assert!(okta.contains(r#"id="check-okta.client_auth.1""#));
    assert!(dir.join("lenient/report.json").exists());
}

#[test]
fn profiles_and_junit_do_not_mix_and_unknown_profiles_are_named() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_stickler"))
            .current_dir(workspace())
            .args(["run", "scenarios/demo-rp.toml"])
            .args(args)
            .output()
            .expect("stickler runs")
    };
    let o = run(&["--profiles", "okta,octa"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("unknown profile `octa`"), "{e}");
    let o = run(&["--profiles", "all", "--junit", "x.xml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--junit reports one run"), "{e}");
}
