//! The demo app's endpoints: home, login (start the code flow), callback (check the
//! state, finish the sign-in, open a session), logout, and the readiness probe.

use crate::bugs::Bug;
use crate::flow::Flow;
use crate::oidc::{self, Provider, SignedIn};
use crate::pages;
use crate::refusal::{Handling, Refusal};
use crate::settings::Settings;
use crate::store::{FLOW_COOKIE, SESSION_COOKIE, Store, clear_cookie, read_cookie, set_cookie};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use openidconnect::LogoutRequest;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How long a started sign-in stays valid.
const FLOW_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a session lasts.
const SESSION_TTL: Duration = Duration::from_secs(8 * 60 * 60);

/// Everything the endpoints share.
pub struct App {
    /// The checked configuration.
    pub settings: Settings,
    /// The IdP.
    pub provider: Provider,
    /// Sign-ins in progress, by `demo_rp_flow` cookie.
    pub flows: Store<Flow>,
    /// Sessions, by `demo_rp_session` cookie.
    pub sessions: Store<Arc<SignedIn>>,
    /// Finished sign-ins by the `code` that made them; only `replayable-callback`
    /// keeps any.
    pub by_code: Store<Arc<SignedIn>>,
}

impl App {
    /// The app with no flow and no session yet.
    pub fn new(settings: Settings, provider: Provider) -> App {
        App {
            settings,
            provider,
            flows: Store::new(FLOW_TTL),
            sessions: Store::new(SESSION_TTL),
            by_code: Store::new(FLOW_TTL),
        }
    }
}

/// The router: `/`, `/healthz`, `/login`, `/callback` (and `/callback/`, which
/// `wrong-redirect-uri` sends), `/logout`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(|| async { "ok" }))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/callback/", get(callback))
        .route("/logout", get(logout))
        .with_state(app)
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// `GET /`.
async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let session = read_cookie(&headers, SESSION_COOKIE).and_then(|id| app.sessions.get(&id));
    pages::home(session.as_ref().map(|s| &s.user))
}

/// `GET /login`: remembers a fresh flow and sends the browser to the IdP, unless the
/// IdP's discovery document is refused (or `no-sign-in`): then the error page, and no
/// redirect.
async fn login(State(app): State<Arc<App>>) -> Response {
    if app.settings.bugs.has(Bug::NoSignIn) {
        let refusal = Refusal::NotConfigured;
        tracing::warn!(status = %refusal.status(), "sign-in refused: {refusal}");
        return refusal.into_response();
    }
    let metadata = match app.provider.ready().await {
        Ok(metadata) => metadata,
        Err(refusal) => {
            tracing::warn!(status = %refusal.status(), "sign-in refused: {refusal}");
            return refusal.into_response();
        }
    };
    let flow = Flow::start(&app.settings.bugs);
    let url = oidc::authorization_url(&metadata, &app.settings, &flow);
    let id = app.flows.insert(flow);
    let mut resp = (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response();
    set_cookie(&mut resp, FLOW_COOKIE, &id);
    resp
}

/// `GET /callback`: the IdP's answer. The flow is single-use: it is gone whatever happens.
async fn callback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if app.settings.bugs.has(Bug::HangOnCallback) {
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
    let params = callback_params(query.as_deref().unwrap_or(""));
    let flow = read_cookie(&headers, FLOW_COOKIE).and_then(|id| app.flows.take(&id));
    let outcome = match replayed_sign_in(&app, &params) {
        Some(signed_in) => Ok(signed_in),
        None => finish(&app, flow, &params).await.map(Arc::new),
    };
    let mut resp = match outcome {
        Ok(signed_in) => {
            tracing::info!(sub = %signed_in.user.sub, "signed in");
            if app.settings.bugs.has(Bug::ReplayableCallback)
                && let Some(code) = params.get("code")
            {
                app.by_code.put(code, signed_in.clone());
            }
            let id = app.sessions.insert(signed_in);
            let mut resp = see_other("/");
            set_cookie(&mut resp, SESSION_COOKIE, &id);
            resp
        }
        Err(refusal) => match refusal.handling(&app.settings.bugs) {
            Handling::Answer(refusal) => {
                tracing::info!(status = %refusal.status(), "sign-in refused: {refusal}");
                refusal.into_response()
            }
            Handling::Exit(line) => exit_unhandled(&line),
        },
    };
    clear_cookie(&mut resp, FLOW_COOKIE);
    resp
}

/// The `crash-on-…` bugs: the process ends as Node.js ends on an unhandled promise
/// rejection, the error on stderr and exit status 1. The browser's connection is
/// closed without an answer.
fn exit_unhandled(line: &str) -> ! {
    eprintln!("{line}");
    std::process::exit(1)
}

/// Under `replayable-callback`, the sign-in an earlier callback with the same `code`
/// made: whoever presents the code again gets it, whatever their flow.
fn replayed_sign_in(app: &App, params: &HashMap<String, String>) -> Option<Arc<SignedIn>> {
    if !app.settings.bugs.has(Bug::ReplayableCallback) {
        return None;
    }
    let signed_in = app.by_code.get(params.get("code")?)?;
    tracing::warn!("replayed callback: signing in with the result of an earlier one");
    Some(signed_in)
}

/// The callback's parameters. Parsed leniently (never a framework error page); a
/// repeated parameter keeps its first value.
fn callback_params(query: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        params
            .entry(k.into_owned())
            .or_insert_with(|| v.into_owned());
    }
    params
}

async fn finish(
    app: &App,
    flow: Option<Flow>,
    params: &HashMap<String, String>,
) -> Result<SignedIn, Refusal> {
    let bugs = &app.settings.bugs;
    if let Some(error) = params.get("error") {
        return Err(Refusal::Idp {
            error: error.clone(),
            description: params.get("error_description").cloned(),
        });
    }
    let flow = flow.ok_or(Refusal::NoFlow)?;
    if !flow.state_matches(params.get("state").map(String::as_str), bugs) {
        return Err(Refusal::StateMismatch);
    }
    let code = params.get("code").ok_or(Refusal::NoCode)?;
    app.provider
        .sign_in(&app.settings, flow, code.clone())
        .await
}

/// `GET /logout`: ends the session, then RP-initiated logout at the IdP when it
/// publishes an `end_session_endpoint` (RP-Initiated Logout 1.0 §2), else home.
async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let session = read_cookie(&headers, SESSION_COOKIE).and_then(|id| app.sessions.take(&id));
    let target = match (session, app.provider.end_session_url()) {
        (Some(session), Some(end_session)) => {
            let mut req = LogoutRequest::from(end_session)
                .set_client_id(app.settings.client_id.clone())
                .set_post_logout_redirect_uri(app.settings.post_logout_url.clone());
            if let Some(id_token) = &session.id_token {
                req = req.set_id_token_hint(id_token);
            }
            req.http_get_url().to_string()
        }
        _ => "/".to_string(),
    };
    let mut resp = see_other(&target);
    clear_cookie(&mut resp, SESSION_COOKIE);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_params_are_decoded_leniently() {
        let p = callback_params(
            "error=access_denied&error_description=not+in%20a+group&state=%ZZ&state=second",
        );
        assert_eq!(p["error"], "access_denied");
        assert_eq!(p["error_description"], "not in a group");
        assert_eq!(p["state"], "%ZZ");
        assert!(callback_params("").is_empty());
    }
}
