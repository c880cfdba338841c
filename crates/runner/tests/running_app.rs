//! An app that already runs, pointed at a `stickler idp` elsewhere: `stickler run --idp`
//! drives it through one fixed tenant, changing users and quirks through the admin API.
//! The demo app is started by the test, as a team would start its staging app.

mod support;

use std::process::{Command, Stdio};
use support::{Killed, free_port, stickler_idp, wait_for, workspace};

#[test]
fn a_running_app_is_checked_through_an_external_idp() {
    let dir = std::env::temp_dir().join(format!("stickler-running-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (idp_port, app_port) = (free_port(), free_port());
    let app_url = format!("http://127.0.0.1:{app_port}");

    // The team's IdP, with the tenant their staging app is configured for.
    let config = dir.join("idp.toml");
    std::fs::write(
        &config,
        format!(
            r#"[[tenant]]
name = "staging"
profile = "jumpcloud"
[[tenant.client]]
client_id = "staging-app"
client_secret = "staging-secret"
redirect_uris = ["{app_url}/callback"]
groups = ["Engineering", "Admins"]
"#
        ),
    )
    .unwrap();
    let _idp = stickler_idp(idp_port, &config);
    let idp_url = format!("http://127.0.0.1:{idp_port}");
    wait_for(&format!(
        "{idp_url}/t/staging/.well-known/openid-configuration"
    ));

    // The already running app.
    let status = Command::new("cargo")
        .args(["build", "--quiet", "-p", "stickler-demo-rp"])
        .current_dir(workspace())
        .status()
        .unwrap();
    assert!(status.success());
    let _app = Killed(
        Command::new(workspace().join("target/debug/demo-rp"))
            .args([
                "--issuer",
                &format!("{idp_url}/t/staging/"),
                "--client-id",
                "staging-app",
            ])
            .args([
                "--client-secret",
                "staging-secret",
                "--auth-method",
                "client_secret_post",
            ])
            .args([
                "--groups-claim",
                "memberOf",
                "--listen",
                &format!("127.0.0.1:{app_port}"),
                "--app-url",
                &app_url,
            ])
            .env_remove("DEMO_RP_BUGS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&format!("{app_url}/healthz"));

    let scenario = dir.join("staging.toml");
    std::fs::write(
        &scenario,
        format!(
            r##"name = "Staging"
features = ["{features}"]
profile = "jumpcloud"
[app]
url = "{app_url}"
[idp]
tenant = "staging"
client_id = "staging-app"
client_secret = "staging-secret"
[client]
redirect_uris = ["{{app_url}}/callback"]
[login]
start_url = "{{app_url}}/"
click = "#login"
signed_in = "#user"
signed_in_contains = "{{email}}"
error = "#error"
"##,
            features = workspace().join("features/jumpcloud").display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .args(["run"])
        .arg(&scenario)
        .args([
            "--idp",
            &idp_url,
            "--tags",
            "@groups or @errors",
            "--report-dir",
        ])
        .arg(dir.join("report"))
        .current_dir(workspace())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("1 browser(s)"),
        "checks run one at a time: {stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("4 passed, 0 failed"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
