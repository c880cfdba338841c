//! The run's last owner: a small child process (`stickler __watchdog`) told of every
//! process group and temporary folder the run starts. When the runner dies without
//! ending them itself (SIGKILL, a CI job's timeout: nothing in the runner can catch
//! that), the kernel closes the pipe to the watchdog, which then kills those groups and
//! removes those folders. A run that ends normally says `done` first.
//!
//! The watchdog sits in its own process group, so a Ctrl-C at the terminal does not end
//! it before the runner has cleaned up.

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
        ] {
            w.take(l);
        }
        assert_eq!(w.groups, BTreeSet::from([13]));
        assert_eq!(w.folders, BTreeSet::from([PathBuf::from("/tmp/x")]));
        assert!(!w.done);
        w.take("done");
        assert!(w.done);
    }
}
