//! One WebDriver session in headless Chromium, with a fresh profile, bounded explicit
//! waits whose errors say what was awaited, and a close that always happens.

use crate::scratch;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// How often waits poll the page.
const POLL: Duration = Duration::from_millis(100);
/// How long `click`, `fill` and `submit_login` wait for their element.
pub const ELEMENT_WAIT: Duration = Duration::from_secs(10);
/// How long creating a session (Chromium starting) may take.
const SESSION_WAIT: Duration = Duration::from_secs(60);
/// How long a navigation may take before the browser gives up on the page.
pub const PAGE_LOAD: Duration = Duration::from_secs(15);
/// How long a script in the page may run.
const SCRIPT: Duration = Duration::from_secs(10);
/// How long ending a session may take.
const CLOSE_WAIT: Duration = Duration::from_secs(10);
/// How much page text an error quotes.
const PAGE_EXCERPT: usize = 300;

/// The Chromium switches of every session; the profile folder is added per session.
const CHROMIUM_ARGS: [&str; 16] = [
    "--headless=new",
    // Required as root, and harmless in the throwaway containers this runs in.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    // No crashpad handler: it would run in a process group of its own, out of reach.
    "--disable-crash-reporter",
    "--disable-breakpad",
    // Less start-up work per session: every check opens a fresh browser.
    "--disable-extensions",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--disable-site-isolation-trials",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--window-size=1280,900",
];

/// What went wrong in the browser.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// The session's profile folder could not be made.
    #[error(
        "cannot create a temporary Chromium profile folder: {0}; check that TMPDIR is writable"
    )]
    Profile(std::io::Error),
    /// The WebDriver endpoint did not give a session.
    #[error(
        "the WebDriver at {webdriver} did not open a Chromium session: {reason}. Check that chromedriver runs there and matches the Chromium version (`chromium --version`, `chromedriver --version`), and that Chromium starts (`chromium --headless=new --no-sandbox --dump-dom about:blank`)"
    )]
    Connect {
        /// The endpoint.
        webdriver: Url,
        /// What it said.
        reason: String,
    },
    /// A bounded wait ran out.
    #[error("waited {} for {what} on {url}; page shows: {page}", secs(*waited))]
    Timeout {
        /// What was awaited, e.g. "element `#user`".
        what: String,
        /// How long.
        waited: Duration,
        /// Where the browser was.
        url: String,
        /// The start of the page's visible text.
        page: String,
    },
    /// A selector that is not valid CSS.
    #[error("`{0}` is not a valid CSS selector; fix it in the scenario file")]
    BadSelector(String),
    /// A WebDriver command failed.
    #[error("{action} failed in the browser: {source}")]
    Command {
        /// What was being done.
        action: String,
        /// The WebDriver error.
        source: Box<CmdError>,
    },
    /// Writing a file (a screenshot) failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The run tests only an API and started no browser.
    #[error("this run tests only an API and started no browser")]
    NoBrowser,
    /// The session was closed already.
    #[error("the browser session is already closed")]
    Closed,
}

/// `10 s`, `0.5 s`.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

fn command(action: impl Into<String>) -> impl FnOnce(CmdError) -> BrowserError {
    let action = action.into();
    move |e| BrowserError::Command {
        action,
        source: Box::new(e),
    }
}

/// The first `max` characters of a text, on one line.
fn excerpt(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// A CSS selector for a form field given by CSS or by its bare `name`.
fn field_selector(css_or_name: &str) -> String {
    let bare = !css_or_name.is_empty()
        && css_or_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("[name=\"{css_or_name}\"]")
    } else {
        css_or_name.to_string()
    }
}

/// A lookup failed because the element is not there (yet): keep waiting.
fn not_there(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if matches!(w.error,
        ErrorStatus::NoSuchElement | ErrorStatus::StaleElementReference))
}

fn bad_selector(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::InvalidSelector)
}

/// A browser session this process owns, with its own throwaway Chromium profile.
///
/// End it with [`BrowserSession::close`]. Dropped without that (an error path, Ctrl-C),
/// it ends the session in the background on the current tokio runtime, if any; the
/// owner of chromedriver ends whatever is left.
#[derive(Debug)]
pub struct BrowserSession {
    client: Option<Client>,
    profile: Option<scratch::Folder>,
}

/// A Chromium profile that a browser has already set up and quit, never having opened
/// a page: no cookies, no history. Each session starts from a copy of it, which spares
/// Chromium about a quarter of its start-up work (creating its databases and settings).
/// The folder goes when this is dropped.
#[derive(Debug)]
pub struct ProfileTemplate(scratch::Folder);

/// The name prefix of Chromium profile folders.
pub const PROFILE_PREFIX: &str = "stickler-chromium-";

impl ProfileTemplate {
    /// Starts one session that opens no page and ends it, keeping its profile.
    pub async fn create(
        webdriver_url: &Url,
        chromium: Option<&Path>,
    ) -> Result<ProfileTemplate, BrowserError> {
        let mut session = BrowserSession::open(webdriver_url, chromium, None).await?;
        if let Some(c) = session.client.take() {
            end_session(c).await;
        }
        let template = ProfileTemplate(session.profile.take().ok_or(BrowserError::Closed)?);
        // Chromium's single-instance markers point at the browser that quit.
        for entry in std::fs::read_dir(template.path()).map_err(BrowserError::Profile)? {
            let entry = entry.map_err(BrowserError::Profile)?;
            if entry.file_name().to_string_lossy().starts_with("Singleton") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(template)
    }

    /// Its folder, for [`BrowserSession::open`].
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// Copies a profile folder into `to`: files and folders only, links left out.
fn copy_profile(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            std::fs::create_dir(&target)?;
            copy_profile(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

impl BrowserSession {
    /// Opens a session on `webdriver_url` with headless Chromium (`chromium`: its
    /// binary, when known; else chromedriver's own choice), its profile a fresh folder
    /// or a copy of `template` (a [`ProfileTemplate`]'s folder).
    pub async fn open(
        webdriver_url: &Url,
        chromium: Option<&Path>,
        template: Option<&Path>,
    ) -> Result<BrowserSession, BrowserError> {
        let profile = scratch::Folder::new(PROFILE_PREFIX).map_err(BrowserError::Profile)?;
        if let Some(t) = template {
            copy_profile(t, profile.path()).map_err(BrowserError::Profile)?;
        }
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        if let Ok(extra) = std::env::var("STICKLER_CHROMIUM_EXTRA") {
            args.extend(extra.split_whitespace().map(str::to_string));
        }
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut options = serde_json::Map::new();
        options.insert("args".into(), args.into());
        // The first tab opens on about:blank rather than the new-tab page
        // (chrome://new-tab-page-third-party/), which a fresh Chromium sometimes takes
        // five seconds to show, and WebDriver's first command waits for it.
        options.insert(
            "prefs".into(),
            serde_json::json!({
                "session": { "restore_on_startup": 4, "startup_urls": ["about:blank"] }
            }),
        );
        if let Some(bin) = chromium {
            options.insert("binary".into(), bin.display().to_string().into());
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert("goog:chromeOptions".into(), options.into());
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let connect_failed = |reason: String| BrowserError::Connect {
            webdriver: webdriver_url.clone(),
            reason,
        };
        let client =
            match tokio::time::timeout(SESSION_WAIT, builder.connect(webdriver_url.as_str())).await
            {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    profile.remove().await;
                    return Err(connect_failed(e.to_string()));
                }
                Err(_) => {
                    profile.remove().await;
                    return Err(connect_failed(format!(
                        "no session within {}",
                        secs(SESSION_WAIT)
                    )));
                }
            };
        let session = BrowserSession {
            client: Some(client),
            profile: Some(profile),
        };
        // Bound every navigation and script, so no command can hang a check.
        let timeouts =
            TimeoutConfiguration::new(Some(SCRIPT), Some(PAGE_LOAD), Some(Duration::ZERO));
        if let Err(e) = session.c()?.update_timeouts(timeouts).await {
            session.close().await;
            return Err(connect_failed(format!("setting its timeouts failed: {e}")));
        }
        Ok(session)
    }

    fn c(&self) -> Result<&Client, BrowserError> {
        self.client.as_ref().ok_or(BrowserError::Closed)
    }

    /// Navigates to `url` and waits for the page load (≤ 30 s).
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        self.c()?
            .goto(url)
            .await
            .map_err(command(format!("opening {url}")))
    }

    /// Waits (≤ 10 s) for an element and clicks it.
    pub async fn click(&self, css: &str) -> Result<(), BrowserError> {
        let deadline = tokio::time::Instant::now() + ELEMENT_WAIT;
        loop {
            let el = self.wait_element(css, ELEMENT_WAIT, "to click").await?;
            match el.click().await {
                Ok(()) => return Ok(()),
                // Replaced or covered while the page settles: find it again.
                Err(CmdError::Standard(w))
                    if matches!(
                        w.error,
                        ErrorStatus::StaleElementReference
                            | ErrorStatus::ElementNotInteractable
                            | ErrorStatus::ElementClickIntercepted
                    ) && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(POLL).await;
                }
                Err(e) => return Err(command(format!("clicking `{css}`"))(e)),
            }
        }
    }

    /// Waits (≤ 10 s) for a form field, given by CSS or by its `name`, and types
    /// `value` into it like a person (key events fire), replacing what it held.
    pub async fn fill(&self, css_or_name: &str, value: &str) -> Result<(), BrowserError> {
        let css = field_selector(css_or_name);
        let el = self
            .wait_element(&css, ELEMENT_WAIT, "to type into")
            .await?;
        el.clear()
            .await
            .map_err(command(format!("clearing `{css}`")))?;
        el.send_keys(value)
            .await
            .map_err(command(format!("typing into `{css}`")))
    }

    /// Signs in on an IdP's login form: types into the fields named `username` and
    /// `password` and clicks the form's submit button.
    pub async fn submit_login(&self, username: &str, password: &str) -> Result<(), BrowserError> {
        self.fill("username", username).await?;
        self.fill("password", password).await?;
        let c = self.c()?;
        let password_field = c
            .find(Locator::Css("[name=\"password\"]"))
            .await
            .map_err(command("finding the password field"))?;
        // The submit button of the password's own form; else the page's only one.
        let button = match password_field
            .find(Locator::XPath(
                "./ancestor::form//*[(self::button or self::input) and @type='submit']",
            ))
            .await
        {
            Ok(b) => b,
            Err(e) if not_there(&e) => {
                self.wait_element(
                    "button[type=submit], input[type=submit]",
                    ELEMENT_WAIT,
                    "to submit the login form",
                )
                .await?
            }
            Err(e) => return Err(command("finding the login form's submit button")(e)),
        };
        button
            .click()
            .await
            .map_err(command("submitting the login form"))
    }

    /// Waits until an element matching `css` is on the page; returns its text.
    #[allow(
        dead_code,
        reason = "API for the steps; the runner does not call it yet"
    )]
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<String, BrowserError> {
        self.wait_for_any(&[css], timeout)
            .await
            .map(|(_, text)| text)
    }

    /// Waits until one of `selectors` is on the page (checked in order, at least once);
    /// returns its index and text. Used to wait for "signed in, or an error shown".
    pub async fn wait_for_any(
        &self,
        selectors: &[&str],
        timeout: Duration,
    ) -> Result<(usize, String), BrowserError> {
        let c = self.c()?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            for (i, css) in selectors.iter().enumerate() {
                match c.find(Locator::Css(css)).await {
                    Ok(el) => return Ok((i, el.text().await.unwrap_or_default())),
                    Err(e) if bad_selector(&e) => {
                        return Err(BrowserError::BadSelector(css.to_string()));
                    }
                    // Not there yet, or the page is between documents.
                    Err(_) => {}
                }
            }
            if tokio::time::Instant::now() >= deadline {
                let what = match selectors {
                    [one] => format!("element `{one}`"),
                    many => format!(
                        "any of {}",
                        many.iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err(self.timeout(what, timeout).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the browser's URL satisfies `accept`; returns it. `what` describes
    /// the URL for the error, e.g. "the app's callback".
    #[allow(
        dead_code,
        reason = "API for the steps; the runner does not call it yet"
    )]
    pub async fn wait_for_url(
        &self,
        what: &str,
        timeout: Duration,
        accept: impl Fn(&Url) -> bool,
    ) -> Result<Url, BrowserError> {
        let c = self.c()?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Ok(url) = c.current_url().await
                && accept(&url)
            {
                return Ok(url);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(self.timeout(format!("the URL to be {what}"), timeout).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the browser's URL starts with `prefix`; returns it.
    #[allow(
        dead_code,
        reason = "API for the steps; the runner does not call it yet"
    )]
    pub async fn wait_for_url_prefix(
        &self,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Url, BrowserError> {
        self.wait_for_url(&format!("one starting with {prefix}"), timeout, |u| {
            u.as_str().starts_with(prefix)
        })
        .await
    }

    /// Waits for an element, for `purpose` (said in the error).
    async fn wait_element(
        &self,
        css: &str,
        timeout: Duration,
        purpose: &str,
    ) -> Result<fantoccini::elements::Element, BrowserError> {
        let c = self.c()?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match c.find(Locator::Css(css)).await {
                Ok(el) => return Ok(el),
                Err(e) if bad_selector(&e) => {
                    return Err(BrowserError::BadSelector(css.to_string()));
                }
                Err(_) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(self
                    .timeout(format!("element `{css}` {purpose}"), timeout)
                    .await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A timeout error describing where the browser is.
    async fn timeout(&self, what: String, waited: Duration) -> BrowserError {
        let url = match self.current_url().await {
            Ok(u) => u.to_string(),
            Err(_) => "an unknown page".into(),
        };
        let page = self.page_text().await.unwrap_or_default();
        BrowserError::Timeout {
            what,
            waited,
            url,
            page: excerpt(&page, PAGE_EXCERPT),
        }
    }

    /// Deletes the cookies of the current page's host, which on loopback are the app's
    /// and the IdP's alike (cookies do not keep ports apart).
    pub async fn forget_cookies(&self) -> Result<(), BrowserError> {
        self.c()?
            .delete_all_cookies()
            .await
            .map_err(command("deleting cookies"))
    }

    /// The current URL.
    pub async fn current_url(&self) -> Result<Url, BrowserError> {
        self.c()?
            .current_url()
            .await
            .map_err(command("reading the URL"))
    }

    /// The page's visible text (`document.body.innerText`).
    pub async fn page_text(&self) -> Result<String, BrowserError> {
        let v = self
            .execute("return document.body ? document.body.innerText : '';")
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Runs a script in the page and returns its value.
    pub async fn execute(&self, js: &str) -> Result<serde_json::Value, BrowserError> {
        self.execute_with(js, vec![]).await
    }

    /// Runs a script in the page with `arguments` and returns its value.
    pub async fn execute_with(
        &self,
        js: &str,
        arguments: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value, BrowserError> {
        self.c()?
            .execute(js, arguments)
            .await
            .map_err(command("running a script in the page"))
    }

    /// Saves a PNG screenshot of the viewport.
    pub async fn screenshot(&self, path: &Path) -> Result<(), BrowserError> {
        let png = self
            .c()?
            .screenshot()
            .await
            .map_err(command("taking a screenshot"))?;
        tokio::fs::write(path, png)
            .await
            .map_err(|source| BrowserError::Write {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Makes a used session as good as a new one for the next check, in a fraction of
    /// a new Chromium's start-up: a fresh tab (no history, no sessionStorage, no page
    /// left running) with every other tab closed; no cookies of any site; an empty HTTP
    /// cache; and every storage of `origins` (localStorage, IndexedDB, service workers,
    /// Cache Storage) cleared, through Chromium's DevTools protocol. An error means the
    /// session is not fit for reuse: close it.
    pub async fn reset(&self, origins: &[String]) -> Result<(), BrowserError> {
        let c = self.c()?;
        let old = c.windows().await.map_err(command("listing the tabs"))?;
        let fresh = c
            .new_window(true)
            .await
            .map_err(command("opening a fresh tab"))?
            .handle;
        for handle in old {
            c.switch_to_window(handle)
                .await
                .map_err(command("switching to an old tab"))?;
            c.close_window()
                .await
                .map_err(command("closing an old tab"))?;
        }
        c.switch_to_window(fresh)
            .await
            .map_err(command("switching to the fresh tab"))?;
        Cdp::run(c, "Network.clearBrowserCookies", serde_json::json!({})).await?;
        Cdp::run(c, "Network.clearBrowserCache", serde_json::json!({})).await?;
        for origin in origins {
            let params = serde_json::json!({ "origin": origin, "storageTypes": "all" });
            Cdp::run(c, "Storage.clearDataForOrigin", params).await?;
        }
        let left = c
            .get_all_cookies()
            .await
            .map_err(command("reading the cookies"))?;
        if !left.is_empty() {
            return Err(BrowserError::Command {
                action: "clearing the cookies".into(),
                source: Box::new(CmdError::NotW3C(serde_json::json!(
                    "cookies were left after Network.clearBrowserCookies"
                ))),
            });
        }
        Ok(())
    }

    /// Ends the session (Chromium quits) and removes its profile. Never fails: a
    /// problem is logged, and chromedriver's shutdown ends whatever is left.
    pub async fn close(mut self) {
        if let Some(c) = self.client.take() {
            end_session(c).await;
        }
        if let Some(p) = self.profile.take() {
            p.remove().await;
        }
    }
}

/// One command of Chromium's DevTools protocol, through chromedriver's
/// `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl Cdp {
    async fn run(
        c: &Client,
        cmd: &'static str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, BrowserError> {
        c.issue_cmd(Cdp { cmd, params })
            .await
            .map_err(command(format!("DevTools command {cmd}")))
    }
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn end_session(c: Client) {
    match tokio::time::timeout(CLOSE_WAIT, c.close()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("ending the browser session failed: {e}"),
        Err(_) => tracing::warn!("ending the browser session took over {}", secs(CLOSE_WAIT)),
    }
}

impl Drop for BrowserSession {
    fn drop(&mut self) {
        let client = self.client.take();
        let profile = self.profile.take();
        match (client, tokio::runtime::Handle::try_current()) {
            (Some(c), Ok(handle)) => {
                // The profile goes after the browser, which writes to it until it quits.
                handle.spawn(async move {
                    end_session(c).await;
                    if let Some(p) = profile {
                        p.remove().await;
                    }
                });
            }
            // No runtime to wait on: the folder's own drop removes what it can.
            _ => drop(profile),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chromedriver::{Chromedriver, find_chromium};
    use crate::process::{group_alive, live_members};

    #[test]
    fn fields_are_found_by_name_or_css() {
        assert_eq!(field_selector("username"), "[name=\"username\"]");
        assert_eq!(field_selector("#user"), "#user");
        assert_eq!(field_selector("input[name=q]"), "input[name=q]");
    }

    #[test]
    fn timeouts_say_what_and_where() {
        let e = BrowserError::Timeout {
            what: "element `#user`".into(),
            waited: Duration::from_secs(10),
            url: "http://127.0.0.1:1/".into(),
            page: excerpt("Sign in\n\n  failed", 300),
        };
        assert_eq!(
            e.to_string(),
            "waited 10 s for element `#user` on http://127.0.0.1:1/; page shows: Sign in failed"
        );
        assert_eq!(secs(Duration::from_millis(300)), "0.3 s");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }

    async fn serve_pages() -> (String, tokio::task::JoinHandle<()>) {
        use axum::response::Html;
        use axum::routing::{get, post};
        let app = axum::Router::new()
            .route(
                "/",
                get(|| async { Html(r#"<h1>Start</h1><a id="go" href="/login">Sign in</a>"#) }),
            )
            .route(
                "/login",
                get(|| async {
                    Html(
                        r#"<form method="post" action="/done">
                        <input name="username"><input name="password" type="password">
                        <button type="submit">Sign in</button></form>
                        <form><button type="submit" id="other">Other</button></form>"#,
                    )
                }),
            )
            .route(
                "/session",
                get(|| async {
                    (
                        [(
                            "set-cookie",
                            "sid=server-side; Path=/; HttpOnly; Max-Age=3600",
                        )],
                        Html("<p>session cookie set</p>"),
                    )
                }),
            )
            .route(
                "/done",
                post(|body: String| async move {
                    Html(format!(r#"<p id="user">{}</p>"#, body.replace('&', " ")))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (base, server)
    }

    /// A session reset for the next check keeps nothing of the last one: no cookie
    /// (HttpOnly or not), no localStorage or sessionStorage, no history, one tab.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reset_session_remembers_nothing_of_the_last_check() {
        let (base, server) = serve_pages().await;
        let driver = Chromedriver::start().await.expect("chromedriver starts");
        let b = BrowserSession::open(&driver.url(), find_chromium().ok().as_deref(), None)
            .await
            .expect("session opens");
        b.goto(&format!("{base}/session")).await.expect("goto");
        b.goto(&format!("{base}/")).await.expect("goto");
        b.execute(
            "document.cookie = 'js=1; max-age=3600'; localStorage.setItem('l', '1'); \
             sessionStorage.setItem('s', '1'); window.open('/login');",
        )
        .await
        .expect("state set");
        let c = b.c().expect("client");
        assert_eq!(c.get_all_cookies().await.expect("cookies").len(), 2);
        assert_eq!(c.windows().await.expect("tabs").len(), 2);

        let origin = crate::browser_pool::origin_of(&base).expect("an origin");
        b.reset(std::slice::from_ref(&origin)).await.expect("reset");

        assert_eq!(c.windows().await.expect("tabs").len(), 1, "one tab left");
        b.goto(&format!("{base}/")).await.expect("goto");
        let left = b
            .execute(
                "return [document.cookie, localStorage.length, sessionStorage.length, history.length];",
            )
            .await
            .expect("state read");
        // A new session's first page has the same history: its blank start page and it.
        let fresh = BrowserSession::open(&driver.url(), find_chromium().ok().as_deref(), None)
            .await
            .expect("session opens");
        fresh.goto(&format!("{base}/")).await.expect("goto");
        let history = fresh.execute("return history.length;").await.expect("read");
        fresh.close().await;
        assert_eq!(
            left,
            serde_json::json!(["", 0, 0, history]),
            "left over: {left}"
        );
        assert!(c.get_all_cookies().await.expect("cookies").is_empty());
        b.close().await;
        driver.shutdown().await;
        server.abort();
    }

    /// The real chromedriver and Chromium, against a real page: navigate, click, type,
    /// wait, screenshot, close; then nothing of that run is left.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_session_signs_in_on_a_real_page_and_leaves_nothing_behind() {
        let (base, server) = serve_pages().await;
        let driver = Chromedriver::start().await.expect("chromedriver starts");
        let pgid = driver.pgid();
        let b = BrowserSession::open(&driver.url(), find_chromium().ok().as_deref(), None)
            .await
            .expect("session opens");
        let profile = b.profile.as_ref().expect("profile").path().to_path_buf();
        assert!(profile.is_dir());

        b.goto(&format!("{base}/")).await.expect("goto");
        b.click("#go").await.expect("click");
        b.wait_for_url_prefix(&format!("{base}/login"), Duration::from_secs(5))
            .await
            .expect("on the login page");
        b.submit_login("alice", "pw-1").await.expect("login");
        let (i, text) = b
            .wait_for_any(&["#error", "#user"], Duration::from_secs(5))
            .await
            .expect("signed in");
        assert_eq!((i, text.as_str()), (1, "username=alice password=pw-1"));

        let e = b
            .wait_for("#nothing", Duration::from_millis(300))
            .await
            .expect_err("absent");
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "waited 0.3 s for element `#nothing` on {base}/done; page shows: username=alice"
            )),
            "{msg}"
        );
        assert!(matches!(
            b.wait_for("a[", Duration::ZERO).await,
            Err(BrowserError::BadSelector(_))
        ));

        let dir = tempfile::tempdir().expect("tempdir");
        let shot = dir.path().join("shot.png");
        b.screenshot(&shot).await.expect("screenshot");
        let png = std::fs::read(&shot).expect("read");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");

        b.close().await;
        assert!(!profile.exists(), "the profile folder is removed");

        // Two more sessions: one dropped without close(), ended in the background with
        // its profile removed after; one still open when chromedriver ends, whose
        // Chromium ends with the group, and whose late close() only logs.
        let wd = driver.url();
        let (dropped, open) = tokio::join!(
            BrowserSession::open(&wd, None, None),
            BrowserSession::open(&wd, None, None)
        );
        let (dropped, open) = (dropped.expect("opens"), open.expect("opens"));
        let profile = dropped
            .profile
            .as_ref()
            .expect("profile")
            .path()
            .to_path_buf();
        drop(dropped);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while profile.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "profile of a dropped session left"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        open.goto(&format!("{base}/")).await.expect("goto");
        driver.shutdown().await;
        open.close().await;
        server.abort();

        assert!(!group_alive(pgid), "left: {:?}", live_members(pgid));
        // Zombies are reaped by PID 1, which may take a moment in a container.
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        let pg = nix::unistd::Pid::from_raw(i32::try_from(pgid).expect("pid"));
        loop {
            match nix::sys::signal::killpg(pg, None) {
                Err(nix::errno::Errno::ESRCH) => break,
                other => assert!(
                    std::time::Instant::now() < deadline,
                    "group {pgid} still exists: {other:?}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
