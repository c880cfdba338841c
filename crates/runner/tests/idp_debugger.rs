//! The IdP's pages in a real headless Chromium: `stickler idp`'s printed home page, its
//! "sign in" button, alice at the login form, the callback page's "exchange" button, and
//! the decoded ID token and userinfo answer on the result; then the tenant's live journal
//! page showing those requests. Screenshots of the result and the journal are written
//! under the target dir.

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
mod support;
use support::{Killed, free_port};

#[tokio::test]
async fn a_person_signs_in_from_the_home_page_and_reads_the_tokens() {
    let started = Instant::now();
    let port = free_port();
    let mut idp = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .args(["idp", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stickler idp starts");
    let stdout = idp.stdout.take().unwrap();
    let _idp = Killed(idp);
    let mut home = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("home:") {
            home = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let home = home.expect("stickler idp prints the home page");
    assert_eq!(home, format!("http://127.0.0.1:{port}/"));

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

    let profile = tempfile::tempdir().unwrap();
    let caps = serde_json::json!({"browserName": "chrome", "goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-crash-reporter", "--disable-breakpad",
        "--window-size=1280,1600", format!("--user-data-dir={}", profile.path().display())]}});
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let mut b = ClientBuilder::new(HttpConnector::new());
    b.capabilities(caps);
    let c = b.connect(&driver).await.expect("a Chromium session");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("idp-debugger");
    std::fs::create_dir_all(&out).unwrap();
    let result = async {
        let wait = || c.wait().at_most(Duration::from_secs(10));
        c.goto(&home).await?;
        let issuer = c.find(Locator::Css("#issuer")).await?.text().await?;
        assert_eq!(issuer, home, "the JumpCloud issuer ends with a slash");
        c.find(Locator::Css(
            "tr.client[data-client-id='demo-app'] button.sign-in-client",
        ))
        .await?
        .click()
        .await?;
        wait()
            .for_element(Locator::Css("#username"))
            .await?
            .send_keys("alice")
            .await?;
        c.find(Locator::Css("#password"))
            .await?
            .send_keys("alice")
            .await?;
        c.find(Locator::Css("#sign-in")).await?.click().await?;
        let code = wait()
            .for_element(Locator::Css("#code"))
            .await?
            .text()
            .await?;
        assert!(code.starts_with("ory_ac_"), "{code}");
        c.find(Locator::Css("#exchange")).await?.click().await?;
        let claims = wait()
            .for_element(Locator::Css("#id-token-claims"))
            .await?
            .text()
            .await?;
        let claims: Value = serde_json::from_str(&claims).expect("claims as JSON");
        assert_eq!(claims["iss"], home.as_str());
        assert_eq!(claims["aud"][0], "demo-app");
        assert_eq!(claims["email"], "alice@example.com");
        assert_eq!(
            claims["memberOf"], "Engineering",
            "JumpCloud's groups claim"
        );
        let header: Value = serde_json::from_str(
            &c.find(Locator::Css("#id-token-header"))
                .await?
                .text()
                .await?,
        )
        .unwrap();
        assert_eq!(header["alg"], "RS256");
        let sig = c.find(Locator::Css("#id-token-signature")).await?;
        assert_eq!(sig.attr("data-verified").await?.as_deref(), Some("true"));
        assert!(
            sig.text()
                .await?
                .starts_with("verified: RS256 with the JWKS key")
        );
        assert_eq!(
            c.find(Locator::Css("#id-token-nonce"))
                .await?
                .text()
                .await?,
            "matches the nonce sent"
        );
        assert_eq!(
            c.find(Locator::Css("#token-status")).await?.text().await?,
            "200"
        );
        assert!(
            c.find(Locator::Css("#token-auth"))
                .await?
                .text()
                .await?
                .starts_with("client_secret_post"),
            "the demo client's registered method (JumpCloud's default)"
        );
        assert_eq!(
            c.find(Locator::Css("#userinfo-status"))
                .await?
                .text()
                .await?,
            "200"
        );
        let userinfo: Value = serde_json::from_str(
            &c.find(Locator::Css("#userinfo-response"))
                .await?
                .text()
                .await?,
        )
        .unwrap();
        assert_eq!(userinfo["sub"], claims["sub"]);
        assert_eq!(userinfo["email"], "alice@example.com");
        let shot = c.screenshot().await?;
        std::fs::write(out.join("exchange.png"), &shot).unwrap();

        // The journal page, filled by its script from the admin API.
        c.find(Locator::Css("#back-home")).await?.click().await?;
        wait()
            .for_element(Locator::Css("#journal-link"))
            .await?
            .click()
            .await?;
        wait().for_element(Locator::Css("tr.journal-entry")).await?;
        let mut endpoints = Vec::new();
        for row in c
            .find_all(Locator::Css("tr.journal-entry .endpoint"))
            .await?
        {
            endpoints.push(row.text().await?);
        }
        for e in ["authorize", "login", "token", "userinfo"] {
            assert!(endpoints.iter().any(|x| x == e), "{e} in {endpoints:?}");
        }
        let params = c.find_all(Locator::Css("tr.journal-entry .params")).await?;
        let mut all = String::new();
        for p in params {
            all.push_str(&p.text().await?);
        }
        assert!(!all.contains(&code), "the code is masked in the journal");
        assert!(all.contains("code=***("), "{all}");
        let status = c
            .find(Locator::Css("#journal-status"))
            .await?
            .text()
            .await?;
        assert!(status.starts_with("live:"), "{status}");
        let shot = c.screenshot().await?;
        std::fs::write(out.join("journal.png"), &shot).unwrap();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("the pages work in Chromium");
    for f in ["exchange.png", "journal.png"] {
        let png = std::fs::read(out.join(f)).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{f}");
    }
    eprintln!(
        "idp debugger in Chromium: {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
}
