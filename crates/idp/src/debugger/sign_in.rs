//! Signing in from a home page and reading the result: the authorization request (state,
//! nonce and a PKCE S256 challenge made here, RFC 7636 §4), the built-in callback page,
//! and the code exchange the IdP performs against its own tenant's token endpoint with
//! the client's registered authentication method (RFC 6749 §2.3.1, §4.1.3), followed by
//! a userinfo call with the access token (OIDC Core §5.3).
//!
//! Stable element ids (README "Page elements"): on the callback page `#code`, `#state`,
//! `#exchange-form` and its button `#exchange`; for a refused sign-in `#idp-error`,
//! `#error-code`, `#error-description`, `#refusal-note`. On the exchange page
//! `#token-status`, `#token-auth`, `#token-response`, `#exchange-error`,
//! `#id-token-header`, `#id-token-claims`, `#id-token-signature` (`data-verified`
//! `true`/`false`), `#id-token-nonce`, `#userinfo-status`, `#userinfo-response`,
//! `#back-home`.

use super::id_token::{SignatureCheck, inspect};
use super::{CALLBACK_PATH, Flow, page};
use crate::endpoints::dispatch;
use crate::journal::mask;
use crate::model::TokenAuthMethod;
use crate::params::Params;
use crate::server::Idp;
use crate::tenant::{EndpointPaths, Tenant};
use crate::tokens::{random_token, s256};
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maud::{Markup, html};
use serde_json::Value;
use std::sync::Arc;

/// The scopes a sign-in from the home page asks for, where the client may ask for them.
const SCOPES: [&str; 3] = ["openid", "email", "profile"];
/// Form bodies the debugger reads at most.
const MAX_FORM: usize = 64 * 1024;
/// Token and userinfo answers the debugger reads at most.
const MAX_ANSWER: usize = 1 << 20;

fn refuse(status: StatusCode, title: &str, why: impl Into<String>) -> Response {
    let why = why.into();
    page(
        status,
        title,
        html! {
            h1 { (title) }
            p id="debugger-error" class="err" role="alert" { (why) }
        },
    )
}

async fn form(req: Request) -> Result<Params, Response> {
    let bytes = axum::body::to_bytes(req.into_body(), MAX_FORM)
        .await
        .map_err(|_| {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too large",
                format!("The form is larger than {MAX_FORM} bytes."),
            )
        })?;
    Ok(Params::parse(&bytes))
}

/// `POST /_stickler/sign-in` (`tenant`, `client_id`): starts an authorization request for
/// the client to the built-in callback, and sends the browser to the tenant's
/// authorization endpoint.
pub async fn start(State(idp): State<Arc<Idp>>, req: Request) -> Response {
    let p = match form(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (Some(name), Some(client_id)) = (p.get("tenant"), p.get("client_id")) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Cannot sign in",
            "The form needs `tenant` and `client_id`.",
        );
    };
    let Some(tenant) = idp.tenant(name) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "Cannot sign in",
            format!("There is no tenant '{name}' on this IdP."),
        );
    };
    let callback = format!("{}{CALLBACK_PATH}", idp.base_url);
    let (authorize, scope) = {
        let s = tenant.lock();
        let Some(client) = s.clients.get(client_id) else {
            return refuse(
                StatusCode::NOT_FOUND,
                "Cannot sign in",
                format!("Tenant '{name}' has no client '{client_id}'."),
            );
        };
        if !client.redirect_uris.contains(&callback) {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Cannot sign in",
                format!("Client '{client_id}' has not registered {callback} as a redirect URI."),
            );
        }
        let scope: Vec<&str> = SCOPES
            .iter()
            .copied()
            .filter(|s| {
                *s == "openid"
                    || client
                        .scopes
                        .as_ref()
                        .is_none_or(|allowed| allowed.iter().any(|a| a == s))
            })
            .collect();
        let paths = EndpointPaths::of(s.quirks.endpoint_layout);
        (tenant.url(paths.authorize), scope.join(" "))
    };
    let state = random_token("", 24);
    let flow = Flow {
        tenant: tenant.name.clone(),
        client_id: client_id.to_string(),
        nonce: random_token("", 24),
        code_verifier: random_token("", 32),
    };
    let Ok(mut url) = url::Url::parse(&authorize) else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Cannot sign in",
            format!("The authorization endpoint '{authorize}' is not a URL."),
        );
    };
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", &scope)
        .append_pair("redirect_uri", &callback)
        .append_pair("state", &state)
        .append_pair("nonce", &flow.nonce)
        .append_pair("code_challenge", &s256(&flow.code_verifier))
        .append_pair("code_challenge_method", "S256");
    idp.flows().insert(state, flow);
    Redirect::to(url.as_str()).into_response()
}

/// The tenant holding a code, the client it was issued to, and the redirect URI it was
/// requested with.
fn find_code(idp: &Idp, code: &str) -> Option<(Arc<Tenant>, String, Option<String>)> {
    idp.tenants().into_iter().find_map(|t| {
        let found = t
            .lock()
            .codes
            .get(code)
            .map(|c| (c.grant.client_id.clone(), c.redirect_uri_sent.clone()));
        found.map(|(client, redirect)| (t, client, redirect))
    })
}

/// `GET /_stickler/callback`: what arrived. A code the IdP issued to this callback gets
/// an "exchange" button; a refusal shows the error and nothing about codes.
pub async fn callback(State(idp): State<Arc<Idp>>, RawQuery(query): RawQuery) -> Response {
    let p = Params::parse(query.unwrap_or_default().as_bytes());
    let state = p.get("state").unwrap_or("");
    let callback = format!("{}{CALLBACK_PATH}", idp.base_url);
    let body = if let Some(e) = p.get("error") {
        html! {
            h1 { "The sign-in was refused" }
            div id="idp-error" class="err" role="alert" {
                p { "Error: " code id="error-code" { (e) } }
                p id="error-description" { (p.get("error_description").unwrap_or("")) }
            }
            p { "State: " code id="state" { (state) } }
            p id="refusal-note" {
                "The identity provider sent the browser back with an error instead of a code: there is nothing to exchange."
            }
        }
    } else if let Some(code) = p.get("code") {
        let found = find_code(&idp, code);
        let exchangeable = found
            .as_ref()
            .is_some_and(|(_, _, r)| r.as_deref() == Some(callback.as_str()));
        let lifetime = found
            .as_ref()
            .map(|(t, _, _)| t.lock().quirks.code_lifetime_secs)
            .unwrap_or(600);
        html! {
            h1 { "Callback received" }
            p { "Authorization code: " code id="code" { (code) } }
            p { "State: " code id="state" { (state) } }
            @if let (true, Some((t, client, _))) = (exchangeable, &found) {
                p { "Issued by tenant " code { (t.name) } " to client " code { (client) } ". It works once, within " (lifetime) " s." }
                form id="exchange-form" method="post" action="/_stickler/exchange" {
                    input type="hidden" name="code" value=(code);
                    input type="hidden" name="state" value=(state);
                    button id="exchange" type="submit" { "Exchange the code" }
                }
            } @else {
                p { "Exchange the code at the token endpoint within " (lifetime / 60) " minutes; it works once." }
            }
        }
    } else {
        html! {
            h1 { "Callback received" }
            p id="refusal-note" { "Neither a code nor an error arrived." }
            p { "State: " code id="state" { (state) } }
        }
    };
    page(StatusCode::OK, "Callback", body)
}

/// An answer from one of the tenant's endpoints, read whole.
struct Answer {
    status: StatusCode,
    www_authenticate: Option<String>,
    body: String,
    json: Option<Value>,
}

async fn call(tenant: &Tenant, path: &str, req: axum::http::Request<Body>) -> Answer {
    let resp = dispatch(tenant, path, req).await;
    let status = resp.status();
    let www_authenticate = resp
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = axum::body::to_bytes(resp.into_body(), MAX_ANSWER)
        .await
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Answer {
        status,
        www_authenticate,
        json: serde_json::from_str(&body).ok(),
        body,
    }
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn pretty(a: &Answer) -> String {
    a.json
        .as_ref()
        .and_then(|v| serde_json::to_string_pretty(v).ok())
        .unwrap_or_else(|| a.body.clone())
}

/// `POST /_stickler/exchange` (`code`, `state`): redeems a code issued to the built-in
/// callback at the tenant's token endpoint, as its client is registered to
/// authenticate, then calls userinfo; shows both answers and the decoded ID token.
pub async fn exchange(State(idp): State<Arc<Idp>>, req: Request) -> Response {
    let p = match form(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(code) = p.get("code").filter(|c| !c.is_empty()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Cannot exchange",
            "The form needs `code`.",
        );
    };
    let callback = format!("{}{CALLBACK_PATH}", idp.base_url);
    let Some((tenant, client_id, redirect)) = find_code(&idp, code) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Cannot exchange",
            "No tenant of this IdP knows this code (expired and swept, or never issued here).",
        );
    };
    if redirect.as_deref() != Some(callback.as_str()) {
        // Redeeming it would spend a code that belongs to an app.
        return refuse(
            StatusCode::BAD_REQUEST,
            "Cannot exchange",
            format!(
                "This code was issued for another redirect URI, not {callback}: it belongs to an app, so the debugger leaves it alone."
            ),
        );
    }
    let flow = p
        .get("state")
        .and_then(|s| idp.flows().get(s).cloned())
        .filter(|f| f.tenant == tenant.name && f.client_id == client_id);
    let (method, secret, paths) = {
        let s = tenant.lock();
        let Some(c) = s.clients.get(&client_id) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Cannot exchange",
                format!(
                    "Client '{client_id}' is no longer registered at tenant '{}'.",
                    tenant.name
                ),
            );
        };
        (
            c.token_endpoint_auth_method,
            c.client_secret.clone(),
            EndpointPaths::of(s.quirks.endpoint_layout),
        )
    };

    // The token request (RFC 6749 §4.1.3), authenticated as the client is registered.
    let mut fields: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &callback),
    ];
    if let Some(f) = &flow {
        fields.push(("code_verifier", &f.code_verifier));
    }
    let mut builder = axum::http::Request::post(tenant.url(paths.token))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let auth_note = match method {
        TokenAuthMethod::ClientSecretBasic => {
            // RFC 6749 §2.3.1: id and secret form-url-encoded, then Basic.
            let pair = format!(
                "{}:{}",
                form_encode_value(&client_id),
                form_encode_value(&secret)
            );
            builder = builder.header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(pair)),
            );
            "client_secret_basic: the id and secret in an Authorization: Basic header"
        }
        TokenAuthMethod::ClientSecretPost => {
            fields.push(("client_id", &client_id));
            fields.push(("client_secret", &secret));
            "client_secret_post: the id and secret in the form body"
        }
        TokenAuthMethod::None => {
            fields.push(("client_id", &client_id));
            "none: a public client, the client_id in the form body"
        }
    };
    let Ok(token_req) = builder.body(Body::from(form_encode(&fields))) else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Cannot exchange",
            "The token request could not be built.",
        );
    };
    let token = call(&tenant, paths.token, token_req).await;

    let id_token = token
        .json
        .as_ref()
        .and_then(|v| v["id_token"].as_str())
        .map(|jwt| {
            let jwks = {
                let s = tenant.lock();
                s.keys.jwks(crate::misbehaviour::jwks_shape(
                    s.quirks.id_token_misbehaviour,
                ))
            };
            inspect(jwt, &jwks)
        });
    let userinfo = match token.json.as_ref().and_then(|v| v["access_token"].as_str()) {
        Some(at) if token.status.is_success() => {
            let req = axum::http::Request::get(tenant.url(paths.userinfo))
                .header(header::AUTHORIZATION, format!("Bearer {at}"))
                .body(Body::empty());
            match req {
                Ok(r) => Some(call(&tenant, paths.userinfo, r).await),
                Err(_) => None,
            }
        }
        _ => None,
    };

    let home = if tenant.name == crate::tenant::DEFAULT_TENANT {
        "/".to_string()
    } else {
        format!("/t/{}/", tenant.name)
    };
    let refused = token.json.as_ref().and_then(|v| v["error"].as_str());
    let body = html! {
        h1 {
            @if token.status.is_success() { "Code exchanged" } @else { "The token endpoint refused the code" }
        }
        p {
            "Token request: " code { "POST " (tenant.url(paths.token)) } " for client " code { (client_id) }
            " with the code " code { (mask(code)) }
            @if flow.is_some() { ", its PKCE verifier" }
            "."
        }
        p { "Client authentication: " span id="token-auth" { (auth_note) } }
        p { "Answer: HTTP " span id="token-status" { (token.status.as_u16()) } }
        @if let Some(e) = refused {
            div id="exchange-error" class="err" role="alert" {
                p { "Error: " code { (e) } }
                p { (token.json.as_ref().and_then(|v| v["error_description"].as_str()).unwrap_or("")) }
            }
        }
        pre id="token-response" { (pretty(&token)) }
        @if let Some(t) = &id_token { (id_token_section(t, flow.as_ref())) }
        @if let Some(u) = &userinfo {
            h2 { "Userinfo" }
            p { "GET " code { (tenant.url(paths.userinfo)) } " with the access token as a bearer: HTTP " span id="userinfo-status" { (u.status.as_u16()) } }
            @if let Some(w) = &u.www_authenticate { p { "WWW-Authenticate: " code id="userinfo-www-authenticate" { (w) } } }
            pre id="userinfo-response" { (pretty(u)) }
        }
        p { a id="back-home" href=(home) { "Back to tenant " (tenant.name) } }
    };
    page(StatusCode::OK, "Code exchange", body)
}

fn form_encode_value(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

fn id_token_section(
    t: &Result<super::id_token::InspectedIdToken, super::id_token::InspectError>,
    flow: Option<&Flow>,
) -> Markup {
    let t = match t {
        Ok(t) => t,
        Err(e) => {
            return html! {
                h2 { "ID token" }
                p id="id-token-error" class="err" { (e) }
            };
        }
    };
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (verified, what) = match &t.signature {
        SignatureCheck::Verified { alg, kid } => (
            true,
            match kid {
                Some(kid) => format!("verified: {alg} with the JWKS key {kid}"),
                None => format!("verified: {alg} with a JWKS key without kid"),
            },
        ),
        SignatureCheck::NotVerified(why) => (false, format!("not verified: {why}")),
    };
    let nonce = flow.map(|f| match t.claims["nonce"].as_str() {
        Some(n) if n == f.nonce => ("ok", "matches the nonce sent".to_string()),
        Some(n) => (
            "err",
            format!("{n} differs from the nonce sent ({})", f.nonce),
        ),
        None => ("err", "absent, although a nonce was sent".to_string()),
    });
    html! {
        h2 { "ID token" }
        p {
            "Signature: "
            span id="id-token-signature" class=(if verified { "ok" } else { "err" }) data-verified=(verified) { (what) }
        }
        @if let Some((class, text)) = nonce {
            p { "Nonce: " span id="id-token-nonce" class=(class) { (text) } }
        }
        h3 { "Header" }
        pre id="id-token-header" { (pretty(&t.header)) }
        h3 { "Claims" }
        pre id="id-token-claims" { (pretty(&t.claims)) }
    }
}
