//! The run's last owner: a small child process (`stickler __watchdog`) told of every
//! process group and temporary folder the run starts. When the runner dies without
//! ending them itself (SIGKILL, a CI job's timeout: nothing in the runner can catch
//! that), the kernel closes the pipe to the watchdog, which then kills those groups and
//! removes those folders. A run that ends normally says `done` first.
//!
//! The watchdog sits in its own process group, so a Ctrl-C at the terminal does not end
//! it before the runner has cleaned up.
//!
//! A group is told to the watchdog only once `spawn` has returned its pid, so a SIGKILL
//! in between would leave it unknown. Every process the run starts therefore also carries
//! the run's mark in its environment ([`MARK_VAR`], a value unique to the run), and the
//! watchdog also kills every process whose environment holds that mark: the ones it was
//! never told of, and their children that left the group.

use crate::process::{group_alive, signal_group};
use nix::sys::signal::Signal;
use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

/// The pipe to the watchdog and the watchdog itself, while a run has one.
static PIPE: Mutex<Option<(ChildStdin, Child)>> = Mutex::new(None);

/// The environment variable that marks every process a run starts.
pub const MARK_VAR: &str = "STICKLER_RUN";

/// This run's mark, once its watchdog runs.
static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The variable and value to put in the environment of every process the run starts;
/// `None` without a watchdog.
pub fn mark() -> Option<(&'static str, &'static str)> {
    MARK.get().map(|m| (MARK_VAR, m.as_str()))
}

/// Starts the watchdog for this run; without one (it could not start) the run goes on,
/// only without protection against SIGKILL.
pub fn start() {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let spawned = Command::new(exe)
        .arg("__watchdog")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
    match spawned {
        Ok(mut child) => {
            if let Some(stdin) = child.stdin.take() {
                *PIPE.lock().unwrap_or_else(|p| p.into_inner()) = Some((stdin, child));
                // Unique to this run: the runner's pid and the time it started.
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                let mark = MARK.get_or_init(|| format!("{}-{nanos}", std::process::id()));
                tell(&format!("mark {mark}"));
            }
        }
        Err(e) => tracing::warn!("no watchdog for this run: {e}"),
    }
}

/// Tells the watchdog one fact (a no-op without a watchdog, e.g. in unit tests).
fn tell(line: &str) {
    if let Some((stdin, _)) = PIPE.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        let _ = writeln!(stdin, "{line}");
        let _ = stdin.flush();
    }
}

/// A process group the run started.
pub fn group_started(pgid: u32) {
    tell(&format!("+group {pgid}"));
}

/// A process group the run has ended: its id may be reused, so it must not be killed.
pub fn group_ended(pgid: u32) {
    tell(&format!("-group {pgid}"));
}

/// A temporary folder the run made.
pub fn folder_made(path: &std::path::Path) {
    tell(&format!("+dir {}", path.display()));
}

/// The run ended everything itself: the watchdog leaves.
pub fn finish() {
    if let Some((mut stdin, mut child)) = PIPE.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = writeln!(stdin, "done");
        drop(stdin);
        let _ = child.wait();
    }
}

/// What the watchdog knows.
#[derive(Debug, Default, PartialEq)]
struct Watched {
    groups: BTreeSet<u32>,
    folders: BTreeSet<PathBuf>,
    /// The run's mark ([`MARK_VAR`]'s value), once told.
    mark: Option<String>,
    done: bool,
}

impl Watched {
    fn take(&mut self, line: &str) {
        match line.split_once(' ') {
            Some(("+group", n)) => {
                self.groups.extend(n.parse::<u32>());
            }
            Some(("-group", n)) => {
                if let Ok(n) = n.parse::<u32>() {
                    self.groups.remove(&n);
                }
            }
            Some(("+dir", p)) => {
                self.folders.insert(PathBuf::from(p));
            }
            Some(("mark", m)) if !m.is_empty() => self.mark = Some(m.to_string()),
            _ if line == "done" => self.done = true,
            _ => {}
        }
    }
}

/// The watchdog's own life: listen until the pipe closes, then, unless the run said
/// `done`, kill every group still alive and remove every folder. Returns its exit code.
pub fn serve() -> u8 {
    let mut watched = Watched::default();
    for line in std::io::stdin().lock().lines() {
        match line {
            Ok(l) => watched.take(l.trim()),
            Err(_) => break,
        }
    }
    if watched.done {
        return 0;
    }
    for pgid in &watched.groups {
        if group_alive(*pgid) {
            signal_group(*pgid, Signal::SIGKILL);
        }
    }
    if let Some(mark) = &watched.mark {
        kill_marked(mark);
    }
    // Killed browsers may still be writing into their folders for a moment.
    for _ in 0..20 {
        for f in &watched.folders {
            let _ = std::fs::remove_dir_all(f);
        }
        if watched.folders.iter().all(|f| !f.exists()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    0
}

/// Kills every process carrying `mark` in its environment, with its group when it leads
/// one. A process the runner forked just before it died carries the mark only once it
/// has called `exec`, so the search goes on until it has found nothing three times.
fn kill_marked(mark: &str) {
    let entry = format!("{MARK_VAR}={mark}");
    let mut quiet = 0;
    for _ in 0..30 {
        let found = marked_processes(&entry);
        for (pid, pgid) in &found {
            if pid == pgid {
                signal_group(*pgid, Signal::SIGKILL);
            } else if let Ok(p) = i32::try_from(*pid) {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(p), Signal::SIGKILL);
            }
        }
        quiet = if found.is_empty() { quiet + 1 } else { 0 };
        if quiet == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The live processes (pid, process group) whose environment holds `entry` exactly.
fn marked_processes(entry: &str) -> Vec<(u32, u32)> {
    let own = std::process::id();
    let mut found = Vec::new();
    for pid in crate::process::pids().into_iter().flatten() {
        if pid == own {
            continue;
        }
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue; // gone, or not ours to read
        };
        if !environ.split(|b| *b == 0).any(|v| v == entry.as_bytes()) {
            continue;
        }
        if let Some(pgid) = crate::process::group_of(pid) {
            found.push((pid, pgid));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_keeps_what_is_started_and_forgets_what_is_ended() {
        let mut w = Watched::default();
        for l in [
            "+group 12",
            "+group 13",
            "-group 12",
            "+dir /tmp/x",
            "noise",
            "+group x",
            "mark 41-7",
        ] {
            w.take(l);
        }
        assert_eq!(w.groups, BTreeSet::from([13]));
        assert_eq!(w.folders, BTreeSet::from([PathBuf::from("/tmp/x")]));
        assert_eq!(w.mark.as_deref(), Some("41-7"));
        assert!(!w.done);
        w.take("done");
        assert!(w.done);
    }
}
