//! Tokens for API checks, minted through the admin API without a browser
//! (`POST /admin/tenants/{name}/tokens`): the ID token or access token the tenant would
//! issue to a client for a user, optionally bent by a misbehaviour and then by claim
//! overrides, so that a check can send an API good and bad bearer tokens.

use crate::admin::{bad_json, fail, tenant};
use crate::claims;
use crate::misbehaviour::{Misbehaviour, sign, tamper_id_token};
use crate::quirks::AccessTokenFormat;
use crate::server::{Idp, JsonPath};
use crate::tenant::{Grant, TokenRecord};
use crate::tokens::now;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Which token to mint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An OpenID Connect ID token (OIDC Core §2).
    #[default]
    IdToken,
    /// An access token in the tenant's `access_token_format`.
    AccessToken,
}

/// The body of a mint request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    /// The client the token is issued to.
    pub client_id: String,
    /// The user: username, email or `sub`.
    pub user: String,
    /// Granted scopes, space-separated (default `openid email profile`).
    #[serde(default)]
    pub scope: Option<String>,
    /// `id_token` (default) or `access_token`.
    #[serde(default)]
    pub kind: TokenKind,
    /// `aud` instead of the client id.
    #[serde(default)]
    pub audience: Option<String>,
    /// A misbehaviour to bend the token with (default: the tenant's
    /// `id_token_misbehaviour` for ID tokens, `none` for access tokens).
    #[serde(default)]
    pub misbehaviour: Option<Misbehaviour>,
    /// Claims set last: a value replaces the claim, `null` removes it.
    #[serde(default)]
    pub claims: Map<String, Value>,
    /// Lifetime in seconds (default the `token_lifetime_secs` quirk).
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// Misbehaviours that are about an endpoint, not a token's bytes.
const NOT_ON_A_TOKEN: [Misbehaviour; 3] = [
    Misbehaviour::UserinfoWrongSub,
    Misbehaviour::DiscoveryWrongIssuer,
    Misbehaviour::ReplayIdToken,
];

fn invalid(message: impl Into<String>) -> Response {
    fail(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// The JOSE header of a compact JWT, decoded (`null` when it is not one).
fn header_of(jwt: &str) -> Value {
    jwt.split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

/// `POST /admin/tenants/{name}/tokens`: answers `201 {"token", "kind", "header",
/// "claims"}` (`header` and `claims` are `null` for an opaque access token).
pub async fn mint_token(
    State(idp): State<Arc<Idp>>,
    JsonPath(name): JsonPath<String>,
    body: Result<Json<MintRequest>, JsonRejection>,
) -> Result<Response, Response> {
    let Json(req) = body.map_err(bad_json)?;
    let t = tenant(&idp, &name)?;
    let (mut q, client, user, key) = {
        let s = t.lock();
        let client = s.clients.get(&req.client_id).cloned().ok_or_else(|| {
            invalid(format!(
                "There is no client '{}' in tenant '{name}'.",
                req.client_id
            ))
        })?;
        let user = s
            .users
            .values()
            .find(|u| u.username == req.user || u.email == req.user || u.sub == req.user)
            .cloned()
            .ok_or_else(|| {
                invalid(format!(
                    "There is no user '{}' (username, email or sub) in tenant '{name}'.",
                    req.user
                ))
            })?;
        let q = s.quirks.clone();
        let key = s.keys.for_alg(q.id_token_signing_alg).clone();
        (q, client, user, key)
    };
    let misbehaviour = req.misbehaviour.unwrap_or(match req.kind {
        TokenKind::IdToken => q.id_token_misbehaviour,
        TokenKind::AccessToken => Misbehaviour::None,
    });
    if NOT_ON_A_TOKEN.contains(&misbehaviour) {
        let name = serde_json::to_value(misbehaviour).unwrap_or(Value::Null);
        return Err(invalid(format!(
            "The misbehaviour {name} is about an endpoint, not a token; set it as the tenant's id_token_misbehaviour quirk instead."
        )));
    }
    let opaque =
        req.kind == TokenKind::AccessToken && q.access_token_format == AccessTokenFormat::Opaque;
    if opaque && (req.misbehaviour.is_some() || !req.claims.is_empty() || req.audience.is_some()) {
        return Err(invalid(
            "This tenant's access tokens are opaque (quirk access_token_format = opaque): misbehaviour, claims and audience need a JWT; set access_token_format to \"jwt\" first.",
        ));
    }
    if let Some(secs) = req.expires_in {
        q.token_lifetime_secs = secs;
    }
    let scope = req.scope.as_deref().unwrap_or("openid email profile");
    let t_now = now();
    let grant = Grant {
        client_id: client.client_id.clone(),
        username: user.username.clone(),
        scopes: scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        auth_time: t_now,
        requested_at: t_now,
        sid: uuid::Uuid::new_v4().to_string(),
        nonce: None,
    };
    let issuer = t.issuer(&q);
    let signing_failed = |e: jsonwebtoken::errors::Error| {
        fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            format!("Signing failed: {e}"),
        )
    };
    let (token, header, claims) = if opaque {
        let token = crate::access_token::mint(&q, &key, &issuer, &user, &client, &grant, t_now)
            .map_err(signing_failed)?;
        (token, Value::Null, Value::Null)
    } else {
        let mut c = match req.kind {
            TokenKind::IdToken => {
                let mut c =
                    claims::id_token(&q, &issuer, &user, &client, &grant, None, None, t_now);
                if let Some(aud) = &req.audience {
                    c.insert("aud".into(), claims::shaped(vec![aud.clone()], q.aud_shape));
                }
                c
            }
            TokenKind::AccessToken => crate::access_token::claims(
                &q,
                &issuer,
                &user,
                &client,
                &grant,
                req.audience.as_deref(),
                q.token_lifetime_secs,
                t_now,
            ),
        };
        tamper_id_token(misbehaviour, &mut c, &q.groups_claim, t_now);
        for (k, v) in &req.claims {
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
        let token = match req.kind {
            TokenKind::IdToken => sign(misbehaviour, &key, &client.client_secret, &c),
            TokenKind::AccessToken => {
                crate::access_token::sign(misbehaviour, &key, &client.client_secret, &c)
            }
        }
        .map_err(signing_failed)?;
        let header = header_of(&token);
        (token, header, Value::Object(c))
    };
    if req.kind == TokenKind::AccessToken {
        // Userinfo accepts it like any access token the tenant issued.
        let mut s = t.lock();
        s.sweep_if_due(t_now);
        s.access_tokens.insert(
            token.clone(),
            TokenRecord {
                grant,
                expires_at: t_now.saturating_add(q.token_lifetime_secs),
                used: false,
                family: uuid::Uuid::new_v4().to_string(),
            },
        );
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "kind": req.kind, "header": header, "claims": claims})),
    )
        .into_response())
}
