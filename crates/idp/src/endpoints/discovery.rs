//! Discovery (OIDC Discovery §3) and the JWKS (RFC 7517).

use crate::journal::JournalEntry;
use crate::model::DEVICE_CODE_GRANT;
use crate::quirks::{EndpointLayout, Quirks};
use crate::tenant::{EndpointPaths, Tenant};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `GET /.well-known/openid-configuration`.
pub fn discovery(tenant: &Tenant) -> Response {
    let quirks = tenant.lock().quirks.clone();
    let mut doc = document(tenant, &quirks);
    if !quirks.discovery_end_session
        && let Some(d) = doc.as_object_mut()
    {
        d.remove("end_session_endpoint");
    }
    if quirks.id_token_misbehaviour == crate::misbehaviour::Misbehaviour::DiscoveryWrongIssuer {
        doc["issuer"] = json!(format!("{}INVALID", tenant.published_issuer(&quirks)));
    }
    let mut entry = JournalEntry::new(crate::protocol::Endpoint::Discovery, "GET", &[]);
    entry.status = 200;
    entry.outcome = crate::protocol::Outcome::Ok;
    tenant.record(entry);
    Json(doc).into_response()
}

/// The discovery document for the active quirks.
pub fn document(tenant: &Tenant, q: &Quirks) -> Value {
    let mut doc = layout_document(tenant, q);
    // Only the grants the tenant serves: Hydra's own document also lists `implicit`,
    // `client_credentials` and the device grant, which a JumpCloud app can never use
    // (quirks.md §1.3, J16).
    let mut grants = vec!["authorization_code", "refresh_token"];
    if q.device_flow {
        grants.push(DEVICE_CODE_GRANT);
        let p = EndpointPaths::of(q.endpoint_layout);
        doc["device_authorization_endpoint"] = json!(tenant.url(p.device_authorization));
    }
    doc["grant_types_supported"] = json!(grants);
    doc
}

/// The document of the endpoint layout, before the grants.
fn layout_document(tenant: &Tenant, q: &Quirks) -> Value {
    let p = EndpointPaths::of(q.endpoint_layout);
    let issuer = tenant.published_issuer(q);
    let alg = if q.id_token_hs256_client_secret {
        "HS256"
    } else {
        q.id_token_signing_alg.as_str()
    };
    match q.endpoint_layout {
        // Hydra's document (hydra `oauth2/handler.go`), including what it advertises
        // but refuses: `plain` PKCE and the implicit/hybrid response types.
        EndpointLayout::Hydra => json!({
            "issuer": issuer,
            "authorization_endpoint": tenant.url(p.authorize),
            "token_endpoint": tenant.url(p.token),
            "jwks_uri": tenant.url(p.jwks),
            "userinfo_endpoint": tenant.url(p.userinfo),
            "revocation_endpoint": tenant.url(p.revoke),
            "end_session_endpoint": tenant.url(p.end_session),
            "subject_types_supported": ["public"],
            "response_types_supported": ["code", "code id_token", "id_token", "token id_token", "token", "token id_token code"],
            "claims_supported": ["sub"],
            "scopes_supported": ["offline_access", "offline", "openid"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt", "none"],
            "id_token_signing_alg_values_supported": [alg],
            "id_token_signed_response_alg": [alg],
            "userinfo_signed_response_alg": [alg],
            "userinfo_signing_alg_values_supported": ["none", alg],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "request_parameter_supported": true,
            "request_uri_parameter_supported": true,
            "require_request_uri_registration": true,
            "claims_parameter_supported": false,
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            "frontchannel_logout_supported": true,
            "frontchannel_logout_session_supported": true,
            "request_object_signing_alg_values_supported": ["none", "RS256", "ES256"],
            "code_challenge_methods_supported": ["plain", "S256"],
        }),
        // Every other layout: the catalogue gives no vendor document beyond the issuer
        // and paths, so the plain, honest one.
        _ => {
            let pkce: Vec<&str> = if q.pkce_plain_allowed {
                vec!["S256", "plain"]
            } else {
                vec!["S256"]
            };
            json!({
                "issuer": issuer,
                "authorization_endpoint": tenant.url(p.authorize),
                "token_endpoint": tenant.url(p.token),
                "jwks_uri": tenant.url(p.jwks),
                "userinfo_endpoint": tenant.url(p.userinfo),
                "revocation_endpoint": tenant.url(p.revoke),
                "end_session_endpoint": tenant.url(p.end_session),
                "subject_types_supported": ["public"],
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment", "form_post"],
                "scopes_supported": ["openid", "profile", "email", "groups", "offline_access"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "given_name", "family_name", "preferred_username", "email", "email_verified", q.groups_claim.as_str()],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
                "id_token_signing_alg_values_supported": [alg],
                "code_challenge_methods_supported": pkce,
                "claims_parameter_supported": false,
                "request_parameter_supported": false,
            })
        }
    }
}

/// `GET` the JWKS.
pub fn jwks(tenant: &Tenant) -> Response {
    let set = {
        let s = tenant.lock();
        s.keys.jwks(crate::misbehaviour::jwks_shape(
            s.quirks.id_token_misbehaviour,
        ))
    };
    let mut entry = JournalEntry::new(crate::protocol::Endpoint::Jwks, "GET", &[]);
    entry.status = 200;
    entry.outcome = crate::protocol::Outcome::Ok;
    tenant.record(entry);
    Json(set).into_response()
}
