//! Ending process groups this run started: SIGTERM, a grace period, then SIGKILL. Only
//! groups whose leader we spawned (pgid = the child's pid) are ever signalled.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::time::Duration;

/// Whether any process of the group is still there.
pub fn group_alive(pgid: u32) -> bool {
    i32::try_from(pgid).is_ok_and(|p| killpg(Pid::from_raw(p), None).is_ok())
}

/// Sends a signal to the group; errors (already gone) are ignored.
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
        return; // already reaped
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
    signal_group(pgid, Signal::SIGKILL);
    let _ = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
}
