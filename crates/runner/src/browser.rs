//! One WebDriver session in headless Chromium, with a fresh profile, bounded explicit
//! waits whose errors say what was awaited, and a close that always happens.

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::path::Path;
use std::time::Duration;
use url::Url;

/// How often waits poll the page.
const POLL: Duration = Duration::from_millis(100);

/// A browser session this process owns.
#[derive(Debug)]
pub struct BrowserSession {
    client: Option<Client>,
    profile: Option<tempfile::TempDir>,
}

impl BrowserSession {
    /// Opens a session on `webdriver` with headless Chromium.
    pub async fn open(webdriver: &Url, chromium: Option<&Path>) -> Result<BrowserSession> {
        let profile = tempfile::Builder::new()
            .prefix("stickler-chromium-")
            .tempdir()
            .context("creating a Chromium profile folder")?;
        let mut options = serde_json::json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        if let Some(bin) = chromium {
            options["binary"] = serde_json::json!(bin.display().to_string());
        }
        let caps = serde_json::json!({"browserName": "chrome", "goog:chromeOptions": options});
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("a JSON object literal")
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let client = builder
            .connect(webdriver.as_str())
            .await
            .map_err(|e| anyhow!("WebDriver at {webdriver} refused a new Chromium session: {e}"))?;
        Ok(BrowserSession {
            client: Some(client),
            profile: Some(profile),
        })
    }

    fn c(&self) -> Result<&Client> {
        self.client.as_ref().ok_or_else(|| anyhow!("the browser session is closed"))
    }

    /// Navigates and waits for the page load.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.c()?
            .goto(url)
            .await
            .with_context(|| format!("the browser could not open {url}"))
    }

    /// Waits (≤ 10 s) for an element and clicks it.
    pub async fn click(&self, css: &str) -> Result<()> {
        let el = self
            .c()?
            .wait()
            .at_most(Duration::from_secs(10))
            .every(POLL)
            .for_element(Locator::Css(css))
            .await;
        match el {
            Ok(el) => el.click().await.with_context(|| format!("clicking `{css}`")),
            Err(_) => bail!("waited 10 s for `{css}` to click; {}", self.where_am_i().await),
        }
    }

    /// Signs in on the IdP's login form.
    pub async fn submit_login(&self, username: &str, password: &str) -> Result<()> {
        let c = self.c()?;
        for (field, value) in [("#username", username), ("#password", password)] {
            let el = c
                .find(Locator::Css(field))
                .await
                .with_context(|| format!("the IdP login form has no `{field}`"))?;
            el.clear().await?;
            el.send_keys(value).await?;
        }
        c.find(Locator::Css("#sign-in"))
            .await
            .context("the IdP login form has no `#sign-in` button")?
            .click()
            .await
            .context("submitting the IdP login form")
    }

    /// Waits until one of `selectors` is present; returns its index and text.
    pub async fn wait_for_any(&self, selectors: &[&str], timeout: Duration) -> Result<(usize, String)> {
        let c = self.c()?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            for (i, sel) in selectors.iter().enumerate() {
                if let Ok(el) = c.find(Locator::Css(sel)).await {
                    return Ok((i, el.text().await.unwrap_or_default()));
                }
            }
            if tokio::time::Instant::now() >= deadline {
                bail!(
                    "waited {} s for any of {}; {}",
                    timeout.as_secs(),
                    selectors.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
                    self.where_am_i().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The current URL.
    pub async fn current_url(&self) -> Result<Url> {
        Ok(self.c()?.current_url().await?)
    }

    /// The page's visible text.
    pub async fn page_text(&self) -> Result<String> {
        let v = self.execute("return document.body ? document.body.innerText : '';").await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Runs a script in the page and returns its value.
    pub async fn execute(&self, js: &str) -> Result<serde_json::Value> {
        Ok(self.c()?.execute(js, vec![]).await?)
    }

    /// Saves a PNG screenshot.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.c()?.screenshot().await?;
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    async fn where_am_i(&self) -> String {
        let url = self
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|_| "?".into());
        let text = self.page_text().await.unwrap_or_default();
        format!("the page is {url} showing: {}", crate::journeys::excerpt(&text, 300))
    }

    /// Ends the session (the browser quits) and removes its profile.
    pub async fn close(mut self) {
        if let Some(c) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), c.close()).await;
        }
        self.profile.take();
    }
}

impl Drop for BrowserSession {
    fn drop(&mut self) {
        // Dropped without close() (a failure path or Ctrl-C): end the session in the
        // background while a runtime exists; chromedriver's shutdown is the last resort.
        if let Some(c) = self.client.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            handle.spawn(async move {
                let _ = c.close().await;
            });
        }
    }
}
