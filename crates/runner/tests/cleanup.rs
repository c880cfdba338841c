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

/// A process the runner started but had not yet told the watchdog of (a SIGKILL right
/// after `spawn`) still carries the run's mark in its environment: the watchdog ends it,
/// and a child that left its group, and no unmarked process.
#[test]
fn the_watchdog_ends_marked_processes_it_was_never_told_of() {
    use std::io::Write as _;
    use std::os::unix::process::CommandExt as _;
    let mark = format!("test-{}", std::process::id());
    let mut watchdog = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .arg("__watchdog")
        .stdin(Stdio::piped())
        .spawn()
        .expect("the watchdog starts");
    let mut pipe = watchdog.stdin.take().expect("its pipe");
    writeln!(pipe, "mark {mark}").expect("told");
    // The app, in a group of its own, with a child that starts a group of its own too.
    let mut app = Command::new("sh")
        .args(["-c", "setsid sleep 300 & exec sleep 300"])
        .env("STICKLER_RUN", &mark)
        .process_group(0)
        .spawn()
        .expect("the app starts");
    let mut other = Command::new("sleep")
        .arg("300")
        .env("STICKLER_RUN", format!("{mark}-other"))
        .process_group(0)
        .spawn()
        .expect("an unmarked process starts");
    let marked = |pid: u32| {
        std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|e| {
            e.split(|b| *b == 0)
                .any(|v| v == format!("STICKLER_RUN={mark}").as_bytes())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut pids: Vec<u32> = Vec::new();
    while pids.len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        pids = processes().into_keys().filter(|p| marked(*p)).collect();
    }
    assert_eq!(pids.len(), 2, "the app and its setsid child: {pids:?}");
    drop(pipe); // the runner dies without saying `done`
    assert!(watchdog.wait().expect("the watchdog ends").success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut status = None;
    while status.is_none() && Instant::now() < deadline {
        status = app.try_wait().expect("status");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = status.is_some_and(|s| s.code().is_none());
    if !killed {
        let _ = app.kill();
    }
    let _ = app.wait();
    let other_alive = other.try_wait().expect("status").is_none();
    let _ = other.kill();
    let _ = other.wait();
    let gone = |pid: u32| {
        !Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.contains(") Z ") || s.contains(") X "))
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while !pids.iter().all(|p| gone(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<u32> = pids.iter().copied().filter(|p| !gone(*p)).collect();
    for pid in &left {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(*pid).expect("a pid")),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(killed, "the app was killed: {status:?}");
    assert!(left.is_empty(), "marked processes left: {left:?}");
    assert!(other_alive, "a process with another mark was left alone");
}
