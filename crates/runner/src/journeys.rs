//! Browser journeys: a person signing in through the app, and the same journey with the
//! callback tampered with. Each ends with an [`Observation`] of the final page.

use crate::evidence::{Observation, Shown};
use crate::world::CheckWorld;
use anyhow::{Context, Result, anyhow, bail};
use std::time::Duration;

/// The IdP's login form and its error markers (documented in the README).
const IDP_LOGIN_FORM: &str = "#stickler-login";
const IDP_LOGIN_ERROR: &str = "#login-error";
const IDP_ERROR_PAGE: &str = "#idp-error";
/// How long a page may take to show what a journey waits for.
const STEP_WAIT: Duration = Duration::from_secs(15);

/// Opens the app's start page and clicks the sign-in element; true when the IdP's
/// login form is showing.
async fn start(w: &mut CheckWorld) -> Result<bool> {
    w.ensure_started().await?;
    let login = w.env.scenario.login.clone();
    let start_url = w.vars.fill(&login.start_url)?;
    let b = w.browser()?;
    let t = std::time::Instant::now();
    b.goto(&start_url).await?;
    tracing::debug!(check = %w.key, ms = t.elapsed().as_millis() as u64, "start page loaded");
    if let Some(click) = &login.click {
        b.click(click).await?;
        tracing::debug!(check = %w.key, ms = t.elapsed().as_millis() as u64, "clicked");
    }
    let shown = settle(w, &[IDP_LOGIN_FORM]).await == Some(0);
    tracing::debug!(check = %w.key, ms = t.elapsed().as_millis() as u64, "settled on the IdP");
    Ok(shown)
}

/// A person signs in as `username` with their password.
pub async fn sign_in(w: &mut CheckWorld, username: &str) -> Result<Observation> {
    let password = w
        .user(username)?
        .password
        .clone()
        .unwrap_or_else(|| username.to_string());
    if start(w).await? {
        let b = w.browser()?;
        let t = std::time::Instant::now();
        if let Err(e) = b.submit_login(username, &password).await {
            // The IdP answered the login with a redirect to the app, and the app never
            // answered it: the app's fault, not the login form's.
            if let Some(callback) = unanswered_callback(w).await {
                let crash = format!(
                    "the app did not answer its callback ({callback}) within {} s",
                    crate::browser::PAGE_LOAD.as_secs()
                );
                w.crash = Some(crash.clone());
                bail!("{crash}");
            }
            return Err(e.into());
        }
        tracing::debug!(check = %w.key, ms = t.elapsed().as_millis() as u64, "login submitted");
        settle(w, &[]).await;
        tracing::debug!(check = %w.key, ms = t.elapsed().as_millis() as u64, "settled after login");
    }
    let t = std::time::Instant::now();
    let seen = observe(w).await?;
    tracing::debug!(check = %w.key, ms = t.elapsed().as_millis() as u64, "observed");
    w.seen = Some(seen.clone());
    Ok(seen)
}

/// The callback the IdP sent the browser to after the login, when the browser is not
/// on a page of the app's (it is still waiting for the app to answer).
async fn unanswered_callback(w: &CheckWorld) -> Option<String> {
    let redirect = w
        .journal()
        .await
        .ok()?
        .into_iter()
        .rev()
        .find(|e| {
            e.endpoint == stickler_idp::Endpoint::Login
                && e.outcome == stickler_idp::Outcome::Redirect
        })?
        .location?;
    let app_prefix = redirect.split('?').next()?.to_string();
    let now = w.browser().ok()?.current_url().await.ok()?;
    (!now.as_str().starts_with(&app_prefix)).then_some(redirect)
}

/// Starts a sign-in in the browser, then submits the IdP's login form over HTTP and
/// returns the callback URL the IdP redirects to (genuine code and state), without
/// delivering it: the journeys below decide what reaches the app.
async fn callback_over_http(w: &mut CheckWorld, username: &str) -> Result<url::Url> {
    let password = w
        .user(username)?
        .password
        .clone()
        .unwrap_or_else(|| username.to_string());
    if !start(w).await? {
        let seen = observe(w).await?;
        w.seen = Some(seen.clone());
        bail!(
            "the IdP did not show its login form, so no callback could be made; the browser ended on {} showing: {}",
            seen.url,
            seen.text
        );
    }
    let b = w.browser()?;
    let form = b
        .execute("const f=document.getElementById('stickler-login');return [f.action, f.querySelector('input[name=login_challenge]').value];")
        .await?;
    let action = form[0]
        .as_str()
        .ok_or_else(|| anyhow!("login form has no action"))?;
    let challenge = form[1].as_str().unwrap_or_default();
    let resp = w
        .env
        .http
        .post(action)
        .form(&[
            ("login_challenge", challenge),
            ("username", username),
            ("password", &password),
        ])
        .send()
        .await
        .context("posting the login form")?;
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            anyhow!(
                "the IdP answered the login with {} and no redirect",
                resp.status()
            )
        })?;
    let url = url::Url::parse(location)?;
    if !url.query_pairs().any(|(k, _)| k == "code") {
        bail!("the IdP refused the sign-in before a code was issued: {location}");
    }
    Ok(url)
}

/// Opens `url` in the browser, waits for the app's verdict and observes it.
async fn deliver(w: &mut CheckWorld, url: &url::Url) -> Result<Observation> {
    w.callback_delivered = true;
    if w.browser()?.goto(url.as_str()).await.is_err() {
        let crash = format!(
            "the app did not answer its callback ({}) within {} s",
            stickler_idp::journal::mask_location(url.as_str()),
            crate::browser::PAGE_LOAD.as_secs()
        );
        w.crash = Some(crash.clone());
        bail!("{crash}");
    }
    settle(w, &[]).await;
    let seen = observe(w).await?;
    w.seen = Some(seen.clone());
    Ok(seen)
}

/// Signs in, but the callback reaching the app carries a `state` the app never issued
/// (a login CSRF attempt). The code in it is genuine.
pub async fn sign_in_with_forged_state(w: &mut CheckWorld, username: &str) -> Result<Observation> {
    let mut url = callback_over_http(w, username).await?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "state")
        .chain([(
            "state".to_string(),
            "forged-by-stickler-0123456789".to_string(),
        )])
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    w.notes
        .push("forged callback: the genuine code with a state the app never issued".into());
    deliver(w, &url).await
}

/// Signs in, then delivers the same callback URL (genuine code and state) again from a
/// new browser session, as whoever finds it in a history, a log or a `Referer` would.
/// The first sign-in must succeed, or the replay proves nothing.
pub async fn sign_in_and_replay_callback(
    w: &mut CheckWorld,
    username: &str,
) -> Result<Observation> {
    let callback = callback_over_http(w, username).await?;
    w.callback_delivered = false;
    let first = deliver(w, &callback).await?;
    w.callback_delivered = false;
    if !matches!(first.shown, Shown::SignedIn(_)) {
        bail!(
            "the genuine sign-in did not succeed, so there is no callback to replay; the browser ended on {} showing: {}",
            first.url,
            first.text
        );
    }
    w.notes
        .push("replayed the genuine callback in a new browser session".into());
    w.browser()?.forget_cookies().await?;
    deliver(w, &callback).await
}

/// Waits until the page shows one of `first` (index returned), the app's verdict, an
/// IdP page, or a server error, or until the wait runs out (a blank or unexpected page
/// is then judged by the Then steps).
async fn settle(w: &CheckWorld, first: &[&str]) -> Option<usize> {
    let login = &w.env.scenario.login;
    let mut wanted: Vec<&str> = first.to_vec();
    wanted.extend([login.signed_in.as_str(), IDP_ERROR_PAGE, IDP_LOGIN_ERROR]);
    if let Some(e) = &login.error {
        wanted.push(e.as_str());
    }
    let b = w.browser().ok()?;
    let deadline = tokio::time::Instant::now() + STEP_WAIT;
    while tokio::time::Instant::now() < deadline {
        // One script per look: which element shows, and the document's HTTP status.
        let (shown, status) = probe(b, &wanted).await;
        if shown.is_some() {
            return shown;
        }
        if status.is_some_and(|s| s >= 500) {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// The index of the first of `selectors` on the page, and the page's HTTP status; both
/// `None` while the browser is between documents.
async fn probe(
    b: &crate::browser::BrowserSession,
    selectors: &[&str],
) -> (Option<usize>, Option<u16>) {
    const JS: &str = "const s=arguments[0];\
        const i=s.findIndex(x=>{try{return document.querySelector(x)!==null}catch(e){return false}});\
        const n=performance.getEntriesByType('navigation')[0];\
        return [i, n?n.responseStatus:null];";
    let Ok(v) = b.execute_with(JS, vec![serde_json::json!(selectors)]).await else {
        return (None, None);
    };
    let shown = v[0].as_i64().and_then(|i| usize::try_from(i).ok());
    let status = v[1]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| *s > 0);
    (shown, status)
}

/// Reads what the page shows now: its URL, HTTP status, text, and which verdict
/// element is there (the app's signed-in user, the app's error, the IdP's pages).
pub async fn observe(w: &CheckWorld) -> Result<Observation> {
    const JS: &str = "const s=arguments[0];\
        const n=performance.getEntriesByType('navigation')[0];\
        let found=[-1,null];\
        for(let i=0;i<s.length;i++){const e=document.querySelector(s[i]);if(e){found=[i,e.innerText];break;}}\
        return [n?n.responseStatus:null, document.body?document.body.innerText:'', found[0], found[1]];";
    let login = &w.env.scenario.login;
    let b = w.browser()?;
    // Codes and tokens in the URL are masked, as in the IdP journal.
    let url = stickler_idp::journal::mask_location(b.current_url().await?.as_str());
    type Probe<'a> = (&'a str, fn(String) -> Shown);
    let mut probes: Vec<Probe> = vec![
        (login.signed_in.as_str(), Shown::SignedIn),
        (IDP_ERROR_PAGE, Shown::IdpError),
        (IDP_LOGIN_ERROR, Shown::LoginError),
    ];
    if let Some(e) = &login.error {
        probes.insert(1, (e.as_str(), Shown::AppError));
    }
    let selectors: Vec<&str> = probes.iter().map(|(s, _)| *s).collect();
    let v = b
        .execute_with(JS, vec![serde_json::json!(selectors)])
        .await?;
    let status = v[0]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| *s > 0);
    let text = v[1].as_str().unwrap_or_default();
    let shown = match (v[2].as_i64().and_then(|i| usize::try_from(i).ok()), &v[3]) {
        (Some(i), serde_json::Value::String(t)) => probes
            .get(i)
            .map_or(Shown::Nothing, |(_, make)| make(t.trim().to_string())),
        _ => Shown::Nothing,
    };
    Ok(Observation {
        url,
        status,
        shown,
        text: excerpt(&w.vars.masked(text), 600),
    })
}

/// The first `max` characters of a text, on one line.
pub fn excerpt(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}
