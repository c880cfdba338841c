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
    Some(pids()?.filter(|pid| group_of(*pid) == Some(pgid)).collect())
}

/// Every pid in `/proc`; `None` without `/proc`.
pub fn pids() -> Option<impl Iterator<Item = u32>> {
    let dir = std::fs::read_dir("/proc").ok()?;
    Some(
        dir.flatten()
            .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok()),
    )
}

/// The process group of `pid` while it lives (zombies and the gone have none).
pub fn group_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
    let close = stat.rfind(')')?;
    let mut fields = stat[close + 1..].split_whitespace();
    let state = fields.next();
    if matches!(state, Some("Z" | "X")) {
        return None;
    }
    fields.nth(1).and_then(|g| g.parse::<u32>().ok())
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

/// A child started as the leader of its own process group, and the one owner that ends
/// the group: [`ProcessGroup::end`] gently, or `Drop` at once (error paths, Ctrl-C).
///
/// The group id is kept from the start, so the group is still reached after its leader
/// has exited and been reaped while members live on. It is signalled only while
/// `/proc` shows live members: a pid is not reused while it is some group's id, so a
/// group with members is still the one we started.
#[derive(Debug)]
pub struct ProcessGroup {
    child: tokio::process::Child,
    pgid: u32,
}

impl ProcessGroup {
    /// Spawns `command` as the leader of a new group (`process_group(0)` is set here).
    pub fn spawn(command: &mut tokio::process::Command) -> std::io::Result<Self> {
        // The run's mark finds the group even if the runner dies before the watchdog is
        // told of it below (see `watchdog`).
        if let Some((var, mark)) = crate::watchdog::mark() {
            command.env(var, mark);
        }
        let child = command.process_group(0).kill_on_drop(true).spawn()?;
        let pgid = child
            .id()
            .ok_or_else(|| std::io::Error::other("the child had no pid right after spawn"))?;
        crate::watchdog::group_started(pgid);
        Ok(ProcessGroup { child, pgid })
    }

    /// The group id, which is the leader's pid.
    #[cfg(test)]
    pub fn pgid(&self) -> u32 {
        self.pgid
    }

    /// The leader's piped stdout and stderr, once (`None` when not piped).
    pub fn take_output(
        &mut self,
    ) -> (
        Option<tokio::process::ChildStdout>,
        Option<tokio::process::ChildStderr>,
    ) {
        (self.child.stdout.take(), self.child.stderr.take())
    }

    /// Waits for the leader to exit (members may live on; [`ProcessGroup::end`] ends them).
    pub async fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait().await
    }

    /// The leader's exit status, if it has exited (it is reaped then).
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Whether the leader has exited and no member of the group is left.
    fn gone(&mut self) -> bool {
        self.try_wait().is_some() && !group_alive(self.pgid)
    }

    /// SIGTERM to the group, up to `grace` for it to go, then SIGKILL; returns once the
    /// group is gone (or after a bounded wait for the kernel to deliver the kill).
    pub async fn end(mut self, grace: Duration) {
        if self.gone() {
            return;
        }
        signal_group(self.pgid, Signal::SIGTERM);
        let deadline = tokio::time::Instant::now() + grace;
        while !self.gone() {
            if tokio::time::Instant::now() >= deadline {
                signal_group(self.pgid, Signal::SIGKILL);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // SIGKILL lands when each member is next scheduled; on a busy machine that takes
        // a moment, and the leader is reaped only by waiting on it.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while group_alive(self.pgid) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        // Not ended (an error path or Ctrl-C): no time to be gentle. `end` leaves nothing
        // alive, so this is a no-op after it.
        if group_alive(self.pgid) {
            signal_group(self.pgid, Signal::SIGKILL);
        }
        crate::watchdog::group_ended(self.pgid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_group_that_ignores_sigterm_is_killed_after_the_grace() {
        let group = ProcessGroup::spawn(
            tokio::process::Command::new("sh").args(["-c", "trap '' TERM; sleep 30 & sleep 30"]),
        )
        .expect("sh starts");
        let pgid = group.pgid();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(group_alive(pgid));
        let t0 = std::time::Instant::now();
        group.end(Duration::from_millis(300)).await;
        assert!(t0.elapsed() < Duration::from_secs(5));
        assert!(!group_alive(pgid), "left: {:?}", live_members(pgid));
    }

    #[tokio::test]
    async fn members_left_by_a_leader_that_exited_are_still_ended() {
        let mut group = ProcessGroup::spawn(
            tokio::process::Command::new("sh").args(["-c", "sleep 30 & exit 0"]),
        )
        .expect("sh starts");
        let pgid = group.pgid();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while group.try_wait().is_none() {
            assert!(std::time::Instant::now() < deadline, "sh never exited");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            group_alive(pgid),
            "the orphaned sleep lives on in the group"
        );
        group.end(Duration::from_millis(500)).await;
        assert!(!group_alive(pgid), "left: {:?}", live_members(pgid));
    }

    #[tokio::test]
    async fn dropping_a_group_kills_it() {
        let group = ProcessGroup::spawn(
            tokio::process::Command::new("sh").args(["-c", "sleep 30 & sleep 30"]),
        )
        .expect("sh starts");
        let pgid = group.pgid();
        drop(group);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while group_alive(pgid) {
            assert!(
                std::time::Instant::now() < deadline,
                "left: {:?}",
                live_members(pgid)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
