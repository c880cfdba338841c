//! No process `stickler run` starts (chromedriver, Chromium, the app) outlives it: after
//! a passing run, after a failing run, and after Ctrl-C. The test watches the process
//! tree under the runner while it works, then checks every process it saw is gone.

use std::collections::BTreeMap;
mod support;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{descendants, processes};

/// Starts a run with its reports in `report` and its temporary files in `report.tmp`.
fn stickler(args: &[&str], bug: Option<&str>, report: &Path) -> Child {
    let tmp = report.with_extension("tmp");
    std::fs::create_dir_all(&tmp).expect("a TMPDIR for the run");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stickler"));
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args(["run", "scenarios/demo-rp.toml", "--report-dir"])
        .arg(report)
        .args(args)
        .env("TMPDIR", &tmp)
        .env_remove("DEMO_RP_BUGS")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(b) = bug {
        cmd.env("DEMO_RP_BUGS", b);
    }
    cmd.spawn().expect("stickler starts")
}

/// Watches the tree until the child exits (or `stop_when` says to interrupt it).
fn watch(
    child: Child,
    stop_when: impl FnMut(&BTreeMap<u32, String>) -> bool,
) -> (i32, BTreeMap<u32, String>) {
    watch_and_signal(child, stop_when, nix::sys::signal::Signal::SIGINT)
}

/// Watches the tree until the child exits; sends it `signal` once `stop_when` says so.
fn watch_and_signal(
    mut child: Child,
    mut stop_when: impl FnMut(&BTreeMap<u32, String>) -> bool,
    signal: nix::sys::signal::Signal,
) -> (i32, BTreeMap<u32, String>) {
    let root = child.id();
    let mut seen = BTreeMap::new();
    let mut interrupted = false;
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            return (status.code().unwrap_or(-1), seen);
        }
        let now = descendants(root);
        seen.extend(now.clone());
        if !interrupted && stop_when(&seen) {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(root as i32), signal)
                .expect("signal sent");
            interrupted = true;
        }
        assert!(Instant::now() < deadline, "stickler did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_all_gone(seen: &BTreeMap<u32, String>) {
    // Give the kernel a moment to reap what was killed last.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let alive = processes();
        let left: Vec<_> = seen
            .iter()
            .filter(|(pid, _)| alive.contains_key(pid))
            .collect();
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left running after stickler exited: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Nothing of the run is left in its TMPDIR: no Chromium profile, no chromedriver
/// folder, none of Chromium's own scratch folders.
fn assert_no_profiles_left(report: &Path) {
    let tmp = report.with_extension("tmp");
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left: Vec<_> = std::fs::read_dir(&tmp)
            .expect("the run's TMPDIR")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left behind in {}: {left:?}",
            tmp.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn has(seen: &BTreeMap<u32, String>, name: &str) -> bool {
    seen.values().any(|n| n.starts_with(name))
}

#[test]
fn nothing_survives_a_passing_a_failing_or_an_interrupted_run() {
    let tmp = std::env::temp_dir().join(format!("stickler-cleanup-{}", std::process::id()));

    let (code, seen) = watch(
        stickler(&["--tags", "@issuer"], None, &tmp.join("pass")),
        |_| false,
    );
    assert_eq!(code, 0);
    assert!(
        has(&seen, "chromedriver") && has(&seen, "demo-rp") && has(&seen, "chromium"),
        "{seen:?}"
    );
    assert_all_gone(&seen);
    assert_no_profiles_left(&tmp.join("pass"));

    let (code, seen) = watch(
        stickler(
            &["--tags", "@errors"],
            Some("crash-on-idp-error"),
            &tmp.join("fail"),
        ),
        |_| false,
    );
    assert_eq!(code, 1);
    assert!(has(&seen, "demo-rp"), "{seen:?}");
    assert_all_gone(&seen);
    assert_no_profiles_left(&tmp.join("fail"));

    // Interrupt once an app and a browser are up.
    let (code, seen) = watch(stickler(&[], None, &tmp.join("ctrl-c")), |seen| {
        has(seen, "demo-rp") && seen.values().filter(|n| n.starts_with("chromium")).count() > 2
    });
    assert_eq!(code, 130, "Ctrl-C exits 130");
    assert_all_gone(&seen);
    assert_no_profiles_left(&tmp.join("ctrl-c"));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// SIGKILL (a CI job's timeout) cannot be caught: the run's watchdog, told of every
/// process group and folder, ends them when the runner's pipe to it closes.
#[test]
fn nothing_survives_a_sigkill_of_the_runner() {
    let tmp = std::env::temp_dir().join(format!("stickler-sigkill-{}", std::process::id()));
    let (code, seen) = watch_and_signal(
        stickler(&[], None, &tmp.join("kill")),
        |seen| {
            has(seen, "demo-rp") && seen.values().filter(|n| n.starts_with("chromium")).count() > 2
        },
        nix::sys::signal::Signal::SIGKILL,
    );
    assert_eq!(code, -1, "killed by a signal");
    assert!(
        has(&seen, "chromedriver") && has(&seen, "demo-rp"),
        "{seen:?}"
    );
    assert_all_gone(&seen);
    assert_no_profiles_left(&tmp.join("kill"));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Chromium binds a Unix socket below its TMPDIR, whose path may not pass 107 bytes: in a
/// long TMPDIR the run must still start browsers (chromedriver then keeps that TMPDIR
/// rather than a folder of its own below it) and leave nothing behind.
#[test]
fn a_long_tmpdir_still_works_and_is_left_clean() {
    let base = std::env::temp_dir().join(format!(
        "stickler-long-tmpdir-{}-{}",
        std::process::id(),
        "x".repeat(40)
    ));
    let report = base.join("report");
    let (code, seen) = watch(stickler(&["--tags", "@issuer"], None, &report), |_| false);
    assert_eq!(code, 0);
    assert!(has(&seen, "chromium"), "{seen:?}");
    assert_all_gone(&seen);
    assert_no_profiles_left(&report);
    let _ = std::fs::remove_dir_all(&base);
}
