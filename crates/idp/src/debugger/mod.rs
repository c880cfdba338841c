//! The IdP's own pages for a person trying it by hand (like mock-oauth2-server's
//! `/debugger`): a home page per tenant, sign-in from a button with state, nonce and PKCE
//! made server-side, the built-in callback that exchanges the code and shows the token
//! response, the decoded ID token and the userinfo answer, and a live journal view.
//!
//! Secrets (client secrets, user passwords) and the journal follow the admin API's
//! access rule ([`crate::admin::admin_access`]): shown to whoever may call the admin API
//! (which shows them too), masked for anyone else.

pub mod home;
pub mod id_token;
pub mod journal_view;
pub mod sign_in;

use crate::bounded::BoundedMap;
use crate::dialect::ErrorDialect;
use crate::error::OAuthError;
use crate::server::Idp;
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use std::sync::Arc;

/// Where the built-in callback lives, below the server's base URL.
pub const CALLBACK_PATH: &str = "/_stickler/callback";

/// Sign-ins started from a home page that are kept at most (the oldest go first).
const MAX_FLOWS: usize = 1_000;
/// Bytes the started sign-ins may take at most (approximate accounting).
const MAX_FLOW_BYTES: usize = 1 << 20;

/// A sign-in started from a home page: what the callback and the exchange need.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The tenant's name.
    pub tenant: String,
    /// The client.
    pub client_id: String,
    /// The nonce sent.
    pub nonce: String,
    /// The PKCE verifier whose S256 challenge was sent.
    pub code_verifier: String,
}

impl Flow {
    fn weight(&self) -> usize {
        self.tenant.len() + self.client_id.len() + self.nonce.len() + self.code_verifier.len() + 64
    }
}

/// The sign-ins started from the home pages, by `state`.
pub type Flows = BoundedMap<Flow>;

/// An empty store for [`Flow`]s.
pub fn new_flows() -> Flows {
    BoundedMap::new(MAX_FLOWS, MAX_FLOW_BYTES, Flow::weight)
}

/// The debugger's routes (server level; tenant roots are routed by the server).
pub fn router() -> Router<Arc<Idp>> {
    Router::new()
        .route("/", get(home::root).fallback(not_here))
        // Browsers ask for it on every IdP page; answered here so that it does not fill
        // the root tenant's journal with unknown-endpoint entries.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }).fallback(not_here),
        )
        .route(
            "/_stickler/sign-in",
            post(sign_in::start).fallback(wrong_method),
        )
        .route(CALLBACK_PATH, get(sign_in::callback).fallback(wrong_method))
        .route(
            "/_stickler/exchange",
            post(sign_in::exchange).fallback(wrong_method),
        )
        .route(
            "/_stickler/journal/{tenant}",
            get(journal_view::view).fallback(wrong_method),
        )
}

async fn wrong_method(method: Method) -> Response {
    OAuthError::method_not_allowed()
        .hint(format!(
            "HTTP method is '{method}', this page answers another."
        ))
        .into_json_response(ErrorDialect::Rfc6749)
}

/// `/` with a method other than GET: what the root tenant answers (a JSON 404 for an
/// unknown endpoint), as before the home page existed.
async fn not_here(
    axum::extract::State(idp): axum::extract::State<Arc<Idp>>,
    req: axum::extract::Request,
) -> Response {
    match idp.tenant(crate::tenant::DEFAULT_TENANT) {
        Some(t) => crate::endpoints::dispatch(&t, "/", req).await,
        None => OAuthError::not_found()
            .hint("There is no tenant 'default' on this IdP.")
            .into_json_response(ErrorDialect::Rfc6749),
    }
}

/// Whether this request may see secrets and the journal (the admin API's rule).
pub fn trusted(idp: &Idp, headers: &HeaderMap, uri: &Uri) -> bool {
    crate::admin::admin_access(idp, headers, uri).is_ok()
}

/// `***(N)`, as the journal masks secrets.
pub fn masked(secret: &str) -> String {
    crate::journal::mask(secret)
}

/// The debugger pages' frame: wider than the login form, tables and code blocks.
pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Stickler IdP" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}\
code{word-break:break-all}pre{background:#f5f5f5;padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;font-size:.85rem}\
button{padding:.4rem 1rem;cursor:pointer}.err{color:#a00}.ok{color:#070}.muted{color:#666}\
td.params{white-space:pre-wrap;word-break:break-all;font-family:monospace;font-size:.8rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}";

/// An HTML page with a status.
pub fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    (status, Html(layout(title, body).into_string())).into_response()
}
