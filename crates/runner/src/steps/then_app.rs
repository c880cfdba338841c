//! Then steps about what the app showed in the browser.

use super::names;
use crate::evidence::{Observation, Shown};
use crate::journeys::observe;
use crate::verdict::Warning;
use crate::world::CheckWorld;
use anyhow::{Result, anyhow, bail};
use cucumber::then;

fn seen(w: &CheckWorld) -> Result<&Observation> {
    w.seen
        .as_ref()
        .ok_or_else(|| anyhow!("no browser journey happened before this step"))
}

fn describe(o: &Observation) -> String {
    let status = o.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    format!("the browser ended on {}{status} showing: {}", o.url, o.text)
}

/// Either outcome is right, as long as it is visible and not a crash (OIDF
/// kid-absent-multiple-jwks: refuse, or try every key and sign in).
#[then(regex = r"^the app either shows (\w+) signed in or refuses the sign-in visibly$")]
async fn signed_in_or_refused(w: &mut CheckWorld, username: String) -> Result<()> {
    let o = seen(w)?.clone();
    if matches!(o.shown, Shown::SignedIn(_)) {
        w.notes.push("the app signed the user in".into());
        signed_in(w, username).await
    } else if let Some(mistake) = signed_in_selector_mistake(w, &username, &o).await {
        w.scenario_mistake = Some(mistake.clone());
        bail!("{mistake}");
    } else {
        w.notes.push("the app refused the sign-in".into());
        refuses_visibly(w).await
    }
}

/// A `signed_in` selector that never matched although the sign-in completed (the IdP
/// issued tokens) and the page shows the user's email: the scenario file points at the
/// wrong element, which is the tester's mistake, not the app's.
async fn signed_in_selector_mistake(
    w: &CheckWorld,
    username: &str,
    o: &Observation,
) -> Option<String> {
    if !matches!(o.shown, Shown::Nothing) {
        return None;
    }
    let email = w
        .tenant()
        .ok()?
        .users
        .iter()
        .find(|u| u.username == username)?
        .email
        .clone();
    let issued = w
        .journal()
        .await
        .ok()?
        .iter()
        .any(|e| e.endpoint == stickler_idp::Endpoint::Token && e.status == 200);
    if !issued {
        return None;
    }
    let text = w.browser().ok()?.page_text().await.ok()?;
    if !text.to_lowercase().contains(&email.to_lowercase()) {
        return None;
    }
    let scenario = &w.env.scenario;
    let line = scenario
        .login
        .selectors
        .iter()
        .find(|s| s.key == "signed_in")
        .map_or(1, |s| s.line);
    Some(format!(
        "{}:{line}: key `signed_in` in [login]: the selector `{}` never matched, yet the sign-in completed (the IdP issued {username}'s tokens) and the page at {} shows {username}'s email {email}: the scenario file names the wrong element, the app is not at fault. Point `signed_in` at the element that shows the signed-in user (the page's text is in the check's page.txt)",
        scenario.path.display(),
        scenario.login.signed_in,
        o.url
    ))
}

#[then(regex = r"^the app shows (\w+) signed in$")]
async fn signed_in(w: &mut CheckWorld, username: String) -> Result<()> {
    let o = seen(w)?.clone();
    let Shown::SignedIn(text) = &o.shown else {
        if w.app_exited() {
            bail!("{}", w.crash.clone().unwrap_or_default());
        }
        if let Some(mistake) = signed_in_selector_mistake(w, &username, &o).await {
            w.scenario_mistake = Some(mistake.clone());
            bail!("{mistake}");
        }
        // The IdP's first refusal names the rule the app broke.
        let refused = w
            .journal()
            .await?
            .into_iter()
            .find(|e| e.error.is_some() && e.endpoint != stickler_idp::Endpoint::Discovery)
            .map(|e| {
                format!(
                    "\nThe IdP refused first: {}",
                    crate::evidence::journal_line(&e)
                )
            })
            .unwrap_or_default();
        bail!(
            "the app did not show {username} signed in: {}{refused}",
            describe(&o)
        );
    };
    if let Some(expect) = &w.env.scenario.login.signed_in_contains {
        let user = w.user(&username)?;
        let tenant = w.tenant()?;
        let real = tenant.users.iter().find(|u| u.username == username);
        let filled = expect
            .replace("{username}", &username)
            .replace(
                "{email}",
                real.map_or(user.username.as_str(), |u| u.email.as_str()),
            )
            .replace("{sub}", real.map_or("", |u| u.sub.as_str()));
        if !text.contains(&filled) {
            bail!(
                "the app shows someone signed in, but not {username}: expected `{filled}` in `{text}`"
            );
        }
    }
    Ok(())
}

#[then(regex = r#"^the app shows the groups? "([^"]*)"$"#)]
async fn shows_groups(w: &mut CheckWorld, groups: String) -> Result<()> {
    let o = seen(w)?;
    if !matches!(o.shown, Shown::SignedIn(_)) {
        bail!(
            "the app did not sign the user in, so it shows no groups: {}",
            describe(o)
        );
    }
    let text = w.browser()?.page_text().await?;
    let missing: Vec<_> = names(&groups)
        .into_iter()
        .filter(|g| !text.contains(g.as_str()))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the app does not show the group(s) {} from the IdP's groups claim; page: {}",
            missing.join(", "),
            crate::journeys::excerpt(&text, 400)
        );
    }
    Ok(())
}

/// A callback with a state the app never issued: refused, or accepted only because PKCE
/// binds the code to this browser (RFC 9700 §4.7.1: a client MAY rely on PKCE for CSRF
/// protection), which is a warning.
#[then(regex = r"^the app refuses the forged callback, unless PKCE binds it to the browser$")]
async fn refuses_forged_callback(w: &mut CheckWorld) -> Result<()> {
    if matches!(seen(w)?.shown, Shown::SignedIn(_)) {
        let pkce = w
            .journal()
            .await?
            .into_iter()
            .filter(|e| e.endpoint == stickler_idp::Endpoint::Authorize)
            .all(|e| e.pkce_method == Some(stickler_idp::PkceMethod::S256));
        if pkce {
            w.warnings.push(Warning {
                kind: "accepted a callback whose state it never issued (PKCE S256 protects it)".into(),
                detail: "the app ignores the state, but the code only works with this browser's PKCE verifier, so an attacker's code would be refused (RFC 9700 §4.7.1)".into(),
            });
            return Ok(());
        }
    }
    refuses_visibly(w).await
}

/// A refusal is judged by its outcome: no session afterwards, the app still answering,
/// and something on screen. An HTTP 5xx page is still a refusal (reported as a
/// warning); a crash is the app's process exiting, its connection failing, or nothing
/// answering within the step time, each named with its evidence.
#[then(regex = r"^the app refuses the sign-in visibly$")]
async fn refuses_visibly(w: &mut CheckWorld) -> Result<()> {
    let o = seen(w)?.clone();
    match &o.shown {
        Shown::SignedIn(t) => bail!(
            "the app signed the user in ({t}) although it had to refuse: {}",
            describe(&o)
        ),
        Shown::IdpError(t) => {
            bail!("the browser stayed on the IdP's error page ({t}); the app never answered")
        }
        Shown::LoginError(t) => {
            bail!("the IdP refused the password ({t}); the check could not reach the app")
        }
        _ => {}
    }
    if w.app_exited() {
        bail!("{}", w.crash.clone().unwrap_or_default());
    }
    if let Some(crash) = crash_seen(&o) {
        w.crash = Some(crash.clone());
        bail!("{crash}");
    }
    let server_error = o.status.filter(|s| *s >= 500);
    match (&w.env.scenario.login.error, &o.shown, server_error) {
        (_, _, Some(_)) => {}
        (Some(_), Shown::AppError(t), _) if !t.is_empty() => {}
        (Some(sel), _, _) => bail!(
            "the app showed no error (`{sel}` is absent or empty): {}",
            describe(&o)
        ),
        (None, _, _) if o.text.trim().is_empty() => {
            bail!("the app showed a blank page: {}", describe(&o))
        }
        (None, _, _) => {}
    }
    // Still alive: the start page answers without a server error.
    let start = w.vars.fill(&w.env.scenario.login.start_url)?;
    match w.env.http.get(&start).send().await {
        Ok(r) if r.status().is_server_error() => bail!(
            "after refusing, the app's start page answers HTTP {}",
            r.status()
        ),
        Ok(_) => {}
        Err(e) => {
            let crash = if w.app_exited() {
                w.crash.clone().unwrap_or_default()
            } else {
                format!("after refusing, the app no longer answers at {start}: {e}")
            };
            w.crash = Some(crash.clone());
            bail!("{crash}");
        }
    }
    // No session: the start page in the same browser shows nobody signed in.
    w.browser()?.goto(&start).await?;
    let after = observe(w).await?;
    if let Shown::SignedIn(t) = &after.shown {
        bail!("the app refused on screen but kept a session: its start page shows `{t}`");
    }
    if let Some(s) = server_error {
        w.warnings.push(Warning {
            kind: "refused with an HTTP 5xx page".into(),
            detail: format!("HTTP {s} at {} showing: {}", o.url, o.text),
        });
    }
    Ok(())
}

/// What in the browser shows a crash rather than a refusal: the connection failed, or
/// nothing answered.
fn crash_seen(o: &Observation) -> Option<String> {
    const NET_ERRORS: [&str; 4] = [
        "ERR_CONNECTION_REFUSED",
        "ERR_CONNECTION_RESET",
        "ERR_EMPTY_RESPONSE",
        "ERR_CONNECTION_CLOSED",
    ];
    if o.url.starts_with("chrome-error://") || NET_ERRORS.iter().any(|e| o.text.contains(e)) {
        return Some(format!(
            "the browser could not reach the app (connection refused or reset): {}",
            o.text
        ));
    }
    if o.status.is_none() && o.text.trim().is_empty() {
        return Some(format!(
            "nothing answered within the step time at {}",
            o.url
        ));
    }
    None
}
