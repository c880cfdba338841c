//! The admin API (JSON): create and delete tenants, change quirks, add clients, users and
//! group assignments, read and clear the journal. The runner drives the IdP only through
//! it. When the IdP has an admin token, every call must carry it as a bearer token.

use crate::error::OAuthError;
use crate::model::{ClientSpec, TenantSpec, UserSpec};
use crate::quirks::{ErrorStyle, Profile, QUIRK_DOCS, QuirkOverrides, Quirks};
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

fn fail(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    let e = OAuthError {
        code,
        description: "",
        hint: Some(message.into()),
        status,
    };
    e.into_json_response(ErrorStyle::Rfc6749)
}

fn bad_json(rej: JsonRejection) -> Response {
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
fn tenant(idp: &Idp, name: &str) -> Result<Arc<Tenant>, Response> {
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
        .route("/tenants/{name}/clients", post(add_client))
        .route(
            "/tenants/{name}/clients/{client_id}/groups",
            put(assign_groups),
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
}

/// Middleware: when the IdP has an admin token, the call must carry it.
pub async fn require_token(State(idp): State<Arc<Idp>>, req: Request, next: Next) -> Response {
    let Some(expected) = &idp.admin_token else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given == Some(expected.as_str()) {
        next.run(req).await
    } else {
        fail(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "This IdP requires the admin token: send 'Authorization: Bearer <token>'.",
        )
    }
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

async fn assign_groups(
    State(idp): State<Arc<Idp>>,
    JsonPath((name, client_id)): JsonPath<(String, String)>,
    body: Result<Json<Vec<String>>, JsonRejection>,
) -> AdminResult {
    let Json(groups) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let mut s = t.lock();
    let client = s.clients.get_mut(&client_id).ok_or_else(|| {
        fail(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("There is no client '{client_id}'."),
        )
    })?;
    client.groups = groups;
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
        .iter()
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
