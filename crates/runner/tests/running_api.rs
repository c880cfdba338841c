//! An API that already runs (`[api] url`), configured once for a fixed tenant of a
//! `stickler idp` elsewhere: `stickler run --idp` checks it through that tenant, one check
//! after another, and leaves out (not exercised) the key rotation, which would stay for
//! every later check. The demo API is started by the test, as a team starts its staging
//! API, with one bug switch, so a failing check proves the checks still bite. No
//! browser is needed: the test hides chromedriver and Chromium from the run.

mod support;

use std::process::{Command, Stdio};
use support::{Killed, free_port, get, stickler_idp, wait_for, workspace};

#[test]
fn a_running_api_is_checked_through_its_fixed_tenant_without_the_key_rotation() {
    let dir = std::env::temp_dir().join(format!("stickler-running-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (idp_port, api_port) = (free_port(), free_port());
    let idp_url = format!("http://127.0.0.1:{idp_port}");
    let api_url = format!("http://127.0.0.1:{api_port}");

    // The team's IdP, with the tenant their staging API trusts.
    let config = dir.join("idp.toml");
    std::fs::write(
        &config,
        r#"[[tenant]]
name = "api-staging"
profile = "lenient"
[[tenant.client]]
client_id = "jitsudo-server"
client_secret = "api-secret"
redirect_uris = ["http://127.0.0.1/unused"]
groups = ["Engineering", "Admins"]
"#,
    )
    .unwrap();
    let _idp = stickler_idp(idp_port, &config);
    let discovery = wait_for(&format!(
        "{idp_url}/t/api-staging/.well-known/openid-configuration"
    ));
    let issuer = serde_json::from_str::<serde_json::Value>(&discovery).unwrap()["issuer"]
        .as_str()
        .unwrap()
        .to_string();

    // The already running API, configured once for that tenant, with one mistake.
    let status = Command::new("cargo")
        .args(["build", "--quiet", "-p", "stickler-demo-rp"])
        .current_dir(workspace())
        .status()
        .unwrap();
    assert!(status.success());
    let _api = Killed(
        Command::new(workspace().join("target/debug/demo-api"))
            .args(["--issuer", &issuer, "--audience", "jitsudo-server"])
            .args(["--listen", &format!("127.0.0.1:{api_port}")])
            .args(["--bug", "ignores-aud"])
            .env_remove("DEMO_API_BUGS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&format!("{api_url}/healthz"));

    let scenario = dir.join("staging-api.toml");
    std::fs::write(
        &scenario,
        format!(
            r##"name = "Staging API"
features = ["{features}"]
profile = "lenient"
[api]
url = "{api_url}"
tenant = "api-staging"
audience = "jitsudo-server"
path = "/api/whoami"
"##,
            features = workspace().join("features/bearer_api").display()
        ),
    )
    .unwrap();
    let json = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .args(["run"])
        .arg(&scenario)
        .args(["--idp", &idp_url, "--report-dir"])
        .arg(dir.join("report"))
        .arg("--json")
        .arg(&json)
        // An API-only run needs no browser: with none to be found it still runs.
        .env("STICKLER_CHROMEDRIVER", dir.join("no-chromedriver"))
        .env("STICKLER_CHROMIUM", dir.join("no-chromium"))
        .current_dir(workspace())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the aud check fails; stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("1 at once, no browser (API only)"),
        "checks run one at a time, without a browser: {stdout}"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let verdict = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .and_then(|c| c["verdict"].as_str())
            .unwrap_or("not run")
            .to_string()
    };
    assert_eq!(verdict("bearer_api.tokens.3"), "failed", "{stdout}");
    assert_eq!(verdict("bearer_api.tokens.11"), "not_exercised", "{stdout}");
    assert!(
        stdout.contains("the IdP's key rotation is left out for an API that already runs"),
        "{stdout}"
    );
    for n in [1, 2, 5, 6, 7, 8, 9, 10, 12, 13, 14] {
        assert_eq!(
            verdict(&format!("bearer_api.tokens.{n}")),
            "passed",
            "{stdout}"
        );
    }
    // The tenant the API trusts is still there: the run neither deleted nor rotated it.
    assert!(
        get(&format!(
            "{idp_url}/t/api-staging/.well-known/openid-configuration"
        ))
        .is_some()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
