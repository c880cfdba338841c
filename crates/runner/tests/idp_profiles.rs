//! `stickler idp --profile X` serves each vendor profile: the banner names its issuer,
//! discovery answers where the vendor puts it, a config file's tenants take a vendor
//! profile by name, and `--list-quirks` shows every profile's values.

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

async fn get(url: &str) -> serde_json::Value {
    reqwest::get(url)
        .await
        .expect("the IdP answers")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn vendor_profiles_are_served_by_name() {
    // Entra's multi-tenant endpoint: configured as /common/v2.0, publishing the template.
    let port = free_port();
    let (_idp, banner) = start(&["--profile", "entra_common"], port);
    let base = format!("http://127.0.0.1:{port}");
    assert!(banner.contains(&format!("{base}/common/v2.0")), "{banner}");
    let disco = get(&format!(
        "{base}/common/v2.0/.well-known/openid-configuration"
    ))
    .await;
    assert_eq!(disco["issuer"], format!("{base}/{{tenantid}}/v2.0"));

    // A config file's tenant on Keycloak, next to the demo tenant's Okta.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("idp.toml");
    std::fs::write(
        &config,
        "[[tenant]]\nname = \"kc\"\nprofile = \"keycloak\"\n",
    )
    .unwrap();
    let port = free_port();
    let (_idp, _) = start(
        &["--profile", "okta", "--config", config.to_str().unwrap()],
        port,
    );
    let base = format!("http://127.0.0.1:{port}");
    let kc = get(&format!(
        "{base}/t/kc/realms/stickler/.well-known/openid-configuration"
    ))
    .await;
    assert_eq!(kc["issuer"], format!("{base}/t/kc/realms/stickler"));
    let info = get(&format!("{base}/admin/tenants/kc")).await;
    assert_eq!(info["profile"], "keycloak");

    // --list-quirks: a line per profile under each quirk.
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .args(["idp", "--list-quirks"])
        .output()
        .expect("stickler idp --list-quirks runs");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("refuse_multiple_client_credentials\n"),
        "{text}"
    );
    for line in [
        "  okta          true",
        "  cognito       \"cognito:groups\"",
        "  entra_common  \"entra_common\"",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
}
