//! One code flow against the demo tenant, over HTTP, for the benchmarks: authorize, the
//! login form, the token exchange.

/// The demo client's redirect URI.
const REDIRECT: &str = "http://127.0.0.1:3000/callback";

fn attr<'a>(html: &'a str, anchor: &str, name: &str) -> Option<&'a str> {
    let from = &html[html.find(anchor)?..];
    let start = from.find(&format!("{name}=\""))? + name.len() + 2;
    let len = from[start..].find('"')?;
    Some(&from[start..start + len])
}

/// Authorize, then the login when `sign_in`, then the token exchange when `exchange`
/// (which must give an ID token); Err on anything unexpected.
pub async fn flow(
    http: &reqwest::Client,
    base: &str,
    state: &str,
    sign_in: bool,
    exchange: bool,
) -> Result<(), String> {
    let e = |e: reqwest::Error| e.to_string();
    let page = http
        .get(format!("{base}/oauth2/auth"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "demo-app"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid email profile"),
            ("state", state),
            ("nonce", "bench-nonce-123"),
        ])
        .send()
        .await
        .map_err(e)?
        .text()
        .await
        .map_err(e)?;
    let action = attr(&page, "id=\"stickler-login\"", "action").ok_or("no login form")?;
    let challenge = attr(&page, "name=\"login_challenge\"", "value").ok_or("no login challenge")?;
    if !sign_in {
        return Ok(());
    }
    let resp = http
        .post(action)
        .form(&[
            ("login_challenge", challenge),
            ("username", "alice"),
            ("password", "alice"),
        ])
        .send()
        .await
        .map_err(e)?;
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("login answered {}", resp.status()))?;
    if !exchange {
        return Ok(());
    }
    let code = url::Url::parse(location)
        .map_err(|e| e.to_string())?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("no code")?;
    let resp = http
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "demo-app"),
            ("client_secret", "demo-secret"),
        ])
        .send()
        .await
        .map_err(e)?;
    if !resp.status().is_success() {
        return Err(format!("token answered {}", resp.status()));
    }
    let body: serde_json::Value = resp.json().await.map_err(e)?;
    if body["id_token"].as_str().is_none() {
        return Err("no id_token".into());
    }
    Ok(())
}
