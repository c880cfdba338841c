//! `stickler run --webdriver URL`: the browsers come from a WebDriver the runner did not
//! start (a grid, a chromedriver someone runs). The run uses it, ends every session it
//! opened there, and leaves the driver itself running; an unreachable one is exit 3.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{Killed, descendants, free_port};

fn stickler_run(webdriver: &str, report: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args(["run", "scenarios/demo-rp.toml", "--webdriver", webdriver])
        .args(["--features", "features/jumpcloud/state.feature"])
        .arg("--report-dir")
        .arg(report)
        .env_remove("DEMO_RP_BUGS")
        .env_remove("STICKLER_WEBDRIVER")
        .output()
        .expect("stickler runs")
}

/// The driver's open sessions (chromedriver answers `GET /sessions`).
fn sessions(driver: &str) -> Option<serde_json::Value> {
    let out = Command::new("curl")
        .args(["-sf", &format!("{driver}/sessions")])
        .output()
        .ok()?;
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .map(|v| v["value"].clone())
}

#[test]
fn a_webdriver_the_run_did_not_start_is_used_and_left_clean() {
    let chromedriver = std::env::var("STICKLER_CHROMEDRIVER").unwrap_or("chromedriver".into());
    let port = free_port();
    let driver = format!("http://127.0.0.1:{port}");
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts (scripts/ensure-browser installs it)");
    let pid = child.id();
    let _driver = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while sessions(&driver).is_none() {
        assert!(Instant::now() < deadline, "chromedriver did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }

    let report = tempfile::tempdir().unwrap();
    let o = stickler_run(&driver, report.path());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.trim_end().ends_with("2 passed, 0 failed"),
        "{stdout}"
    );
    // Every session the run opened is closed, and no browser is left under the driver.
    assert_eq!(sessions(&driver), Some(serde_json::json!([])));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = descendants(pid);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left under chromedriver: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The driver still serves: the run did not end what it had not started.
    assert!(sessions(&driver).is_some(), "chromedriver was stopped");
}

#[test]
fn an_unreachable_webdriver_is_an_environment_error() {
    let report = tempfile::tempdir().unwrap();
    let o = stickler_run(&format!("http://127.0.0.1:{}", free_port()), report.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("did not open a Chromium session") && err.contains("chromedriver"),
        "{err}"
    );
}
