//! `stickler idp --quirk NAME=VALUE`: a misbehaviour or quirk switched on by hand, for
//! people testing by clicking. It applies to every tenant served, over the config file's
//! values, and the banner lists what differs from the profile.

use std::io::{BufRead, BufReader};
mod support;

use std::process::{Command, Stdio};
use support::{Killed, free_port};

/// Starts `stickler idp` with `args`; returns it and its banner up to "Press Ctrl-C".
fn start(args: &[&str], port: u16) -> (Killed, String) {
    let mut idp = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .arg("idp")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stickler idp starts");
    let stdout = idp.stdout.take().unwrap();
    let idp = Killed(idp);
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    (idp, banner)
}

async fn quirks(port: u16, tenant: &str) -> serde_json::Value {
    let info: serde_json::Value =
        reqwest::get(format!("http://127.0.0.1:{port}/admin/tenants/{tenant}"))
            .await
            .expect("admin API answers")
            .json()
            .await
            .expect("JSON");
    info["quirks"].clone()
}

#[tokio::test]
async fn quirks_from_the_command_line_reach_every_tenant() {
    // The demo tenant.
    let port = free_port();
    let (_idp, banner) = start(
        &[
            "--quirk",
            "id_token_misbehaviour=wrong_iss",
            "--quirk",
            "min_state_length=0",
        ],
        port,
    );
    assert!(
        banner.contains("quirks:     min_state_length = 0, id_token_misbehaviour = \"wrong_iss\""),
        "{banner}"
    );
    let q = quirks(port, "default").await;
    assert_eq!(q["id_token_misbehaviour"], "wrong_iss");
    assert_eq!(q["min_state_length"], 0);
    assert_eq!(
        q["issuer_trailing_slash"], true,
        "the profile's other quirks stay"
    );

    // Config tenants: the command line wins over the file.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("idp.toml");
    std::fs::write(
        &config,
        "[[tenant]]\nname = \"acme\"\n[tenant.quirks]\nmin_state_length = 4\ngroups_claim = \"groups\"\n",
    )
    .unwrap();
    let port = free_port();
    let (_idp, _) = start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--quirk",
            "min_state_length=12",
        ],
        port,
    );
    let q = quirks(port, "acme").await;
    assert_eq!(q["min_state_length"], 12);
    assert_eq!(q["groups_claim"], "groups");
}

#[test]
fn a_bad_quirk_flag_exits_2_and_says_why() {
    for (arg, says) in [
        (
            "min_state_length=eight",
            "--quirk min_state_length=eight: quirk `min_state_length`: invalid type",
        ),
        ("min_state_length", "expected NAME=VALUE"),
        ("min_stat=8", "unknown field `min_stat`"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_stickler"))
            .args(["idp", "--listen", &format!("127.0.0.1:{}", free_port())])
            .args(["--quirk", arg])
            .output()
            .expect("stickler runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
    }
}
