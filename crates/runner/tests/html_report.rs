//! The HTML report, read in a real browser: a run of the demo app with its state bug
//! writes `index.html` (and `--html FILE`); headless Chromium opens it from disk, and the
//! page shows the counts, the failed check open with its Fix, the IdP journal and the
//! embedded screenshot, without fetching anything. The JUnit file of the same run
//! validates against the xunit junit-10 schema.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Killed, free_port};

const FAILED: &str = "jumpcloud.state.1";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Opens headless Chromium on a chromedriver the test starts, with a fresh profile.
async fn browser(port: u16, profile: &Path) -> Client {
    let mut options = serde_json::Map::new();
    options.insert(
        "args".into(),
        serde_json::json!([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,1800",
            format!("--user-data-dir={}", profile.display()),
        ]),
    );
    if let Ok(bin) = std::env::var("STICKLER_CHROMIUM") {
        options.insert("binary".into(), bin.into());
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "chrome".into());
    caps.insert("goog:chromeOptions".into(), options.into());
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps.clone());
        match builder.connect(&url).await {
            Ok(c) => return c,
            Err(e) if Instant::now() > deadline => panic!("no Chromium session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Text of the element `css`, whitespace collapsed.
async fn text(c: &Client, css: &str) -> String {
    let t = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text");
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_html_report_reads_in_a_browser() {
    let t0 = Instant::now();
    // Under the target dir, so the report and its screenshot outlive the test for a look.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("report folder");
    let report = out.join("stickler-report");
    let extra = out.join("extra.html");
    let junit = out.join("junit.xml");
    let json = out.join("report.json");
    let run = Command::new(env!("CARGO_BIN_EXE_stickler"))
        .current_dir(repo())
        .args(["run", "scenarios/demo-rp.toml"])
        .args(["--features", "features/jumpcloud/state.feature"])
        .arg("--report-dir")
        .arg(&report)
        .arg("--html")
        .arg(&extra)
        .arg("--junit")
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .env("DEMO_RP_BUGS", "no-state")
        .env_remove("STICKLER_WEBDRIVER")
        .output()
        .expect("stickler runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let ran = t0.elapsed();

    let index = report.join("index.html");
    let page = std::fs::read_to_string(&index).expect("index.html in the report folder");
    assert_eq!(
        std::fs::read_to_string(&extra).expect("--html FILE"),
        page,
        "--html writes the same page"
    );
    let records: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let checks = records["checks"].as_array().expect("checks");
    let failed = checks
        .iter()
        .find(|c| c["id"] == FAILED)
        .expect("the state check ran");
    assert_eq!(failed["verdict"], "failed", "{failed}");

    // The page in Chromium, from disk.
    let port = free_port();
    let driver =
        Command::new(std::env::var("STICKLER_CHROMEDRIVER").unwrap_or("chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (scripts/ensure-browser installs it)");
    let _driver = Killed(driver);
    let profile = tempfile::tempdir().expect("profile");
    let t1 = Instant::now();
    let c = browser(port, profile.path()).await;
    let url = url::Url::from_file_path(index.canonicalize().unwrap()).unwrap();
    c.goto(url.as_str()).await.expect("the page opens");
    let shot = c.screenshot().await.expect("screenshot");
    std::fs::write(report.join("index.png"), &shot).expect("save the screenshot");

    let n = |v: &str| {
        checks
            .iter()
            .filter(|c| c["verdict"] == v)
            .count()
            .to_string()
    };
    for v in [
        "failed",
        "warned",
        "passed",
        "not_exercised",
        "not_applicable",
    ] {
        let id = format!("#count-{}", v.replace('_', "-"));
        assert_eq!(text(&c, &id).await, n(v), "{id}");
    }
    assert_eq!(
        text(&c, "#closing").await,
        stdout.lines().last().unwrap_or_default().trim()
    );
    let check = format!("#check-{}", FAILED.replace('.', "\\."));
    let el = c
        .find(Locator::Css(&check))
        .await
        .expect("the failed check");
    assert!(
        el.attr("open").await.unwrap().is_some(),
        "a failure is open"
    );
    assert!(text(&c, &format!("{check} code.id")).await == FAILED);
    let fix = failed["fix"].as_str().unwrap().replace('`', "");
    let fix: String = fix.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(text(&c, &format!("{check} dd.fix")).await, fix);
    // The failed check comes before every check that did not fail.
    let order = c
        .execute(
            "return [...document.querySelectorAll('details.check')].map(d => d.dataset.verdict)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(order[0], "failed", "{order}");
    // The journal timeline: a row per entry, the first at +0.000 s.
    let rows = c
        .find_all(Locator::Css(&format!("{check} table.journal > tbody > tr")))
        .await
        .unwrap();
    let entries = failed["journal"].as_array().unwrap().len();
    assert!(entries > 0 && rows.len() == entries, "{} rows", rows.len());
    assert_eq!(
        text(&c, &format!("{check} table.journal > tbody > tr td")).await,
        "+0.000 s"
    );
    c.execute(
        "document.querySelector(arguments[0]).scrollIntoView()",
        vec![format!("{check} table.journal").into()],
    )
    .await
    .unwrap();
    // A request's parameters open on a click.
    let params = format!("{check} details.params");
    c.find(Locator::Css(&format!("{params} > summary")))
        .await
        .expect("the parameters of a request")
        .click()
        .await
        .unwrap();
    let shown = c
        .find(Locator::Css(&format!("{params} table.params")))
        .await
        .unwrap();
    assert!(shown.is_displayed().await.unwrap(), "parameters shown");
    assert!(text(&c, &params).await.contains("client_id"));
    let shot = c.screenshot().await.expect("screenshot");
    std::fs::write(report.join("index-journal.png"), &shot).expect("save the screenshot");
    // The screenshot the run took, embedded, and decoded by the browser.
    if !failed["files"]["screenshot"].is_null() {
        let img = c
            .find(Locator::Css(&format!("{check} img.screenshot")))
            .await
            .expect("the screenshot is embedded");
        let src = img.attr("src").await.unwrap().unwrap_or_default();
        assert!(
            src.starts_with("data:image/png;base64,"),
            "{}",
            &src[..40.min(src.len())]
        );
        let width = c
            .execute(
                "return document.querySelector(arguments[0]).naturalWidth",
                vec![format!("{check} img.screenshot").into()],
            )
            .await
            .unwrap();
        assert!(width.as_u64().unwrap_or(0) > 0, "the PNG decodes: {width}");
    }
    // Nothing was fetched: no stylesheet, image or script from anywhere.
    let fetched = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched, serde_json::json!([]));
    c.close().await.expect("the session ends");
    eprintln!(
        "run {:.1} s, browser {:.1} s; page and screenshot in {}",
        ran.as_secs_f64(),
        t1.elapsed().as_secs_f64(),
        report.display()
    );

    // The same run's JUnit, against the xunit junit-10 schema.
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("JUnit schema check skipped: no xmllint (apt-get install libxml2-utils)");
        return;
    }
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&junit)
        .output()
        .expect("xmllint runs");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
}
