//! Token revocation (RFC 7009): the client authenticates; the token and its family end.

use super::client_auth::{authenticate, observed_method};
use super::{Req, finish_json};
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::tenant::Tenant;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `POST` the revocation endpoint.
pub fn revoke(tenant: &Tenant, req: Req) -> Response {
    let quirks = tenant.lock().quirks.clone();
    let dialect = quirks.error_style;
    let form = req.form.clone().unwrap_or_default();
    let mut entry = JournalEntry::new(crate::protocol::Endpoint::Revoke, "POST", &form.0);
    entry.client_auth = Some(observed_method(&req.headers, &form));
    if let Err(e) = form.reject_repeats() {
        return finish_json(tenant, entry, e, dialect);
    }
    let client = match authenticate(tenant, &req.headers, &form, &quirks) {
        Ok(c) => c,
        Err(e) => return finish_json(tenant, entry, e, dialect),
    };
    let Some(token) = form.get("token") else {
        let e = OAuthError::invalid_request().hint("The request is missing the 'token' parameter.");
        return finish_json(tenant, entry, e, dialect);
    };
    {
        let mut s = tenant.lock();
        let family = s
            .refresh_tokens
            .get(token)
            .or_else(|| s.access_tokens.get(token))
            .filter(|r| r.grant.client_id == client.client_id)
            .map(|r| r.family.clone());
        if let Some(f) = family {
            s.revoke_family(&f);
        }
    }
    // RFC 7009 §2.2: unknown tokens are not an error.
    entry.status = 200;
    entry.outcome = crate::protocol::Outcome::Ok;
    tenant.record(entry);
    StatusCode::OK.into_response()
}
