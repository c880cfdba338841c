//! Then steps about what the app sent, read from the IdP's request journal.

use crate::evidence::journal_line;
use crate::verdict::Warning;
use crate::world::CheckWorld;
use anyhow::{Result, bail};
use cucumber::then;
use stickler_idp::{ClientAuth, Endpoint, JournalEntry, PkceMethod};

async fn entries(w: &CheckWorld, endpoint: Endpoint) -> Result<Vec<JournalEntry>> {
    let all = w.journal().await?;
    let found: Vec<_> = all.into_iter().filter(|e| e.endpoint == endpoint).collect();
    if found.is_empty() {
        bail!("the app never called the IdP's {endpoint} endpoint");
    }
    Ok(found)
}

fn idp_said(e: &JournalEntry) -> String {
    match (&e.error, &e.error_description) {
        (Some(c), Some(d)) => format!(" The IdP answered {c}: \"{d}\"."),
        _ => String::new(),
    }
}

#[then(regex = r"^the app sent a state of at least (\d+) characters$")]
async fn state_length(w: &mut CheckWorld, min: usize) -> Result<()> {
    for e in entries(w, Endpoint::Authorize).await? {
        match e.state_len {
            None => bail!(
                "the app sent no `state` to the authorization endpoint.{}",
                idp_said(&e)
            ),
            Some(n) if n < min => bail!(
                "the app sent a `state` of {n} characters (at least {min} needed).{}",
                idp_said(&e)
            ),
            _ => {}
        }
    }
    Ok(())
}

#[then(regex = r"^the app sent a nonce of at least (\d+) characters, if any$")]
async fn nonce_length(w: &mut CheckWorld, min: usize) -> Result<()> {
    for e in entries(w, Endpoint::Authorize).await? {
        if let Some(n) = e.nonce_len.filter(|n| *n < min) {
            let token = w
                .journal()
                .await?
                .into_iter()
                .find(|t| t.endpoint == Endpoint::Token && t.error.is_some());
            let said = token.map(|t| idp_said(&t)).unwrap_or_default();
            bail!("the app sent a `nonce` of {n} characters (at least {min} needed).{said}");
        }
    }
    Ok(())
}

#[then(regex = r"^the app used PKCE with S256, if at all$")]
async fn pkce_s256(w: &mut CheckWorld) -> Result<()> {
    for e in entries(w, Endpoint::Authorize).await? {
        if let Some(m) = e.pkce_method.as_ref().filter(|m| **m != PkceMethod::S256) {
            let login = w
                .journal()
                .await?
                .into_iter()
                .find(|l| l.endpoint == Endpoint::Login && l.error.is_some());
            let said = login.map(|l| idp_said(&l)).unwrap_or_default();
            bail!("the app used PKCE method `{m}`.{said}");
        }
    }
    Ok(())
}

#[then(regex = r"^the app sent the registered redirect_uri byte for byte$")]
async fn redirect_uri(w: &mut CheckWorld) -> Result<()> {
    let registered = w
        .tenant()?
        .clients
        .first()
        .map(|c| c.redirect_uris.clone())
        .unwrap_or_default();
    for e in entries(w, Endpoint::Authorize).await? {
        match &e.redirect_uri {
            None => bail!("the app sent no `redirect_uri`.{}", idp_said(&e)),
            Some(r) if !registered.contains(r) => bail!(
                "the app sent redirect_uri `{r}`, but the registered one is `{}`.{}",
                registered.join("`, `"),
                idp_said(&e)
            ),
            _ => {}
        }
    }
    Ok(())
}

/// The app authenticated with exactly the registered method. A client that first tries
/// another method, is refused, and retries with the right one signs in: a warning (it
/// costs a refused request per sign-in and fills the IdP's logs), not a failure.
#[then(regex = r"^the app authenticated at the token endpoint as registered$")]
async fn token_auth(w: &mut CheckWorld) -> Result<()> {
    let registered = w
        .tenant()?
        .clients
        .first()
        .map(|c| c.token_endpoint_auth_method);
    let expected = registered.map_or(ClientAuth::None, |m| m.observed());
    let registered = registered.map(|m| m.as_str()).unwrap_or("?");
    let tokens = entries(w, Endpoint::Token).await?;
    let used: Vec<ClientAuth> = tokens
        .iter()
        .map(|e| e.client_auth.unwrap_or(ClientAuth::None))
        .collect();
    let listed: Vec<&str> = used.iter().map(|u| u.as_str()).collect();
    w.notes.push(format!(
        "the app authenticated at the token endpoint with `{}` (registered: {registered})",
        listed.join("`, then `")
    ));
    let right = tokens
        .iter()
        .position(|e| e.client_auth.unwrap_or(ClientAuth::None) == expected && e.status == 200);
    match right {
        // Exactly as registered from the first call on.
        Some(0) if used.iter().all(|u| *u == expected) => Ok(()),
        // Refused first, then right.
        Some(i) => {
            let wrong = &tokens[..i];
            w.warnings.push(Warning {
                kind: "client authentication retried with another method".into(),
                detail: format!(
                    "the app first authenticated with `{}` and was refused ({}), then with `{expected}`, which worked: one refused request per sign-in",
                    used[0],
                    wrong.iter().map(journal_line).collect::<Vec<_>>().join("; ")
                ),
            });
            Ok(())
        }
        None => {
            let e = tokens
                .iter()
                .find(|e| e.client_auth.unwrap_or(ClientAuth::None) != expected);
            match e {
                Some(e) => bail!(
                    "the app authenticated with `{}` but the client is registered for `{registered}`.{}",
                    e.client_auth.unwrap_or(ClientAuth::None),
                    idp_said(e)
                ),
                None => bail!(
                    "the app authenticated with `{expected}` as registered, but the token endpoint refused it: {}",
                    tokens
                        .iter()
                        .map(journal_line)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            }
        }
    }
}

/// Core §3.1.2.1 leaves `nonce` optional in the code flow, but it is what binds an ID
/// token to the browser that asked for it (§15.5.2).
#[then(regex = r"^the app sent a nonce$")]
async fn sends_nonce(w: &mut CheckWorld) -> Result<()> {
    for e in entries(w, Endpoint::Authorize).await? {
        if e.nonce_len.is_none() {
            bail!(
                "the app sent no `nonce` to the authorization endpoint ({})",
                journal_line(&e)
            );
        }
    }
    Ok(())
}

#[then(regex = r#"^the IdP refused the sign-in with "([^"]*)"$"#)]
async fn idp_refused(w: &mut CheckWorld, code: String) -> Result<()> {
    let all = w.journal().await?;
    if !all
        .iter()
        .any(|e| e.error.as_deref() == Some(code.as_str()))
    {
        let lines: Vec<_> = all.iter().map(journal_line).collect();
        bail!(
            "the IdP never answered `{code}`, so this check did not exercise what it is about; journal:\n  {}",
            lines.join("\n  ")
        );
    }
    Ok(())
}

/// The first call to `endpoint` since the check began, if any.
async fn first_call(w: &CheckWorld, endpoint: Endpoint) -> Result<Option<JournalEntry>> {
    Ok(w.journal()
        .await?
        .into_iter()
        .find(|e| e.endpoint == endpoint))
}

/// After an ID token it had to refuse, the app must not go on to use the access token.
#[then(regex = r"^the app did not call userinfo$")]
async fn no_userinfo(w: &mut CheckWorld) -> Result<()> {
    if let Some(e) = first_call(w, Endpoint::Userinfo).await? {
        bail!(
            "the app called userinfo ({}) with the access token of a response whose ID token it had to refuse",
            journal_line(&e)
        );
    }
    Ok(())
}

/// The app stopped before the authorization request (a provider configuration it had to
/// reject, for one).
#[then(regex = r"^the app did not send the browser to the authorization endpoint$")]
async fn no_authorize(w: &mut CheckWorld) -> Result<()> {
    if let Some(e) = first_call(w, Endpoint::Authorize).await? {
        bail!(
            "the app sent the browser to the authorization endpoint ({}) although it had to reject the IdP's configuration first",
            journal_line(&e)
        );
    }
    Ok(())
}

/// OIDF `oidcc-client-test-scope-userinfo-claims`: the app asks for user claims, not
/// only `openid`.
#[then(regex = r"^the app asked for the profile or email scope$")]
async fn user_claim_scope(w: &mut CheckWorld) -> Result<()> {
    const USER_SCOPES: [&str; 4] = ["profile", "email", "phone", "address"];
    for e in entries(w, Endpoint::Authorize).await? {
        let scope = e.params.get("scope").map(String::as_str).unwrap_or("");
        if !scope.split(' ').any(|s| USER_SCOPES.contains(&s)) {
            bail!(
                "the app asked only for `{scope}`: without one of profile, email, phone or address the IdP releases no user claims ({})",
                journal_line(&e)
            );
        }
    }
    Ok(())
}
