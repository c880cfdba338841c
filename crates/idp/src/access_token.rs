//! Access tokens as the `access_token_format` quirk shapes them: opaque random strings,
//! or JWTs in the shape of RFC 9068 ("JSON Web Token Profile for OAuth 2.0 Access
//! Tokens") for APIs that validate bearer tokens locally.

use crate::claims::{groups_for, shaped};
use crate::keys::SigningKey;
use crate::misbehaviour::{Misbehaviour, sign_typed};
use crate::model::{Client, User};
use crate::quirks::{AccessTokenFormat, Quirks};
use crate::tenant::Grant;
use crate::tokens::random_token;
use serde_json::{Map, Value, json};

/// The JOSE `typ` of an RFC 9068 access token (§2.1).
pub const AT_JWT_TYP: &str = "at+jwt";

/// The claims of a JWT access token (RFC 9068 §2.2): `iss, sub, aud, exp, iat, jti,
/// client_id, scope`, `auth_time` (§2.2.1) and the groups claim as the quirks name and
/// shape it (§2.2.3.1). `aud` is `audience` when given, else the client id, shaped by the
/// `aud_shape` quirk.
#[allow(clippy::too_many_arguments)]
pub fn claims(
    q: &Quirks,
    issuer: &str,
    user: &User,
    client: &Client,
    grant: &Grant,
    audience: Option<&str>,
    lifetime_secs: u64,
    now: u64,
) -> Map<String, Value> {
    let aud = audience.unwrap_or(&client.client_id).to_string();
    let mut c = Map::new();
    c.insert("iss".into(), json!(issuer));
    c.insert("sub".into(), json!(user.sub));
    c.insert("aud".into(), shaped(vec![aud], q.aud_shape));
    c.insert("exp".into(), json!(now.saturating_add(lifetime_secs)));
    c.insert("iat".into(), json!(now));
    c.insert("auth_time".into(), json!(grant.auth_time));
    c.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    c.insert("client_id".into(), json!(client.client_id));
    c.insert("scope".into(), json!(grant.scopes.join(" ")));
    let groups = groups_for(q, user, client);
    if !q.groups_claim.is_empty() && !groups.is_empty() {
        c.insert(q.groups_claim.clone(), shaped(groups, q.groups_claim_shape));
    }
    c
}

/// Signs access token claims (`typ: at+jwt`), bent by a misbehaviour.
pub fn sign(
    m: Misbehaviour,
    key: &SigningKey,
    client_secret: &str,
    claims: &Map<String, Value>,
) -> Result<String, jsonwebtoken::errors::Error> {
    sign_typed(m, key, client_secret, claims, AT_JWT_TYP)
}

/// A new access token for a grant, in the tenant's format: Hydra's `ory_at_` opaque
/// token (prefix per quirk) or a signed RFC 9068 JWT with `aud` = the client id.
pub fn mint(
    q: &Quirks,
    key: &SigningKey,
    issuer: &str,
    user: &User,
    client: &Client,
    grant: &Grant,
    now: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    match q.access_token_format {
        AccessTokenFormat::Opaque => {
            let prefix = if q.hydra_token_prefixes {
                "ory_at_"
            } else {
                ""
            };
            Ok(random_token(prefix, 32))
        }
        AccessTokenFormat::Jwt => {
            let c = claims(
                q,
                issuer,
                user,
                client,
                grant,
                None,
                q.token_lifetime_secs,
                now,
            );
            sign(Misbehaviour::None, key, &client.client_secret, &c)
        }
    }
}
