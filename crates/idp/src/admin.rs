//! The admin API (JSON): create and delete tenants, change quirks, add clients, users and
//! group assignments, read and clear the journal. The runner drives the IdP only through
//! it. When the IdP has an admin token, every call must carry it as a bearer token;
//! without one, only calls addressed to a loopback host (or the public URL's host) are
//! answered, so that a web page cannot reach it through DNS rebinding.

use crate::dialect::ErrorDialect;
use crate::error::OAuthError;
use crate::model::{ClientSpec, TenantSpec, UserSpec};
use crate::profiles::Profile;
use crate::quirks::{QUIRK_DOCS, QuirkOverrides, Quirks};
use crate::server::{Idp, IdpError, JsonPath};
use crate::tenant::{Tenant, check_quirks};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

type AdminResult = Result<Response, Response>;

pub(crate) fn fail(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    let e = OAuthError {
        code,
        description: "",
        hint: Some(message.into()),
        status,
    };
    e.into_json_response(ErrorDialect::Rfc6749)
}

pub(crate) fn bad_json(rej: JsonRejection) -> Response {
    fail(StatusCode::BAD_REQUEST, "invalid_request", rej.body_text())
}

fn no_tenant(name: &str) -> Response {
    fail(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("There is no tenant '{name}'."),
    )
}

// The error is the finished HTTP answer, as in every admin handler; it is not worth boxing.
#[allow(clippy::result_large_err)]
pub(crate) fn tenant(idp: &Idp, name: &str) -> Result<Arc<Tenant>, Response> {
    idp.tenant(name).ok_or_else(|| no_tenant(name))
}

/// The admin routes (mounted at `/admin`).
pub fn router() -> Router<Arc<Idp>> {
    Router::new()
        .route("/profiles", get(profiles))
        .route("/tenants", get(list_tenants).post(create_tenant))
        .route("/tenants/{name}", get(get_tenant).delete(delete_tenant))
        .route(
            "/tenants/{name}/quirks",
            get(get_quirks).patch(patch_quirks),
        )
        .route("/tenants/{name}/keys/rotate", post(rotate_keys))
        .route("/tenants/{name}/tokens", post(crate::mint::mint_token))
        .route("/tenants/{name}/clients", post(add_client))
        .route(
            "/tenants/{name}/clients/{client_id}/groups",
            put(assign_groups),
        )
        .route(
            "/tenants/{name}/clients/{client_id}/scopes",
            put(set_client_scopes),
        )
        .route("/tenants/{name}/users", post(add_user))
        .route(
            "/tenants/{name}/users/{username}/groups",
            put(set_user_groups),
        )
        .route(
            "/tenants/{name}/journal",
            get(journal).delete(clear_journal),
        )
        .fallback(|| async {
            fail(
                StatusCode::NOT_FOUND,
                "not_found",
                "No such admin endpoint; see the README's admin API section.",
            )
        })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            fail(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("This admin endpoint does not answer {method}; see the README's admin API section."),
            )
        })
}

/// Middleware: when the IdP has an admin token, the call must carry it; without one,
/// the call must be addressed to a loopback host or to the public URL's host.
pub async fn require_token(State(idp): State<Arc<Idp>>, req: Request, next: Next) -> Response {
    match admin_access(&idp, req.headers(), req.uri()) {
        Ok(()) => next.run(req).await,
        Err(refusal) => refusal,
    }
}

/// The admin API's access rule, for whatever shows what it shows (secrets, the journal):
/// with an admin token, `Authorization: Bearer <token>` (401 `unauthorized` otherwise);
/// without one, a `Host` naming a loopback host or the public URL's host (403
/// `forbidden_host` otherwise). The refusal is the finished JSON answer.
// The error is the finished HTTP answer, as in every admin handler; it is not worth boxing.
#[allow(clippy::result_large_err)]
pub fn admin_access(
    idp: &Idp,
    headers: &axum::http::HeaderMap,
    uri: &axum::http::Uri,
) -> Result<(), Response> {
    let Some(expected) = &idp.admin_token else {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| uri.authority().map(|a| a.to_string()));
        let public = url::Url::parse(&idp.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        return match host {
            Some(h) if host_allowed(&h, public.as_deref()) => Ok(()),
            _ => Err(fail(
                StatusCode::FORBIDDEN,
                "forbidden_host",
                "Without an admin token the admin API answers only requests addressed to a loopback host (127.0.0.1, localhost, [::1]) or to the --public-url host; start the IdP with --admin-token to reach it under another name.",
            )),
        };
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given.is_some_and(|g| same_secret(g.as_bytes(), expected.as_bytes())) {
        Ok(())
    } else {
        Err(fail(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "This IdP requires the admin token: send 'Authorization: Bearer <token>'.",
        ))
    }
}

/// Whether a `Host` header value (`name[:port]`, `[v6][:port]`) names a loopback host
/// (`127.0.0.0/8`, `localhost`, `[::1]`) or the public URL's host (DNS rebinding
/// defence: a page on another origin reaches the IdP only under its own host name).
pub fn host_allowed(host: &str, public_host: Option<&str>) -> bool {
    let name = if host.starts_with('[') {
        match host.find(']') {
            Some(end) => {
                let rest = &host[end + 1..];
                if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port)) {
                    return false;
                }
                &host[..=end]
            }
            None => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    if name.is_empty() {
        return false;
    }
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
        || name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .and_then(|n| n.parse::<std::net::Ipv6Addr>().ok())
            .is_some_and(|ip| ip.is_loopback());
    loopback || public_host.is_some_and(|p| p.eq_ignore_ascii_case(name))
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Compares a presented token with the expected one in time that depends only on the
/// expected token's length, so response timing does not reveal how much matched.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(!*e);
        diff |= g ^ e;
    }
    std::hint::black_box(diff) == 0
}

async fn profiles() -> AdminResult {
    let profiles: Vec<_> = Profile::ALL
        .iter()
        .map(|p| json!({"name": p.name(), "summary": p.summary(), "quirks": Quirks::for_profile(*p)}))
        .collect();
    let docs: Vec<_> = QUIRK_DOCS
        .iter()
        .map(|d| json!({"name": d.name, "doc": d.doc.trim()}))
        .collect();
    Ok(Json(json!({"profiles": profiles, "quirks": docs})).into_response())
}

async fn list_tenants(State(idp): State<Arc<Idp>>) -> AdminResult {
    let list: Vec<_> = idp.tenants().iter().map(|t| t.info()).collect();
    Ok(Json(list).into_response())
}

async fn create_tenant(
    State(idp): State<Arc<Idp>>,
    body: Result<Json<TenantSpec>, JsonRejection>,
) -> AdminResult {
    let Json(spec) = body.map_err(bad_json)?;
    match idp.create_tenant(spec) {
        Ok(info) => Ok((StatusCode::CREATED, Json(info)).into_response()),
        Err(e @ IdpError::TenantExists(_)) => {
            Err(fail(StatusCode::CONFLICT, "conflict", e.to_string()))
        }
        Err(e @ IdpError::TooManyTenants(_)) => Err(fail(
            StatusCode::INSUFFICIENT_STORAGE,
            "too_many_tenants",
            e.to_string(),
        )),
        Err(e) => Err(fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            e.to_string(),
        )),
    }
}

async fn get_tenant(State(idp): State<Arc<Idp>>, JsonPath(name): JsonPath<String>) -> AdminResult {
    Ok(Json(tenant(&idp, &name)?.info()).into_response())
}

async fn delete_tenant(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
) -> AdminResult {
    if idp.delete_tenant(&name) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(no_tenant(&name))
    }
}

async fn get_quirks(State(idp): State<Arc<Idp>>, JsonPath(name): JsonPath<String>) -> AdminResult {
    let t = tenant(&idp, &name)?;
    let q = t.lock().quirks.clone();
    Ok(Json(q).into_response())
}

async fn patch_quirks(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
    body: Result<Json<QuirkOverrides>, JsonRejection>,
) -> AdminResult {
    let Json(overrides) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let mut s = t.lock();
    let mut q = s.quirks.clone();
    q.apply(&overrides);
    check_quirks(&q)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))?;
    s.quirks = q.clone();
    Ok(Json(q).into_response())
}

/// Replaces the tenant's RSA signing key: new `kid`, the old key gone from the JWKS.
async fn rotate_keys(State(idp): State<Arc<Idp>>, JsonPath(name): JsonPath<String>) -> AdminResult {
    let t = tenant(&idp, &name)?;
    let kid = t.lock().keys.rotate();
    Ok(Json(serde_json::json!({ "kid": kid })).into_response())
}

async fn add_client(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
    body: Result<Json<ClientSpec>, JsonRejection>,
) -> AdminResult {
    let Json(spec) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let client = t
        .lock()
        .add_client(spec)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))?;
    Ok((StatusCode::CREATED, Json(client)).into_response())
}

/// The admin API's answer for a client the tenant does not have.
fn no_client(client_id: &str) -> Response {
    fail(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("There is no client '{client_id}'."),
    )
}

async fn assign_groups(
    State(idp): State<Arc<Idp>>,
    JsonPath((name, client_id)): JsonPath<(String, String)>,
    body: Result<Json<Vec<String>>, JsonRejection>,
) -> AdminResult {
    let Json(groups) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let mut s = t.lock();
    let client = s
        .clients
        .get_mut(&client_id)
        .ok_or_else(|| no_client(&client_id))?;
    client.groups = groups;
    Ok(Json(client.clone()).into_response())
}

async fn set_client_scopes(
    State(idp): State<Arc<Idp>>,
    JsonPath((name, client_id)): JsonPath<(String, String)>,
    body: Result<Json<Option<crate::model::ScopeList>>, JsonRejection>,
) -> AdminResult {
    let Json(body) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let mut s = t.lock();
    let client = s
        .clients
        .get_mut(&client_id)
        .ok_or_else(|| no_client(&client_id))?;
    // A list, a space-separated string, or `null` for any scope.
    client.scopes = body.map(crate::model::ScopeList::into_vec);
    Ok(Json(client.clone()).into_response())
}

async fn add_user(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
    body: Result<Json<UserSpec>, JsonRejection>,
) -> AdminResult {
    let Json(spec) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let user = t
        .lock()
        .add_user(spec, &name)
        .map_err(|e| fail(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

async fn set_user_groups(
    State(idp): State<Arc<Idp>>,
    JsonPath((name, username)): JsonPath<(String, String)>,
    body: Result<Json<Vec<String>>, JsonRejection>,
) -> AdminResult {
    let Json(groups) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let mut s = t.lock();
    let user = s.users.get_mut(&username).ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("There is no user '{username}'."),
        )
    })?;
    user.groups = groups;
    Ok(Json(user.clone()).into_response())
}

#[derive(Debug, Deserialize)]
struct JournalQuery {
    #[serde(default)]
    since: u64,
}

async fn journal(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
    query: Result<Query<JournalQuery>, axum::extract::rejection::QueryRejection>,
) -> AdminResult {
    let Query(q) =
        query.map_err(|e| fail(StatusCode::BAD_REQUEST, "invalid_request", e.body_text()))?;
    let t = tenant(&idp, &name)?;
    let entries: Vec<_> = t
        .lock()
        .journal()
        .filter(|e| e.seq > q.since)
        .cloned()
        .collect();
    Ok(Json(entries).into_response())
}

async fn clear_journal(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
) -> AdminResult {
    tenant(&idp, &name)?.lock().clear_journal();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_and_the_public_host_pass() {
        for h in [
            "127.0.0.1",
            "127.0.0.1:9400",
            "127.1.2.3:1",
            "localhost",
            "LOCALHOST:80",
            "[::1]",
            "[::1]:9400",
        ] {
            assert!(host_allowed(h, None), "{h}");
        }
        assert!(host_allowed("idp.example:443", Some("idp.example")));
        assert!(host_allowed("[::1]:1", Some("idp.example")));
        for h in [
            "",
            "evil.example",
            "evil.example:9400",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "10.0.0.1:9400",
            "[::2]:1",
            "[::1",
            "[::1]x",
            "127.0.0.1:x",
            ":9400",
            "localhost:9400:1",
        ] {
            assert!(!host_allowed(h, Some("idp.example")), "{h}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"abcd", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
