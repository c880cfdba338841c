//! `demo-rp`: a small relying party on the `openidconnect` crate, correct by default,
//! with one `--bug` switch per mistake Stickler's checks catch.

mod bugs;
mod http_client;
mod pages;
mod routes;

use anyhow::{Context, Result};
use bugs::{Bug, Bugs};
use clap::Parser;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthType, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    RedirectUrl,
};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The client type discovery gives: authorize endpoint set, token and userinfo maybe.
pub type OidcClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

fn bug_help() -> String {
    let lines: Vec<String> = Bug::ALL.iter().map(|b| format!("  {:<30} {}", b.name(), b.doc())).collect();
    format!("Bug switches:\n{}", lines.join("\n"))
}

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "demo-rp", about = "Stickler's demo app: an OpenID Connect relying party", after_help = bug_help())]
pub struct Config {
    /// The issuer exactly as the IdP publishes it.
    #[arg(long)]
    issuer: String,
    /// Client id.
    #[arg(long)]
    client_id: String,
    /// Client secret (absent: a public client).
    #[arg(long)]
    client_secret: Option<String>,
    /// Token endpoint authentication: client_secret_basic, client_secret_post or none.
    #[arg(long, default_value = "client_secret_basic")]
    auth_method: String,
    /// Address to listen on.
    #[arg(long)]
    listen: SocketAddr,
    /// The app's base URL; the redirect URI is `{app_url}/callback`.
    #[arg(long)]
    app_url: String,
    /// Scopes to request.
    #[arg(long, default_value = "openid email profile")]
    scopes: String,
    /// Name of the groups claim.
    #[arg(long, default_value = "groups")]
    groups_claim: String,
    /// Mistakes to make (repeatable or comma-separated; see below).
    #[arg(long = "bug", env = "DEMO_RP_BUGS", value_delimiter = ',')]
    bugs: Vec<String>,
}

/// Shared state.
pub struct App {
    cfg: Config,
    bugs: Bugs,
    metadata: CoreProviderMetadata,
    http: reqwest::Client,
    flows: Mutex<HashMap<String, routes::Flow>>,
    sessions: Mutex<HashMap<String, pages::Shown>>,
}

impl App {
    /// A client configured as the switches say.
    pub fn client(&self) -> OidcClient {
        let secret = self.cfg.client_secret.clone().map(ClientSecret::new);
        let method = match () {
            _ if self.bugs.has(Bug::AuthBasicAlways) => "client_secret_basic",
            _ if self.bugs.has(Bug::AuthPostAlways) => "client_secret_post",
            _ => self.cfg.auth_method.as_str(),
        };
        let callback = if self.bugs.has(Bug::WrongRedirectUri) { "/callback/" } else { "/callback" };
        let redirect = RedirectUrl::new(format!("{}{callback}", self.cfg.app_url.trim_end_matches('/')))
            .expect("app_url was checked at start-up");
        CoreClient::from_provider_metadata(self.metadata.clone(), ClientId::new(self.cfg.client_id.clone()), secret)
            .set_auth_type(if method == "client_secret_basic" { AuthType::BasicAuth } else { AuthType::RequestBody })
            .set_redirect_uri(redirect)
    }
}

async fn discover(issuer: &str, http: &reqwest::Client) -> Result<CoreProviderMetadata> {
    let url = IssuerUrl::new(issuer.to_string()).context("--issuer is not a URL")?;
    let client = http_client::adapter(http.clone());
    let mut last = None;
    for _ in 0..25 {
        match CoreProviderMetadata::discover_async(url.clone(), &client).await {
            Ok(m) => return Ok(m),
            Err(e) => {
                let text = match &e {
                    openidconnect::DiscoveryError::Validation(v) => format!("validation: {v}"),
                    other => format!("{other}"),
                };
                // A mismatch will not fix itself by waiting.
                if text.starts_with("validation") {
                    anyhow::bail!("discovery at {issuer} failed: {text}");
                }
                last = Some(text);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    anyhow::bail!("discovery at {issuer} failed: {}", last.unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let cfg = Config::parse();
    let bugs = match Bugs::parse(cfg.bugs.iter().map(String::as_str)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    url::Url::parse(&cfg.app_url).context("--app-url is not a URL")?;
    let issuer = if bugs.has(Bug::StripIssuerSlash) {
        cfg.issuer.trim_end_matches('/').to_string()
    } else {
        cfg.issuer.clone()
    };
    let http = http_client::reqwest_client();
    let metadata = discover(&issuer, &http).await?;
    let listener = tokio::net::TcpListener::bind(cfg.listen).await.context("binding --listen")?;
    println!("demo-rp listening on {} (issuer {issuer}, bugs: {bugs})", cfg.app_url);
    let app = Arc::new(App {
        cfg,
        bugs,
        metadata,
        http,
        flows: Mutex::new(HashMap::new()),
        sessions: Mutex::new(HashMap::new()),
    });
    let router = axum::Router::new()
        .route("/", axum::routing::get(routes::home))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/login", axum::routing::get(routes::login))
        .route("/callback", axum::routing::get(routes::callback))
        .route("/callback/", axum::routing::get(routes::callback))
        .route("/logout", axum::routing::get(routes::logout))
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {},
            }
        })
        .await?;
    Ok(())
}
