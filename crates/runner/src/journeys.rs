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
        b.submit_login(username, &password).await?;
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

/// Signs in, but the callback reaching the app carries a `state` the app never issued
/// (a login CSRF attempt). The code in it is genuine.
pub async fn sign_in_with_forged_state(w: &mut CheckWorld, username: &str) -> Result<Observation> {
    let password = w
        .user(username)?
        .password
        .clone()
        .unwrap_or_else(|| username.to_string());
    if !start(w).await? {
        let seen = observe(w).await?;
        w.seen = Some(seen.clone());
        bail!(
            "the IdP did not show its login form, so no callback could be forged; the browser ended on {} showing: {}",
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
    let mut url = url::Url::parse(location)?;
    if !url.query_pairs().any(|(k, _)| k == "code") {
        bail!("the IdP refused the sign-in before a code was issued: {location}");
    }
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
    w.notes.push(format!("forged callback: {url}"));
    w.browser()?.goto(url.as_str()).await?;
    settle(w, &[]).await;
    let seen = observe(w).await?;
    w.seen = Some(seen.clone());
    Ok(seen)
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
        if let Ok((i, _)) = b.wait_for_any(&wanted, Duration::ZERO).await {
            return Some(i);
        }
        if nav_status(b).await.is_some_and(|s| s >= 500) {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// The HTTP status of the current document (Navigation Timing Level 2).
async fn nav_status(b: &crate::browser::BrowserSession) -> Option<u16> {
    b.execute(
        "const n=performance.getEntriesByType('navigation')[0];return n?n.responseStatus:null;",
    )
    .await
    .ok()
    .and_then(|v| v.as_u64())
    .and_then(|s| u16::try_from(s).ok())
    .filter(|s| *s > 0)
}

/// Reads what the page shows now.
pub async fn observe(w: &CheckWorld) -> Result<Observation> {
    let login = &w.env.scenario.login;
    let b = w.browser()?;
    let url = b.current_url().await?.to_string();
    let status = nav_status(b).await;
    let text = b.page_text().await.unwrap_or_default();
    let present = |sel: &str| {
        let js = format!(
            "const e=document.querySelector({});return e?e.innerText:null;",
            serde_json::to_string(sel).unwrap_or_default()
        );
        js
    };
    let mut shown = Shown::Nothing;
    type Probe<'a> = (&'a str, fn(String) -> Shown);
    let mut probes: Vec<Probe> = vec![
        (login.signed_in.as_str(), Shown::SignedIn),
        (IDP_ERROR_PAGE, Shown::IdpError),
        (IDP_LOGIN_ERROR, Shown::LoginError),
    ];
    if let Some(e) = &login.error {
        probes.insert(1, (e.as_str(), Shown::AppError));
    }
    for (sel, make) in probes {
        if let Ok(serde_json::Value::String(t)) = b.execute(&present(sel)).await {
            shown = make(t.trim().to_string());
            break;
        }
    }
    Ok(Observation {
        url,
        status,
        shown,
        text: excerpt(&text, 600),
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
