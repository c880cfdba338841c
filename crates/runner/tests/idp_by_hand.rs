//! `stickler idp` with no arguments is usable by a person: the printed "try it" URL opens
//! the login page in Chromium, alice gets a code at the redirect URI that the callback
//! page exchanges, and bob (outside the app's groups) is sent back with `access_denied`.

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::io::{BufRead, BufReader};
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Killed, free_port};

async fn sign_in(driver: &str, url: &str, user: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let caps = serde_json::json!({"browserName": "chrome", "goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-crash-reporter", "--disable-breakpad", format!("--user-data-dir={}", profile.path().display())]}});
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let mut b = ClientBuilder::new(HttpConnector::new());
    b.capabilities(caps);
    let c = b.connect(driver).await.expect("a Chromium session");
    let result = async {
        c.goto(url).await?;
        c.find(Locator::Css("#username"))
            .await?
            .send_keys(user)
            .await?;
        c.find(Locator::Css("#password"))
            .await?
            .send_keys(user)
            .await?;
        c.find(Locator::Css("#sign-in")).await?.click().await?;
        let wait = c.wait().at_most(Duration::from_secs(10));
        let el = wait.for_element(Locator::Css("#code, #error-code")).await?;
        let id = el.attr("id").await?.unwrap_or_default();
        let text = el.text().await?;
        if id == "code" {
            // The printed URL's code is the built-in callback's: the page redeems it
            // (no PKCE was sent, so none is needed) and shows the ID token it got.
            c.find(Locator::Css("#exchange")).await?.click().await?;
            let claims = c
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("#id-token-claims"))
                .await?
                .text()
                .await?;
            let claims: serde_json::Value = serde_json::from_str(&claims).unwrap();
            assert_eq!(claims["nonce"], "nonce-by-hand", "the printed URL's nonce");
            assert_eq!(claims["email"], format!("{user}@example.com"));
        }
        Ok::<_, fantoccini::error::CmdError>((id, text))
    }
    .await;
    let _ = c.close().await;
    result.expect("the flow completes")
}

#[tokio::test]
async fn a_person_can_sign_in_through_the_printed_url() {
    let port = free_port();
    let mut idp = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .args(["idp", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stickler idp starts");
    let stdout = idp.stdout.take().unwrap();
    let _idp = Killed(idp);
    let mut try_it = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.trim().strip_prefix("try it:") {
            try_it = Some(url.trim().to_string());
            break;
        }
    }
    let url = try_it.expect("stickler idp prints a try-it URL");
    assert!(
        url.starts_with(&format!("http://127.0.0.1:{port}/oauth2/auth?")),
        "{url}"
    );

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

    let (id, text) = sign_in(&driver, &url, "alice").await;
    assert_eq!(id, "code", "alice gets a code");
    assert!(text.starts_with("ory_ac_"), "{text}");
    let (id, text) = sign_in(&driver, &url, "bob").await;
    assert_eq!(
        (id.as_str(), text.as_str()),
        ("error-code", "access_denied")
    );
}
