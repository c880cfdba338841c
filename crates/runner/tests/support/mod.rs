//! Helpers shared by the runner's integration tests.

// Each test binary uses a part of them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The body of `url` when it answers 2xx (curl: the tests' HTTP client outside the
/// runner's own).
pub fn get(url: &str) -> Option<String> {
    let out = Command::new("curl").args(["-sf", url]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Waits (at most 60 s) until `url` answers 2xx; its body.
pub fn wait_for(url: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(body) = get(url) {
            return body;
        }
        assert!(Instant::now() < deadline, "{url} did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `stickler idp` on `port` with the tenants of `config`, as a team runs it beside its
/// staging app; killed when dropped.
pub fn stickler_idp(port: u16, config: &Path) -> Killed {
    Killed(
        Command::new(env!("CARGO_BIN_EXE_stickler"))
            .args(["idp", "--listen", &format!("127.0.0.1:{port}"), "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .spawn()
            .expect("stickler idp starts"),
    )
}

/// A child process killed and reaped when dropped, even when the test fails.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free port on 127.0.0.1 for a child the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// pid → (ppid, command name) of every process.
pub fn processes() -> BTreeMap<u32, (u32, String)> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ..." — comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        if fields.first() == Some(&"Z") {
            continue; // a zombie is already dead
        }
        if let Some(ppid) = fields.get(1).and_then(|p| p.parse().ok()) {
            out.insert(pid, (ppid, stat[open + 1..close].to_string()));
        }
    }
    out
}

/// pid → command name of every process below `root`.
pub fn descendants(root: u32) -> BTreeMap<u32, String> {
    let all = processes();
    let mut found = BTreeMap::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, (ppid, name)) in &all {
            if *ppid == p && !found.contains_key(pid) {
                found.insert(*pid, name.clone());
                frontier.push(*pid);
            }
        }
    }
    found
}
