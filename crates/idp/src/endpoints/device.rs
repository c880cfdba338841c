//! The device authorization grant's endpoints (RFC 8628): the device authorization
//! endpoint (§3.1-3.2), the verification page where a person enters the user code, signs
//! in and allows or denies (§3.3), and the device-code polls at the token endpoint
//! (§3.4-3.5) with `authorization_pending`, `slow_down`, `expired_token` and
//! `access_denied`.

use super::client_auth::{authenticate, observed_method};
use super::token::{issue, not_allowed_grant};
use super::{Req, finish_json, finish_ok, pages};
use crate::device::{DeviceRecord, DeviceStatus, new_user_code, normalize_user_code};
use crate::error::OAuthError;
use crate::journal::{Endpoint, JournalEntry, Outcome};
use crate::model::{Client, DEVICE_CODE_GRANT};
use crate::params::Params;
use crate::quirks::Quirks;
use crate::tenant::{EndpointPaths, Grant, Tenant};
use crate::tokens::{now, random_token};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

/// A poll this much sooner than the interval still counts as on time: clients sleep the
/// interval between polls, and request latency varies.
pub const POLL_TOLERANCE_MS: u64 = 500;

/// `POST` the device authorization endpoint (RFC 8628 §3.1): client authentication as
/// at the token endpoint (a public client sends only `client_id`), `scope`; answers
/// §3.2's JSON.
pub fn device_authorization(tenant: &Tenant, req: Req) -> Response {
    let quirks = tenant.lock().quirks.clone();
    let style = quirks.error_style;
    let form = req.form.clone().unwrap_or_default();
    let mut entry = JournalEntry::new(Endpoint::DeviceAuthorization, "POST", &form.0);
    entry.client_auth = Some(observed_method(&req.headers, &form));
    if req.form.is_none() || form.0.is_empty() {
        let e = OAuthError::invalid_request().hint(
            "The POST body can not be empty. The body must be 'application/x-www-form-urlencoded'.",
        );
        return finish_json(tenant, entry, e, style);
    }
    if let Err(e) = form.reject_repeats() {
        return finish_json(tenant, entry, e, style);
    }
    let client = match authenticate(tenant, &req.headers, &form, &quirks) {
        Ok(c) => c,
        Err(e) => return finish_json(tenant, entry, e, style),
    };
    entry.client_id = Some(client.client_id.clone());
    match start(tenant, &quirks, &client, &form) {
        Ok(body) => {
            let mut resp = finish_ok(tenant, entry, body);
            // fosite writes the device response as it writes token responses.
            if let Some(ct) = style.token_content_type() {
                resp.headers_mut().insert(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static(ct),
                );
            }
            resp
        }
        Err(e) => finish_json(tenant, entry, e, style),
    }
}

/// Issues the device code and user code.
fn start(
    tenant: &Tenant,
    q: &Quirks,
    client: &Client,
    form: &Params,
) -> Result<serde_json::Value, OAuthError> {
    if !client.allows_grant(DEVICE_CODE_GRANT) {
        return Err(not_allowed_grant(DEVICE_CODE_GRANT));
    }
    let scopes: Vec<String> = form
        .get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(s) = client.forbidden_scope(&scopes) {
        return Err(OAuthError::invalid_scope().hint(format!(
            "The OAuth 2.0 Client is not allowed to request scope '{s}'."
        )));
    }
    let t = now();
    let prefix = if q.hydra_token_prefixes {
        "ory_dc_"
    } else {
        ""
    };
    let device_code = random_token(prefix, 32);
    let user_code = {
        let mut s = tenant.lock();
        s.device_codes.expire_oldest(|d| d.expires_at <= t);
        // A user code names one live device code.
        let user_code = loop {
            let candidate = new_user_code(q.device_user_code_format);
            let taken = s
                .device_codes
                .iter()
                .any(|(_, d)| d.user_code == candidate && d.expires_at > t);
            if !taken {
                break candidate;
            }
        };
        s.device_codes.insert(
            device_code.clone(),
            DeviceRecord {
                client_id: client.client_id.clone(),
                scopes,
                user_code: user_code.clone(),
                requested_at: t,
                expires_at: t.saturating_add(q.device_code_lifetime_secs),
                interval_secs: q.device_poll_interval_secs,
                last_poll_ms: None,
                status: DeviceStatus::Pending,
            },
        );
        user_code
    };
    let verification_uri = tenant.url(EndpointPaths::of(q.endpoint_layout).device_verify);
    let complete = format!(
        "{verification_uri}?user_code={}",
        form_urlencoded::byte_serialize(user_code.as_bytes()).collect::<String>()
    );
    Ok(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": complete,
        "expires_in": q.device_code_lifetime_secs,
        "interval": q.device_poll_interval_secs,
    }))
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

/// A device-code poll at the token endpoint (RFC 8628 §3.4-3.5). Records the time since
/// the previous poll of the same code in `entry`.
pub(super) fn poll(
    tenant: &Tenant,
    q: &Quirks,
    client: &Client,
    form: &Params,
    entry: &mut JournalEntry,
) -> Result<serde_json::Value, OAuthError> {
    let Some(device_code) = form.get("device_code") else {
        return Err(
            OAuthError::invalid_request().hint("Request parameter 'device_code' is missing")
        );
    };
    let t = now();
    let grant = {
        let mut s = tenant.lock();
        let Some(rec) = s.device_codes.get_mut(device_code) else {
            return Err(OAuthError::invalid_grant().hint("The device code is unknown."));
        };
        if rec.client_id != client.client_id {
            return Err(OAuthError::invalid_grant().hint(
                "The OAuth 2.0 Client ID from this request does not match the one from the device authorization request.",
            ));
        }
        let at = now_ms();
        let since = rec
            .last_poll_ms
            .map(|last| u64::try_from(at.saturating_sub(last)).unwrap_or(u64::MAX));
        entry.since_last_poll_ms = since;
        rec.last_poll_ms = Some(at);
        if rec.status == DeviceStatus::Redeemed {
            return Err(already_used());
        }
        if rec.expires_at <= t {
            return Err(OAuthError::expired_token());
        }
        let too_soon = since.is_some_and(|ms| {
            ms.saturating_add(POLL_TOLERANCE_MS) < rec.interval_secs.saturating_mul(1000)
        });
        if too_soon || (since.is_none() && q.device_slow_down_first_poll) {
            rec.interval_secs = rec.interval_secs.saturating_add(5);
            // fosite's hint, with the interval now in force for this code.
            return Err(OAuthError::slow_down().hint(format!(
                "Ensure that you don't call the token endpoint sooner than the polling interval ({} seconds).",
                rec.interval_secs
            )));
        }
        match rec.status.clone() {
            DeviceStatus::Pending => return Err(OAuthError::authorization_pending()),
            DeviceStatus::Denied { reason } => {
                return Err(OAuthError::access_denied()
                    .status(StatusCode::BAD_REQUEST)
                    .hint(reason));
            }
            DeviceStatus::Approved { .. } if q.device_expire_early => {
                rec.expires_at = 0;
                return Err(OAuthError::expired_token());
            }
            DeviceStatus::Approved {
                username,
                auth_time,
            } => {
                rec.status = DeviceStatus::Redeemed;
                Grant {
                    client_id: rec.client_id.clone(),
                    username,
                    scopes: rec.scopes.clone(),
                    auth_time,
                    requested_at: rec.requested_at,
                    sid: uuid::Uuid::new_v4().to_string(),
                    nonce: None,
                }
            }
            DeviceStatus::Redeemed => return Err(already_used()),
        }
    };
    let family = uuid::Uuid::new_v4().to_string();
    issue(tenant, q, client, &grant, None, family, t)
}

/// A device code is single use (RFC 8628 §3.5 `invalid_grant`).
fn already_used() -> OAuthError {
    OAuthError::invalid_grant().hint("The device code has already been used.")
}

/// What a `POST` to the verification page asks for.
enum Step {
    /// The user code was entered: show the login form.
    Continue,
    /// Sign in and allow.
    SignIn,
    /// Decline.
    Deny,
}

/// `GET|POST` the verification page (RFC 8628 §3.3): the user-code form
/// (`#stickler-device`), then the login form with `#deny`, then `#device-approved` or
/// `#device-denied`; an unknown or expired code shows `#device-error`.
pub fn verify(tenant: &Tenant, req: Req) -> Response {
    let params = req.params();
    let mut entry = JournalEntry::new(Endpoint::DeviceVerify, req.method.as_str(), &params.0);
    let quirks = tenant.lock().quirks.clone();
    let action = tenant.url(EndpointPaths::of(quirks.endpoint_layout).device_verify);
    let entered = params.get("user_code").unwrap_or("");
    if req.method != axum::http::Method::POST {
        // The user-code form, pre-filled from `?user_code=`.
        entry.status = 200;
        entry.outcome = Outcome::Ok;
        tenant.record(entry);
        return code_form(&action, entered, StatusCode::OK);
    }
    let step = match params.get("action") {
        Some("deny") => Step::Deny,
        Some("sign_in") => Step::SignIn,
        _ => Step::Continue,
    };
    let t = now();
    let wanted = normalize_user_code(entered);
    let found = {
        let s = tenant.lock();
        s.device_codes
            .iter()
            .find(|(_, d)| !wanted.is_empty() && normalize_user_code(&d.user_code) == wanted)
            .map(|(k, d)| (k.clone(), d.clone()))
    };
    let refuse = |mut entry: JournalEntry, err: OAuthError| {
        let description = err.description_in(quirks.error_style);
        entry.status = 400;
        entry.outcome = Outcome::ErrorPage;
        entry.error = Some(err.code.into());
        entry.error_description = Some(description.clone());
        tenant.record(entry);
        device_error(&action, err.code, &description)
    };
    let (device_code, record) = match found {
        None => {
            return refuse(
                entry,
                OAuthError::invalid_request()
                    .hint("The code you entered is unknown. Check it and try again."),
            );
        }
        Some((_, r)) if r.expires_at <= t => {
            return refuse(
                entry,
                OAuthError::expired_token().hint("Start again on your device to get a new code."),
            );
        }
        Some((_, r)) if r.status != DeviceStatus::Pending => {
            return refuse(
                entry,
                OAuthError::invalid_request().hint("This code has already been used."),
            );
        }
        Some(found) => found,
    };
    entry.client_id = Some(record.client_id.clone());
    let client = tenant.lock().clients.get(&record.client_id).cloned();
    let Some(client) = client else {
        return refuse(
            entry,
            OAuthError::invalid_client().hint("The OAuth 2.0 Client was deleted."),
        );
    };
    // Only a pending code changes: two submissions at once cannot re-open a redeemed one.
    let set_status = |status: DeviceStatus| {
        if let Some(r) = tenant.lock().device_codes.get_mut(&device_code)
            && r.status == DeviceStatus::Pending
        {
            r.status = status;
        }
    };
    match step {
        Step::Continue => {
            entry.status = 200;
            entry.outcome = Outcome::LoginPage;
            tenant.record(entry);
            login(tenant, &action, &record.user_code, &client.name, None)
        }
        Step::Deny => {
            let reason = "The user declined the request.".to_string();
            set_status(DeviceStatus::Denied { reason });
            entry.status = 200;
            entry.outcome = Outcome::Denied;
            entry.error = Some("access_denied".into());
            tenant.record(entry);
            denied_page(
                &client.name,
                "You declined. The device will not be signed in.",
            )
        }
        Step::SignIn => {
            let username = params.get("username").unwrap_or("");
            let password = params.get("password").unwrap_or("");
            let user = tenant.lock().users.get(username).cloned();
            let Some(user) = user.filter(|u| u.password == password) else {
                entry.status = 401;
                entry.outcome = Outcome::LoginPage;
                entry.error = Some("wrong_credentials".into());
                tenant.record(entry);
                return login(
                    tenant,
                    &action,
                    &record.user_code,
                    &client.name,
                    Some("Wrong username or password."),
                );
            };
            entry
                .params
                .insert("username".into(), user.username.clone());
            if quirks.require_group_assignment
                && !user.groups.iter().any(|g| client.groups.contains(g))
            {
                let reason = format!(
                    "The user '{}' is not a member of any group assigned to the application '{}'.",
                    user.username, client.name
                );
                set_status(DeviceStatus::Denied {
                    reason: reason.clone(),
                });
                entry.status = 403;
                entry.outcome = Outcome::Denied;
                entry.error = Some("access_denied".into());
                entry.error_description = Some(reason.clone());
                tenant.record(entry);
                return denied_page(&client.name, &reason);
            }
            set_status(DeviceStatus::Approved {
                username: user.username.clone(),
                auth_time: t,
            });
            entry.status = 200;
            entry.outcome = Outcome::Approved;
            tenant.record(entry);
            approved_page(&client.name)
        }
    }
}

/// The user-code form, pre-filled with `user_code` when the link carried one.
fn code_form(action: &str, user_code: &str, status: StatusCode) -> Response {
    let page = pages::layout(
        "Connect a device",
        html! {
            h1 { "Connect a device" }
            p { "Enter the code your device shows." }
            form id="stickler-device" method="post" action=(action) {
                label for="user_code" { "Code" input id="user_code" name="user_code" value=(user_code) autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus; }
                button id="continue" type="submit" name="action" value="continue" { "Continue" }
            }
        },
    );
    (status, Html(page.into_string())).into_response()
}

/// The login form for a device code, with `#deny`.
fn login(
    tenant: &Tenant,
    action: &str,
    user_code: &str,
    client_name: &str,
    error: Option<&str>,
) -> Response {
    let page = pages::layout(
        "Sign in",
        html! {
            h1 { "Sign in" }
            p { "to allow " strong { (client_name) } " on your device, through the Stickler IdP (tenant " code { (tenant.name) } ")" }
            p { "Code: " code id="device-user-code" { (user_code) } }
            (pages::login_form(action, &[("user_code", user_code)], error, true))
        },
    );
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    (status, Html(page.into_string())).into_response()
}

fn approved_page(client_name: &str) -> Response {
    let page = pages::layout(
        "Device connected",
        html! {
            h1 id="device-approved" { "Device connected" }
            p { "You allowed " strong { (client_name) } ". Return to your device; you can close this page." }
        },
    );
    Html(page.into_string()).into_response()
}

fn denied_page(client_name: &str, reason: &str) -> Response {
    let page = pages::layout(
        "Device not connected",
        html! {
            h1 id="device-denied" { "Device not connected" }
            p { strong { (client_name) } " was not allowed." }
            p id="device-denied-reason" { (reason) }
        },
    );
    (StatusCode::FORBIDDEN, Html(page.into_string())).into_response()
}

/// An unknown, expired or spent user code: the error and the form again.
fn device_error(action: &str, code: &str, description: &str) -> Response {
    let page = pages::layout(
        "Code not accepted",
        html! {
            h1 { "Code not accepted" }
            div id="device-error" class="err" role="alert" {
                p { "Error: " code id="error-code" { (code) } }
                p id="error-description" { (description) }
            }
            form id="stickler-device" method="post" action=(action) {
                label for="user_code" { "Code" input id="user_code" name="user_code" autocomplete="off" autofocus; }
                button id="continue" type="submit" name="action" value="continue" { "Continue" }
            }
        },
    );
    (StatusCode::BAD_REQUEST, Html(page.into_string())).into_response()
}
