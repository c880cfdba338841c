//! Ending process groups this run started: SIGTERM, a grace period, then SIGKILL. Only
//! groups whose leader we spawned (pgid = the child's pid) are ever signalled.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::time::Duration;

/// Whether any live (non-zombie) process of the group is still there.
///
/// Zombies are left out: once a group is killed, its orphans are reaped by PID 1, which
/// in some containers happens only seconds later, and a zombie holds nothing. Without
/// `/proc`, any member counts, zombies included.
pub fn group_alive(pgid: u32) -> bool {
    match live_members(pgid) {
        Some(members) => !members.is_empty(),
        None => i32::try_from(pgid).is_ok_and(|p| killpg(Pid::from_raw(p), None).is_ok()),
    }
}

/// The pids of the group's live processes, read from `/proc`; `None` without `/proc`.
pub fn live_members(pgid: u32) -> Option<Vec<u32>> {
    let dir = std::fs::read_dir("/proc").ok()?;
    let mut members = Vec::new();
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue; // gone meanwhile
        };
        // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let mut fields = stat[close + 1..].split_whitespace();
        let state = fields.next();
        let group = fields.nth(1).and_then(|g| g.parse::<u32>().ok());
        if group == Some(pgid) && !matches!(state, Some("Z" | "X")) {
            members.push(pid);
        }
    }
    Some(members)
}

/// Sends a signal to the group; errors (already gone) are ignored. Never signals
/// groups 0 and 1 (ours and init's), whatever the caller passes.
pub fn signal_group(pgid: u32, sig: Signal) {
    if let Ok(p) = i32::try_from(pgid)
        && p > 1
    {
        let _ = killpg(Pid::from_raw(p), sig);
    }
}

/// SIGTERM, wait up to `grace` for the group to go, then SIGKILL. Reaps the leader.
pub async fn end_group(child: &mut tokio::process::Child, grace: Duration) {
    let Some(pgid) = child.id() else {
        return; // already reaped: its group id may belong to someone else by now
    };
    signal_group(pgid, Signal::SIGTERM);
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        let leader_done = matches!(child.try_wait(), Ok(Some(_)));
        if leader_done && !group_alive(pgid) {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The leader may be reaped already; its pid stays the group's id while any member
    // lives, so the group is still ours to kill.
    signal_group(pgid, Signal::SIGKILL);
    let _ = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_group_that_ignores_sigterm_is_killed_after_the_grace() {
        let mut child = tokio::process::Command::new("sh")
            .args(["-c", "trap '' TERM; sleep 30 & sleep 30"])
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("sh starts");
        let pgid = child.id().expect("running");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(group_alive(pgid));
        let t0 = std::time::Instant::now();
        end_group(&mut child, Duration::from_millis(300)).await;
        assert!(t0.elapsed() < Duration::from_secs(3));
        assert!(!group_alive(pgid), "left: {:?}", live_members(pgid));
    }
}
