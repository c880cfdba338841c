//! The token endpoint (RFC 6749 §3.2, OIDC Core §3.1.3): `authorization_code` and
//! `refresh_token` grants, with fosite's checks and messages, and the device code grant's
//! polls (RFC 8628 §3.4, in `device.rs`) where the profile has device flow.

use super::client_auth::{authenticate, observed_method};
use super::{Req, finish_json, finish_ok};
use crate::claims;
use crate::dialect::{CodeFailure, ErrorDialect};
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::misbehaviour::Misbehaviour;
use crate::model::{Client, DEVICE_CODE_GRANT};
use crate::params::Params;
use crate::quirks::Quirks;
use crate::tenant::{Grant, Tenant, TokenRecord};
use crate::tokens::{at_hash, now, random_token, s256};
use axum::response::Response;
use serde_json::json;

/// Grant types fosite knows but a JumpCloud app can never be allowed.
const KNOWN_GRANTS: [&str; 5] = [
    "implicit",
    "client_credentials",
    "password",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

/// `POST` the token endpoint.
pub fn token(tenant: &Tenant, req: Req) -> Response {
    let quirks = tenant.lock().quirks.clone();
    let dialect = quirks.error_style;
    let form = req.form.clone().unwrap_or_default();
    let mut entry = JournalEntry::new(crate::protocol::Endpoint::Token, "POST", &form.0);
    entry.client_auth = Some(observed_method(&req.headers, &form));
    if req.form.is_none() || form.0.is_empty() {
        // fosite says only that the form is empty (E-TOKEN-JSON); lenient explains.
        let hint = dialect.empty_token_body_hint(req.non_form_body);
        return finish_json(
            tenant,
            entry,
            OAuthError::invalid_request().hint(hint),
            dialect,
        );
    }
    if let Err(e) = form.reject_repeats() {
        return finish_json(tenant, entry, e, dialect);
    }
    let Some(grant_type) = form.get("grant_type") else {
        let e = OAuthError::invalid_request().hint("Request parameter 'grant_type' is missing");
        return finish_json(tenant, entry, e, dialect);
    };
    let client = match authenticate(tenant, &req.headers, &form, &quirks) {
        Ok(c) => c,
        Err(e) => return finish_json(tenant, entry, e, dialect),
    };
    entry.client_id = Some(client.client_id.clone());
    let result = match grant_type {
        "authorization_code" | "refresh_token" if !client.allows_grant(grant_type) => {
            Err(not_allowed_grant(grant_type))
        }
        DEVICE_CODE_GRANT if quirks.device_flow && !client.allows_grant(grant_type) => {
            Err(not_allowed_grant(grant_type))
        }
        DEVICE_CODE_GRANT if quirks.device_flow => {
            super::device::poll(tenant, &quirks, &client, &form, &mut entry)
        }
        "authorization_code" => code_grant(tenant, &quirks, &client, &form),
        "refresh_token" => refresh_grant(tenant, &quirks, &client, &form),
        g if KNOWN_GRANTS.contains(&g) => Err(not_allowed_grant(g)),
        other => Err(OAuthError::unsupported_grant_type()
            .hint(format!("The grant type '{other}' is not supported."))),
    };
    match result {
        Ok(body) => {
            let mut resp = finish_ok(tenant, entry, body);
            if let Some(ct) = dialect.token_content_type() {
                resp.headers_mut().insert(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static(ct),
                );
            }
            resp
        }
        Err(e) => finish_json(tenant, entry, e, dialect),
    }
}

pub(super) fn not_allowed_grant(grant: &str) -> OAuthError {
    OAuthError::unauthorized_client().hint(format!(
        "The OAuth 2.0 Client is not allowed to use authorization grant \"{grant}\"."
    ))
}

fn code_grant(
    tenant: &Tenant,
    q: &Quirks,
    client: &Client,
    form: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let code = form.get("code").unwrap_or("");
    let t = now();
    let record = {
        let mut s = tenant.lock();
        let fail = |f: CodeFailure| Err(q.error_style.code_failure(f));
        let Some(rec) = s.codes.get_mut(code) else {
            return fail(CodeFailure::Unknown);
        };
        if rec.used {
            let families = rec.issued.clone();
            if q.code_reuse_revokes_tokens {
                for f in &families {
                    s.revoke_family(f);
                }
            }
            return fail(CodeFailure::Reused);
        }
        if rec.expires_at <= t {
            return fail(CodeFailure::Expired);
        }
        if rec.grant.client_id != client.client_id {
            return fail(CodeFailure::OtherClient);
        }
        rec.used = true;
        rec.clone()
    };
    if let Some(sent) = &record.redirect_uri_sent
        && form.get("redirect_uri") != Some(sent.as_str())
    {
        return Err(q.error_style.code_failure(CodeFailure::RedirectMismatch));
    }
    check_verifier(&record, form.get("code_verifier"), q.error_style)?;
    if let Some(nonce) = &record.grant.nonce
        && q.min_nonce_length > 0
        && record.grant.has_scope("openid")
        && nonce.len() < q.min_nonce_length as usize
    {
        return Err(OAuthError::insufficient_entropy().hint(format!(
            "Parameter 'nonce' is set but does not satisfy the minimum entropy of {} characters.",
            q.min_nonce_length
        )));
    }
    let family = uuid::Uuid::new_v4().to_string();
    if let Some(rec) = tenant.lock().codes.get_mut(code) {
        rec.issued.push(family.clone());
    }
    issue(
        tenant,
        q,
        client,
        &record.grant,
        record.grant.nonce.as_deref(),
        family,
        t,
    )
}

/// PKCE at the token endpoint (RFC 7636 §4.6, fosite `handler/pkce/handler.go`).
fn check_verifier(
    rec: &crate::tenant::CodeRecord,
    verifier: Option<&str>,
    dialect: ErrorDialect,
) -> Result<(), OAuthError> {
    let grant = |hint: &str| Err(OAuthError::invalid_grant().hint(hint.to_string()));
    let Some(challenge) = &rec.code_challenge else {
        return match (verifier, &rec.code_challenge_method) {
            (None, _) => Ok(()),
            (Some(_), Some(_)) => grant(
                "The PKCE code verifier was provided but the code challenge was absent from the authorization request.",
            ),
            (Some(_), None) => grant("Unable to find initial PKCE data tied to this request"),
        };
    };
    let v = verifier.unwrap_or("");
    if v.len() < 43 {
        return grant("The PKCE code verifier must be at least 43 characters.");
    }
    if v.len() > 128 {
        return grant("The PKCE code verifier can not be longer than 128 characters.");
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    {
        return grant("The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.");
    }
    let computed = match rec.code_challenge_method.as_deref() {
        Some("S256") => s256(v),
        _ => v.to_string(),
    };
    if &computed != challenge {
        return Err(dialect.code_failure(CodeFailure::PkceMismatch));
    }
    Ok(())
}

fn refresh_grant(
    tenant: &Tenant,
    q: &Quirks,
    client: &Client,
    form: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let token = form.get("refresh_token").unwrap_or("");
    let t = now();
    let record = {
        let mut s = tenant.lock();
        let Some(rec) = s.refresh_tokens.get(token).cloned() else {
            return Err(
                OAuthError::invalid_grant().hint("The refresh token is malformed or not valid.")
            );
        };
        if rec.used {
            s.revoke_family(&rec.family);
            return Err(OAuthError::invalid_grant().hint("The refresh token was already used."));
        }
        if rec.expires_at <= t {
            return Err(OAuthError::invalid_grant().hint("The refresh token expired."));
        }
        if rec.grant.client_id != client.client_id {
            return Err(OAuthError::invalid_grant().hint(
                "The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.",
            ));
        }
        if q.refresh_token_rotation
            && let Some(r) = s.refresh_tokens.get_mut(token)
        {
            r.used = true;
        }
        rec
    };
    let mut body = issue(
        tenant,
        q,
        client,
        &record.grant,
        None,
        record.family.clone(),
        t,
    )?;
    if !q.refresh_token_rotation {
        // Without rotation the app keeps using the token it has.
        body["refresh_token"] = json!(token);
    }
    Ok(body)
}

/// Mints the access token, ID token and refresh token of a grant.
pub(super) fn issue(
    tenant: &Tenant,
    q: &Quirks,
    client: &Client,
    grant: &Grant,
    nonce: Option<&str>,
    family: String,
    t: u64,
) -> Result<serde_json::Value, OAuthError> {
    let (user, key, issuer) = {
        let s = tenant.lock();
        let user = s.users.get(&grant.username).cloned().ok_or_else(|| {
            OAuthError::invalid_grant().hint("The user of this grant no longer exists.")
        })?;
        (
            user,
            s.keys.for_alg(q.id_token_signing_alg).clone(),
            tenant.token_issuer(q),
        )
    };
    let rt_prefix = if q.hydra_token_prefixes {
        "ory_rt_"
    } else {
        ""
    };
    let access_token = crate::access_token::mint(q, &key, &issuer, &user, client, grant, t)
        .map_err(|e| OAuthError::server_error().hint(format!("Signing failed: {e}")))?;
    let mut body = json!({
        "access_token": access_token,
        "token_type": q.token_type,
        "expires_in": q.token_lifetime_secs,
        "scope": grant.scopes.join(" "),
    });
    if grant.has_scope("openid") {
        let mut c = claims::id_token(
            q,
            &issuer,
            &user,
            client,
            grant,
            Some(at_hash(&access_token)),
            nonce,
            t,
        );
        crate::misbehaviour::tamper_id_token(q.id_token_misbehaviour, &mut c, &q.groups_claim, t);
        let how = match q.id_token_misbehaviour {
            // Auth0's legacy apps sign with the client secret (quirks.md A3).
            Misbehaviour::None if q.id_token_hs256_client_secret => Misbehaviour::Hs256ClientSecret,
            m => m,
        };
        let jwt = crate::misbehaviour::sign(how, &key, &client.client_secret, &c)
            .map_err(|e| OAuthError::server_error().hint(format!("Signing failed: {e}")))?;
        let mut s = tenant.lock();
        let earlier = s
            .last_id_tokens
            .insert(client.client_id.clone(), jwt.clone());
        let jwt = match earlier {
            Some(old) if q.id_token_misbehaviour == Misbehaviour::ReplayIdToken => {
                // The replayed token stays the one to replay next time too.
                s.last_id_tokens
                    .insert(client.client_id.clone(), old.clone());
                old
            }
            _ => jwt,
        };
        drop(s);
        body["id_token"] = json!(jwt);
    }
    let offline = grant.has_scope("offline") || grant.has_scope("offline_access");
    let refresh =
        client.allows_grant("refresh_token") && (offline || !q.refresh_requires_offline_scope);
    let mut s = tenant.lock();
    s.sweep_if_due(t);
    s.access_tokens.insert(
        access_token,
        TokenRecord {
            grant: grant.clone(),
            expires_at: t.saturating_add(q.token_lifetime_secs),
            used: false,
            family: family.clone(),
        },
    );
    if refresh {
        let rt = random_token(rt_prefix, 32);
        s.refresh_tokens.insert(
            rt.clone(),
            TokenRecord {
                grant: grant.clone(),
                expires_at: t + 720 * 3600,
                used: false,
                family,
            },
        );
        body["refresh_token"] = json!(rt);
    }
    Ok(body)
}
