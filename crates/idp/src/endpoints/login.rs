//! The login form's target: checks the user's credentials and the app's group
//! assignment, then the checks Hydra runs only after login (PKCE), and issues the code.

use super::authorize::{AuthzError, deliver, respond_to_app};
use super::{Req, pages};
use crate::dialect::NotAssigned;
use crate::error::OAuthError;
use crate::journal::JournalEntry;
use crate::quirks::PkceRequired;
use crate::tenant::{CodeRecord, EndpointPaths, Grant, PendingLogin, Tenant};
use crate::tokens::{now, random_token};
use axum::response::Response;

/// `POST` the login form.
pub fn login(tenant: &Tenant, req: Req) -> Response {
    let params = req.form.clone().unwrap_or_default();
    let mut entry = JournalEntry::new(crate::protocol::Endpoint::Login, "POST", &params.0);
    let challenge = params.get("login_challenge").unwrap_or("");
    let pending = tenant.lock().logins.get(challenge).cloned();
    let Some(pending) = pending.filter(|p| p.expires_at > now()) else {
        let err = OAuthError::invalid_request().hint(
            "The login request is unknown or has expired. Start the sign-in again from the application.",
        );
        entry.outcome = crate::protocol::Outcome::ErrorPage;
        entry.status = 400;
        entry.error = Some(err.code.into());
        tenant.record(entry);
        let dialect = tenant.lock().quirks.error_style;
        return pages::error_markup(err.code, &err.description_in(dialect));
    };
    entry.client_id = Some(pending.client_id.clone());
    entry.redirect_uri = pending
        .redirect_uri_sent
        .as_deref()
        .map(crate::journal::cap);
    let username = params.get("username").unwrap_or("");
    let password = params.get("password").unwrap_or("");
    let (user, client, quirks) = {
        let s = tenant.lock();
        (
            s.users.get(username).cloned(),
            s.clients.get(&pending.client_id).cloned(),
            s.quirks.clone(),
        )
    };
    let user = match user {
        Some(u) if u.password == password => u,
        _ => {
            entry.status = 401;
            entry.outcome = crate::protocol::Outcome::LoginPage;
            entry.error = Some("wrong_credentials".into());
            tenant.record(entry);
            let action = tenant.url(EndpointPaths::of(quirks.endpoint_layout).login);
            let name = client.map(|c| c.name).unwrap_or_default();
            return pages::login_page(
                tenant,
                &action,
                challenge,
                &name,
                Some("Wrong username or password."),
            );
        }
    };
    entry
        .params
        .insert("username".into(), user.username.clone());
    // The challenge is spent whatever happens next.
    tenant.lock().logins.remove(challenge);
    let Some(client) = client else {
        let err = OAuthError::invalid_client().hint("The OAuth 2.0 Client was deleted.");
        return deliver(tenant, entry, AuthzError::Page(err));
    };
    let to_app = |err: OAuthError, pending: &PendingLogin| AuthzError::Redirect {
        err,
        redirect_uri: pending.redirect_uri.clone(),
        state: pending.state.clone(),
        response_mode: pending.response_mode,
    };
    if quirks.require_group_assignment && !user.groups.iter().any(|g| client.groups.contains(g)) {
        let refusal =
            quirks
                .error_style
                .not_assigned(&user.username, &client.client_id, &client.name);
        return match refusal {
            NotAssigned::ToApp(err) => deliver(tenant, entry, to_app(err, &pending)),
            NotAssigned::OnPage(err) => deliver(tenant, entry, AuthzError::Page(err)),
        };
    }
    if let Err(err) = check_pkce(
        &pending,
        quirks.pkce_plain_allowed,
        quirks.pkce_required,
        client.is_public(),
    ) {
        return deliver(tenant, entry, to_app(err, &pending));
    }
    if quirks.error_style.checks_prompt_after_login()
        && let Err(err) = check_prompt(pending.prompt.as_deref())
    {
        return deliver(tenant, entry, to_app(err, &pending));
    }
    // Issue the code.
    let t = now();
    let prefix = if quirks.hydra_token_prefixes {
        "ory_ac_"
    } else {
        ""
    };
    let code = random_token(prefix, 32);
    let record = CodeRecord {
        grant: Grant {
            client_id: client.client_id.clone(),
            username: user.username.clone(),
            scopes: pending.scopes.clone(),
            auth_time: t,
            requested_at: pending.requested_at,
            sid: uuid::Uuid::new_v4().to_string(),
            nonce: pending.nonce.clone(),
        },
        redirect_uri_sent: pending.redirect_uri_sent.clone(),
        code_challenge: pending.code_challenge.clone(),
        code_challenge_method: pending.code_challenge_method.clone(),
        // Saturating: a lifetime quirk may be any u64.
        expires_at: t.saturating_add(quirks.code_lifetime_secs),
        used: false,
        issued: Vec::new(),
    };
    {
        let mut s = tenant.lock();
        s.sweep_if_due(t);
        s.codes.insert(code.clone(), record);
    }
    let mut fields = vec![("code".to_string(), code)];
    if quirks.error_style.scope_with_code() {
        fields.push(("scope".into(), pending.scopes.join(" ")));
    }
    if let Some(s) = &pending.state {
        fields.push(("state".into(), s.clone()));
    }
    entry.outcome = crate::protocol::Outcome::Redirect;
    respond_to_app(
        tenant,
        entry,
        quirks.error_style,
        &pending.redirect_uri,
        pending.response_mode,
        fields,
    )
}

/// fosite's `prompt` rules, which Hydra applies after login (`handler/openid/validator.go`,
/// quirks.md E-PROMPT, E-PROMPT-NONE). The hint prints the whole list as Go formats a
/// slice: `'[login foo]'`.
fn check_prompt(prompt: Option<&str>) -> Result<(), OAuthError> {
    const KNOWN: [&str; 5] = ["login", "none", "consent", "registration", "select_account"];
    let values: Vec<&str> = prompt
        .unwrap_or("")
        .split(' ')
        .filter(|v| !v.is_empty())
        .collect();
    if values.iter().any(|v| !KNOWN.contains(v)) {
        return Err(OAuthError::invalid_request().hint(format!(
            "Used unknown value '[{}]' for prompt parameter",
            values.join(" ")
        )));
    }
    if values.len() > 1 && values.contains(&"none") {
        return Err(OAuthError::invalid_request().hint(
            "Parameter \"prompt\" was set to \"none\", but contains other values as well which is not allowed.",
        ));
    }
    Ok(())
}

/// PKCE rules at the authorization endpoint (fosite `handler/pkce/handler.go`).
fn check_pkce(
    p: &PendingLogin,
    plain_allowed: bool,
    required: PkceRequired,
    public_client: bool,
) -> Result<(), OAuthError> {
    match (&p.code_challenge, p.code_challenge_method.as_deref()) {
        (None, None) => match required {
            PkceRequired::Always => Err(OAuthError::invalid_request().hint(
                "Clients must include a code_challenge when performing the authorize code flow, but it is missing.",
            )),
            PkceRequired::PublicClients if public_client => Err(OAuthError::invalid_request().hint(
                "This client must include a code_challenge when performing the authorize code flow, but it is missing.",
            )),
            _ => Ok(()),
        },
        (_, Some("S256")) => Ok(()),
        (_, None | Some("plain")) if plain_allowed => Ok(()),
        (_, None | Some("plain")) => Err(OAuthError::invalid_request()
            .hint("Clients must use code_challenge_method=S256, plain is not allowed.")),
        (_, Some(_)) => Err(OAuthError::invalid_request()
            .hint("The code_challenge_method is not supported, use S256 instead.")),
    }
}
