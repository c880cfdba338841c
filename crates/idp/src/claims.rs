//! The claims of ID tokens and userinfo answers (OIDC Core §2, §5.1), shaped by the
//! tenant's quirks.

use crate::layout::ENTRA_TENANT_ID;
use crate::model::{Client, User};
use crate::quirks::{ClaimShape, EndpointLayout, Quirks};
use crate::tenant::Grant;
use serde_json::{Map, Value, json};

/// Claims that only ID tokens carry; Hydra's userinfo drops them (`getOidcUserInfo`).
const ID_TOKEN_ONLY: [&str; 6] = ["nonce", "at_hash", "c_hash", "exp", "sid", "jti"];

pub(crate) fn shaped(values: Vec<String>, shape: ClaimShape) -> Value {
    match (shape, values.len()) {
        (ClaimShape::StringIfSingle | ClaimShape::String, 1) => Value::String(values[0].clone()),
        _ => json!(values),
    }
}

/// The groups the claim lists for this user and app.
pub fn groups_for(q: &Quirks, user: &User, client: &Client) -> Vec<String> {
    user.groups
        .iter()
        .filter(|g| !q.groups_claim_only_assigned || client.groups.contains(g))
        .cloned()
        .collect()
}

/// Profile, email and groups claims the grant's scopes release.
fn user_claims(
    q: &Quirks,
    user: &User,
    client: &Client,
    grant: &Grant,
    out: &mut Map<String, Value>,
) {
    if grant.has_scope("email") {
        out.insert("email".into(), json!(user.email));
        out.insert("email_verified".into(), json!(user.email_verified));
    }
    if grant.has_scope("profile") {
        out.insert("given_name".into(), json!(user.given_name));
        out.insert("family_name".into(), json!(user.family_name));
        if !q.profile_claims_minimal {
            out.insert(
                "name".into(),
                json!(format!("{} {}", user.given_name, user.family_name)),
            );
            out.insert("preferred_username".into(), json!(user.username));
        }
    }
    let mut groups = groups_for(q, user, client);
    if q.groups_claim_full_path {
        groups = groups.into_iter().map(|g| format!("/{g}")).collect();
    }
    // No groups, no claim (not an empty array): Keycloak does the same (quirks.md K10).
    if !q.groups_claim.is_empty() && !groups.is_empty() {
        out.insert(q.groups_claim.clone(), shaped(groups, q.groups_claim_shape));
    }
    for (name, value) in &user.claims {
        if !q.custom_claims_need_namespace || namespaced(name) {
            out.insert(name.clone(), value.clone());
        }
    }
}

/// Auth0's rule for custom claims: a URL name, not on an `auth0.com` host (quirks.md A4).
fn namespaced(name: &str) -> bool {
    match url::Url::parse(name) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u
            .host_str()
            .is_some_and(|h| h != "auth0.com" && !h.ends_with(".auth0.com")),
        _ => false,
    }
}

/// `https://accounts.google.com` → `accounts.google.com` (quirks.md G1).
fn without_scheme(issuer: &str) -> &str {
    issuer.split_once("://").map_or(issuer, |(_, rest)| rest)
}

/// The claims of an ID token.
#[allow(clippy::too_many_arguments)]
pub fn id_token(
    q: &Quirks,
    issuer: &str,
    user: &User,
    client: &Client,
    grant: &Grant,
    at_hash: Option<String>,
    nonce: Option<&str>,
    now: u64,
) -> Map<String, Value> {
    let mut c = protocol_claims(q, issuer, user, client, grant, at_hash, nonce, now);
    if q.id_token_iss_without_scheme {
        c.insert("iss".into(), json!(without_scheme(issuer)));
    }
    if matches!(
        q.endpoint_layout,
        EndpointLayout::Entra | EndpointLayout::EntraCommon
    ) {
        // Entra's v2.0 ID tokens name the user's tenant in `tid`; under `/common` it is
        // what the `{tenantid}` template is filled with (quirks.md E2; Microsoft's "ID
        // token claims reference": `tid`, and "Validate the issuer" for multi-tenant
        // apps).
        c.insert("tid".into(), json!(ENTRA_TENANT_ID));
    }
    if !q.thin_id_token {
        user_claims(q, user, client, grant, &mut c);
    }
    c
}

/// The claims every ID token carries, whatever the scopes (OIDC Core §2).
#[allow(clippy::too_many_arguments)]
fn protocol_claims(
    q: &Quirks,
    issuer: &str,
    user: &User,
    client: &Client,
    grant: &Grant,
    at_hash: Option<String>,
    nonce: Option<&str>,
    now: u64,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("iss".into(), json!(issuer));
    c.insert("sub".into(), json!(user.sub));
    c.insert(
        "aud".into(),
        shaped(vec![client.client_id.clone()], q.aud_shape),
    );
    c.insert(
        "exp".into(),
        json!(now.saturating_add(q.token_lifetime_secs)),
    );
    c.insert("iat".into(), json!(now));
    c.insert("auth_time".into(), json!(grant.auth_time));
    if let Some(n) = nonce {
        c.insert("nonce".into(), json!(n));
    }
    if let Some(h) = at_hash {
        c.insert("at_hash".into(), json!(h));
    }
    if q.hydra_claims {
        c.insert("rat".into(), json!(grant.requested_at));
        c.insert("sid".into(), json!(grant.sid));
        c.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    }
    c
}

/// The claims of a userinfo answer.
pub fn userinfo(
    q: &Quirks,
    issuer: &str,
    user: &User,
    client: &Client,
    grant: &Grant,
    now: u64,
) -> Map<String, Value> {
    let mut c = if q.userinfo_echoes_id_token {
        let mut c = protocol_claims(q, issuer, user, client, grant, None, None, now);
        for k in ID_TOKEN_ONLY {
            c.remove(k);
        }
        c
    } else {
        let mut c = Map::new();
        c.insert("sub".into(), json!(user.sub));
        c
    };
    user_claims(q, user, client, grant, &mut c);
    if q.userinfo_email_verified_string
        && let Some(Value::Bool(b)) = c.get("email_verified")
    {
        // Cognito's strings (quirks.md C3).
        let text = b.to_string();
        c.insert("email_verified".into(), Value::String(text));
    }
    c
}
