//! The IdP's device verification page (RFC 8628 §3.3) in real headless Chromium: a
//! person opens `verification_uri_complete` (the code pre-filled), continues, signs in and
//! allows — the CLI's next poll gets tokens — or denies — its next poll gets
//! `access_denied`; a person who types the code by hand at `verification_uri` gets in too.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
mod support;
use support::{Killed, free_port};

const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A headless Chromium session; the profile folder lives as long as the session.
async fn browser(driver: &str) -> (Client, tempfile::TempDir) {
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-crash-reporter", "--disable-breakpad",
        format!("--user-data-dir={}", profile.path().display())]}});
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let mut b = ClientBuilder::new(HttpConnector::new());
    b.capabilities(caps);
    (
        b.connect(driver).await.expect("a Chromium session"),
        profile,
    )
}

/// Starts a device authorization for the public CLI client; its JSON.
async fn start(http: &reqwest::Client, disco: &Value) -> Value {
    http.post(disco["device_authorization_endpoint"].as_str().unwrap())
        .form(&[("client_id", "cli"), ("scope", "openid email")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// One poll: (status, body).
async fn poll(http: &reqwest::Client, disco: &Value, device_code: &str) -> (u16, Value) {
    let resp = http
        .post(disco["token_endpoint"].as_str().unwrap())
        .form(&[
            ("grant_type", DEVICE),
            ("device_code", device_code),
            ("client_id", "cli"),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Drives the page: from `url`, optionally types `typed` as the code, continues, signs
/// in as alice and presses `button`; the id of the final element.
async fn drive(
    c: &Client,
    url: &str,
    typed: Option<&str>,
    button: &str,
) -> Result<String, fantoccini::error::CmdError> {
    c.goto(url).await?;
    let input = c.find(Locator::Css("#stickler-device #user_code")).await?;
    if let Some(code) = typed {
        input.send_keys(code).await?;
    }
    c.find(Locator::Css("#continue")).await?.click().await?;
    let wait = c.wait().at_most(Duration::from_secs(10));
    wait.for_element(Locator::Css("#stickler-login")).await?;
    c.find(Locator::Css("#username"))
        .await?
        .send_keys("alice")
        .await?;
    c.find(Locator::Css("#password"))
        .await?
        .send_keys("alice-pw")
        .await?;
    c.find(Locator::Css(button)).await?.click().await?;
    let done = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "#device-approved, #device-denied, #device-error",
        ))
        .await?;
    Ok(done.attr("id").await?.unwrap_or_default())
}

#[tokio::test]
async fn a_person_allows_or_denies_a_device_on_the_verification_page_in_chromium() {
    let running = stickler_idp::spawn("127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .unwrap();
    let spec: stickler_idp::TenantSpec = serde_json::from_value(json!({
        "name": "dev", "profile": "lenient",
        "quirks": {"device_poll_interval_secs": 0},
        "clients": [{"client_id": "cli", "token_endpoint_auth_method": "none"}],
        "users": [{"username": "alice", "password": "alice-pw"}],
    }))
    .unwrap();
    let info = running.idp.create_tenant(spec).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let disco: Value = http
        .get(&info.discovery_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let dport = free_port();
    let _driver = Killed(
        Command::new("chromedriver")
            .arg(format!("--port={dport}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/ensure-browser)"),
    );
    let driver = format!("http://127.0.0.1:{dport}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while reqwest::get(format!("{driver}/status")).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (c, _profile) = browser(&driver).await;
    let result = async {
        // Allow, through the complete URI.
        let allowed = start(&http, &disco).await;
        let complete = allowed["verification_uri_complete"].as_str().unwrap();
        let prefilled = {
            c.goto(complete).await?;
            c.find(Locator::Css("#user_code"))
                .await?
                .prop("value")
                .await?
        };
        let approved = drive(&c, complete, None, "#sign-in").await?;
        // Deny, typing the code by hand in lower case.
        let denied_start = start(&http, &disco).await;
        let typed = denied_start["user_code"].as_str().unwrap().to_lowercase();
        let plain = denied_start["verification_uri"].as_str().unwrap();
        let denied = drive(&c, plain, Some(&typed), "#deny").await?;
        Ok::<_, fantoccini::error::CmdError>((allowed, prefilled, approved, denied_start, denied))
    }
    .await;
    let _ = c.close().await;
    let (allowed, prefilled, approved, denied_start, denied) =
        result.expect("the page works in Chromium");
    assert_eq!(prefilled.as_deref(), allowed["user_code"].as_str());
    assert_eq!(approved, "device-approved");
    assert_eq!(denied, "device-denied");
    let (status, tokens) = poll(&http, &disco, allowed["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["id_token"].is_string());
    let (status, err) = poll(&http, &disco, denied_start["device_code"].as_str().unwrap()).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("access_denied"))
    );
    running.shutdown().await;
}
