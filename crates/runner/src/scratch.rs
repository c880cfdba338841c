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

/// A new empty folder in TMPDIR, named `<prefix>XXXXXX`, tracked until the sweep.
pub fn folder(prefix: &str) -> std::io::Result<PathBuf> {
    folder_in(prefix, &std::env::temp_dir())
}

/// The same in `dir`.
pub fn folder_in(prefix: &str, dir: &Path) -> std::io::Result<PathBuf> {
    let path = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(dir)?
        .keep();
    live().insert(path.clone());
    Ok(path)
}

/// Removes a folder. Chromium's last processes may still write to their
/// folders for a moment after a session ends or their group is killed (a removal then
/// meets a folder that is not empty), so it tries again for up to 2 s.
pub async fn remove(path: &Path) {
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

/// Removes at once what it can of a folder (for drops outside the runtime); the sweep
/// at the end of the run retries the rest.
pub fn remove_now(path: &Path) {
    let _ = std::fs::remove_dir_all(path);
}

/// A tracked folder removed when dropped (at once, as far as it can; the sweep at the
/// end of the run retries the rest).
#[derive(Debug)]
pub struct Folder(PathBuf);

impl Folder {
    /// A new empty folder in `dir`, named `<prefix>XXXXXX`.
    pub fn new_in(prefix: &str, dir: &Path) -> std::io::Result<Folder> {
        folder_in(prefix, dir).map(Folder)
    }

    /// Takes over a tracked folder made by [`folder`].
    pub fn adopt(path: PathBuf) -> Folder {
        Folder(path)
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
        remove_now(&self.0);
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

    #[tokio::test]
    async fn folders_are_tracked_until_removed() {
        let a = folder("stickler-scratch-test-").unwrap();
        let b = folder("stickler-scratch-test-").unwrap();
        std::fs::write(a.join("file"), "x").unwrap();
        std::fs::create_dir(b.join("sub")).unwrap();
        assert!(live().contains(&a) && live().contains(&b));
        remove(&a).await;
        remove_now(&b);
        assert!(!a.exists() && !b.exists());
        // Still listed, for the final sweep. (`remove_all` is not called here: it would
        // take the folders of the browser tests running beside this one; the cleanup
        // test covers it.)
        assert!(live().contains(&a) && live().contains(&b));
    }
}
