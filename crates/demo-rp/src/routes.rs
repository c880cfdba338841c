//! The demo app's routes: home, login (start the code flow), callback (check state,
//! exchange the code, verify the ID token, call userinfo), logout.

use crate::bugs::Bug;
use crate::http_client::adapter;
use crate::pages::{self, Shown};
use crate::{App, OidcClient};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AccessTokenHash, AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, Scope, SubjectIdentifier, TokenResponse,
};
use rand::Rng;
use std::collections::HashMap;
use std::sync::Arc;

/// A sign-in in progress.
pub struct Flow {
    state: Option<String>,
    nonce: Nonce,
    verifier: String,
}

const FLOW_COOKIE: &str = "demo_rp_flow";
const SESSION_COOKIE: &str = "demo_rp_session";

fn random(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn with_cookie(mut resp: Response, name: &str, value: &str) -> Response {
    let c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = c.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// `GET /`.
pub async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let sessions = app.sessions.lock().unwrap_or_else(|p| p.into_inner());
    let user = cookie(&headers, SESSION_COOKIE).and_then(|id| sessions.get(&id).cloned());
    pages::home(user.as_ref())
}

/// `GET /login`: starts the authorization code flow.
pub async fn login(State(app): State<Arc<App>>) -> Response {
    let client = app.client();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = match () {
        _ if app.bugs.has(Bug::NoState) => None,
        _ if app.bugs.has(Bug::ShortState) => Some("abcd".to_string()),
        _ => Some(random(32)),
    };
    let nonce = if app.bugs.has(Bug::ShortNonce) { Nonce::new("abcd".into()) } else { Nonce::new(random(32)) };
    let state_for_url = state.clone().unwrap_or_default();
    let nonce_for_url = nonce.clone();
    let mut req = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        move || CsrfToken::new(state_for_url.clone()),
        move || nonce_for_url.clone(),
    );
    for s in app.cfg.scopes.split_whitespace().filter(|s| *s != "openid") {
        req = req.add_scope(Scope::new(s.to_string()));
    }
    let plain = app.bugs.has(Bug::PlainPkce);
    if !plain {
        req = req.set_pkce_challenge(challenge);
    }
    let (mut url, _, _) = req.url();
    // Bugs that no well-behaved library lets you configure: rewrite the URL.
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| !(k == "state" && state.is_none()))
        .chain(plain.then(|| {
            [
                ("code_challenge".to_string(), verifier.secret().clone()),
                ("code_challenge_method".to_string(), "plain".to_string()),
            ]
        }).into_iter().flatten())
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let id = random(24);
    app.flows.lock().unwrap_or_else(|p| p.into_inner()).insert(
        id.clone(),
        Flow { state, nonce, verifier: verifier.secret().clone() },
    );
    with_cookie(redirect(url.as_str()), FLOW_COOKIE, &id)
}

fn refuse(msg: impl std::fmt::Display) -> Response {
    pages::error(StatusCode::BAD_REQUEST, &msg.to_string())
}

/// `GET /callback`.
pub async fn callback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Some(err) = params.get("error") {
        if app.bugs.has(Bug::CrashOnIdpError) {
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        let desc = params.get("error_description").map(String::as_str).unwrap_or("");
        return refuse(format!("{err}: {desc}"));
    }
    let flow = cookie(&headers, FLOW_COOKIE)
        .and_then(|id| app.flows.lock().unwrap_or_else(|p| p.into_inner()).remove(&id));
    let Some(flow) = flow else {
        return refuse("no sign-in is in progress in this browser (missing or used flow cookie)");
    };
    let check_state = !app.bugs.has(Bug::IgnoreStateMismatch) && !app.bugs.has(Bug::NoState);
    if check_state && params.get("state") != flow.state.as_ref() {
        return refuse("state mismatch: this callback was not started by this browser");
    }
    let Some(code) = params.get("code") else {
        return refuse("the callback carries neither a code nor an error");
    };
    match finish(&app, flow, code).await {
        Ok(Ok(user)) => {
            let id = random(32);
            app.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), user);
            with_cookie(redirect("/"), SESSION_COOKIE, &id)
        }
        Ok(Err(crash)) => crash,
        Err(e) => refuse(e),
    }
}

/// Exchanges the code and verifies what comes back. `Ok(Err(_))` is a crash response.
async fn finish(app: &App, flow: Flow, code: &str) -> anyhow::Result<Result<Shown, Response>> {
    let client: OidcClient = app.client();
    let http = adapter(app.http.clone());
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier))
        .request_async(&http)
        .await
        .map_err(|e| anyhow::anyhow!("token request failed: {}", describe_token_error(&e)))?;
    let id_token = token.id_token().ok_or_else(|| anyhow::anyhow!("the token response has no id_token"))?;
    let mut verifier = client.id_token_verifier();
    if app.bugs.has(Bug::SkipIssuerCheck) {
        verifier = verifier.require_issuer_match(false);
    }
    if app.bugs.has(Bug::SkipAudienceCheck) {
        verifier = verifier.require_audience_match(false);
    }
    if app.bugs.has(Bug::SkipSignatureCheck) {
        verifier = verifier.insecure_disable_signature_check();
    }
    if app.bugs.has(Bug::AcceptAnyAlg) {
        verifier = verifier.allow_any_alg();
    }
    if app.bugs.has(Bug::IgnoreExp) {
        verifier = verifier.set_time_fn(|| chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    }
    let claims = if app.bugs.has(Bug::IgnoreNonce) {
        id_token.claims(&verifier, |_: Option<&Nonce>| Ok(()))
    } else {
        id_token.claims(&verifier, &flow.nonce)
    }
    .map_err(|e| anyhow::anyhow!("the ID token was refused: {e}"))?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token.signing_alg()?;
        let key = id_token.signing_key(&verifier)?;
        let actual = AccessTokenHash::from_token(token.access_token(), alg, key)?;
        if &actual != expected {
            anyhow::bail!("the ID token's at_hash does not match the access token");
        }
    }
    let payload = id_token.to_string();
    let groups = match groups_from_jwt(&payload, &app.cfg.groups_claim, app.bugs.has(Bug::GroupsArrayOnly)) {
        Ok(g) => g,
        Err(e) => return Ok(Err((StatusCode::INTERNAL_SERVER_ERROR, format!("Internal Server Error: {e}")).into_response())),
    };
    let sub = claims.subject().clone();
    let mut email = claims.email().map(|e| e.to_string()).unwrap_or_default();
    let mut name = display_name(
        claims.preferred_username().map(|u| u.to_string()),
        claims.given_name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        claims.family_name().and_then(|n| n.get(None)).map(|n| n.to_string()),
    );
    if app.metadata.userinfo_endpoint().is_some() {
        let expected: Option<SubjectIdentifier> =
            if app.bugs.has(Bug::IgnoreUserinfoSub) { None } else { Some(sub.clone()) };
        let info: openidconnect::core::CoreUserInfoClaims = client
            .user_info(token.access_token().clone(), expected)?
            .request_async(&http)
            .await
            .map_err(|e| anyhow::anyhow!("the userinfo request failed: {e}"))?;
        if email.is_empty() {
            email = info.email().map(|e| e.to_string()).unwrap_or_default();
        }
        if name.is_empty() {
            name = display_name(
                info.preferred_username().map(|u| u.to_string()),
                info.given_name().and_then(|n| n.get(None)).map(|n| n.to_string()),
                info.family_name().and_then(|n| n.get(None)).map(|n| n.to_string()),
            );
        }
    }
    Ok(Ok(Shown { name: if name.is_empty() { email.clone() } else { name }, email, sub: sub.to_string(), groups }))
}

fn describe_token_error<E: std::error::Error>(
    e: &openidconnect::RequestTokenError<E, openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>>,
) -> String {
    match e {
        openidconnect::RequestTokenError::ServerResponse(r) => format!(
            "{}: {}",
            r.error(),
            r.error_description().map(String::as_str).unwrap_or("")
        ),
        other => other.to_string(),
    }
}

fn display_name(username: Option<String>, given: Option<String>, family: Option<String>) -> String {
    match (given, family, username) {
        (Some(g), Some(f), _) => format!("{g} {f}"),
        (Some(g), None, _) => g,
        (_, _, Some(u)) => u,
        _ => String::new(),
    }
}

/// Reads the groups claim of a verified JWT. JumpCloud sends a string for one group
/// and an array for several; `strict` copies apps that only accept an array.
pub fn groups_from_jwt(jwt: &str, claim: &str, strict: bool) -> Result<Vec<String>, String> {
    let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    groups_from_claim(v.get(claim), strict)
}

/// See [`groups_from_jwt`].
pub fn groups_from_claim(value: Option<&serde_json::Value>, strict: bool) -> Result<Vec<String>, String> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(v) if strict => serde_json::from_value::<Vec<String>>(v.clone()).map_err(|e| e.to_string()),
        Some(serde_json::Value::String(s)) => Ok(vec![s.clone()]),
        Some(v) => serde_json::from_value::<Vec<String>>(v.clone()).map_err(|e| e.to_string()),
    }
}

/// `GET /logout`.
pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        app.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
    redirect("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_come_as_string_or_array() {
        assert_eq!(groups_from_claim(Some(&json!("Eng")), false).unwrap(), vec!["Eng"]);
        assert_eq!(groups_from_claim(Some(&json!(["A", "B"])), false).unwrap(), vec!["A", "B"]);
        assert!(groups_from_claim(None, false).unwrap().is_empty());
        let e = groups_from_claim(Some(&json!("Eng")), true).unwrap_err();
        assert!(e.contains("invalid type: string"), "{e}");
    }

    #[test]
    fn random_values_are_long() {
        assert_eq!(random(32).len(), 32);
    }
}
