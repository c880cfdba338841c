//! Temporary folders the run owns (Chromium profiles, chromedriver's TMPDIR): made here,
//! tracked until they are gone, and swept at the end of every run, also after Ctrl-C,
//! when sessions are dropped while their browsers are still being killed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Every folder made here. A removed one stays listed until the final sweep: a
/// browser being killed can still write into its folder, making it anew.
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn live() -> MutexGuard<'static, BTreeSet<PathBuf>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The part of a folder's name that says which run owns it: `p<pid>-`.
pub fn owner_tag() -> String {
    format!("p{}-", std::process::id())
}

/// A new empty folder in `dir`, named `<prefix>p<pid>-XXXXXX`, tracked until the sweep
/// and told to the watchdog.
fn folder_in(prefix: &str, dir: &Path) -> std::io::Result<PathBuf> {
    let path = tempfile::Builder::new()
        .prefix(&format!("{prefix}{}", owner_tag()))
        .tempdir_in(dir)?
        .keep();
    live().insert(path.clone());
    crate::watchdog::folder_made(&path);
    Ok(path)
}

/// Removes folders in `dir` that start with one of `prefixes` and whose owning run
/// (the pid in their name) is gone: what a run killed before its watchdog could act
/// left behind. Returns how many it removed.
pub fn sweep_stale(dir: &Path, prefixes: &[&str]) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = prefixes.iter().find_map(|p| name.strip_prefix(p)) else {
            continue;
        };
        let Some(pid) = rest
            .strip_prefix('p')
            .and_then(|r| r.split_once('-'))
            .and_then(|(n, _)| n.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() && std::fs::remove_dir_all(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Removes a folder. Chromium's last processes may still write to their
/// folders for a moment after a session ends or their group is killed (a removal then
/// meets a folder that is not empty), so it tries again for up to 2 s.
async fn remove(path: &Path) {
    let mut last = None;
    for _ in 0..20 {
        match std::fs::remove_dir_all(path) {
            Ok(()) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if path.exists()
        && let Some(e) = last
    {
        tracing::warn!("removing {} failed: {e}", path.display());
    }
}

/// A tracked folder removed when dropped (at once, as far as it can; the sweep at the
/// end of the run retries the rest).
#[derive(Debug)]
pub struct Folder(PathBuf);

impl Folder {
    /// A new empty folder in TMPDIR, named `<prefix>XXXXXX`.
    pub fn new(prefix: &str) -> std::io::Result<Folder> {
        Folder::new_in(prefix, &std::env::temp_dir())
    }

    /// A new empty folder in `dir`, named `<prefix>XXXXXX`.
    pub fn new_in(prefix: &str, dir: &Path) -> std::io::Result<Folder> {
        folder_in(prefix, dir).map(Folder)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Removes it, retrying while late writers finish.
    pub async fn remove(self) {
        remove(&self.0).await;
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes every folder made here that is still on disk, and forgets them all; the run
/// calls it last, whatever ended it, once its browsers are gone.
pub async fn remove_all() {
    let all = std::mem::take(&mut *live());
    for path in all.iter().filter(|p| p.exists()) {
        remove(path).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_folders_of_gone_runs_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 4194304 is above the kernel's maximum: never alive.
        let stale = dir.path().join("stickler-chromium-p4194304-abc");
        let mine = dir
            .path()
            .join(format!("stickler-chromium-{}abc", owner_tag()));
        let other = dir.path().join("stickler-selftest-p4194304-abc");
        for d in [&stale, &mine, &other] {
            std::fs::create_dir_all(d.join("sub")).unwrap();
        }
        assert_eq!(sweep_stale(dir.path(), &["stickler-chromium-"]), 1);
        assert!(!stale.exists() && mine.exists() && other.exists());
    }

    #[tokio::test]
    async fn folders_are_tracked_until_the_sweep() {
        let a = Folder::new("stickler-scratch-test-").unwrap();
        let b = Folder::new("stickler-scratch-test-").unwrap();
        std::fs::write(a.path().join("file"), "x").unwrap();
        std::fs::create_dir(b.path().join("sub")).unwrap();
        let (pa, pb) = (a.path().to_path_buf(), b.path().to_path_buf());
        assert!(live().contains(&pa) && live().contains(&pb));
        a.remove().await;
        drop(b);
        assert!(!pa.exists() && !pb.exists());
        // Still listed, for the final sweep. (`remove_all` is not called here: it would
        // take the folders of the browser tests running beside this one; the cleanup
        // test covers it.)
        assert!(live().contains(&pa) && live().contains(&pb));
    }
}
