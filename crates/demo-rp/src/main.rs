//! `demo-rp`'s command line: flags to checked settings, discovery, then serving until
//! SIGTERM or Ctrl-C. A small relying party on the `openidconnect` crate, correct by
//! default, with one `--bug` switch per mistake Stickler's checks catch.

mod bugs;
mod flow;
mod groups;
mod http_client;
mod issuer;
mod jose;
mod lenient;
mod oidc;
mod pages;
mod refusal;
mod routes;
mod settings;
mod store;

use bugs::Bug;
use clap::{CommandFactory, Parser};
use settings::{AuthMethod, RawSettings, Settings, SettingsError};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Exit code when discovery cannot reach the IdP, or binding or serving fails.
const EXIT_FAILURE: u8 = 1;
/// Exit code for bad flags (as clap uses).
const EXIT_USAGE: i32 = 2;
/// How long start-up waits for the IdP's discovery document.
const DISCOVERY_PATIENCE: Duration = Duration::from_secs(5);

fn bug_help() -> String {
    let lines: Vec<String> = Bug::ALL
        .iter()
        .map(|b| format!("  {:<29} {}", b.name(), b.doc()))
        .collect();
    format!(
        "Bug switches (--bug NAME, repeatable or comma-separated; env DEMO_RP_BUGS):\n{}",
        lines.join("\n")
    )
}

/// Stickler's demo app: an OpenID Connect relying party on the openidconnect crate,
/// correct by default, with one --bug switch per mistake.
#[derive(Debug, Parser)]
#[command(name = "demo-rp", version, after_help = bug_help())]
struct Args {
    /// The issuer exactly as the IdP publishes it (e.g. http://127.0.0.1:41234/t/abc/).
    #[arg(long, env = "DEMO_RP_ISSUER")]
    issuer: String,
    /// The client id (may start with `-`, as generated ids do).
    #[arg(long, env = "DEMO_RP_CLIENT_ID", allow_hyphen_values = true)]
    client_id: String,
    /// The client secret; absent or empty: a public client (method none, PKCE still used).
    #[arg(
        long,
        env = "DEMO_RP_CLIENT_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    client_secret: Option<String>,
    /// Token endpoint authentication [default: client_secret_basic with a secret, else none].
    #[arg(long, env = "DEMO_RP_AUTH_METHOD", value_enum)]
    auth_method: Option<AuthMethod>,
    /// Address to listen on, e.g. 127.0.0.1:3000.
    #[arg(long, env = "DEMO_RP_LISTEN")]
    listen: SocketAddr,
    /// The app's base URL, e.g. http://127.0.0.1:3000; the redirect URI is {app_url}/callback.
    #[arg(long, env = "DEMO_RP_APP_URL")]
    app_url: String,
    /// Scopes to request (openid is always sent).
    #[arg(
        long,
        env = "DEMO_RP_SCOPES",
        default_value = "openid email profile",
        allow_hyphen_values = true
    )]
    scopes: String,
    /// Name of the groups claim (read from the ID token, else from userinfo).
    #[arg(
        long,
        env = "DEMO_RP_GROUPS_CLAIM",
        default_value = "groups",
        allow_hyphen_values = true
    )]
    groups_claim: String,
    /// A mistake to make (repeatable or comma-separated; listed below).
    #[arg(
        long = "bug",
        value_name = "NAME",
        env = "DEMO_RP_BUGS",
        value_delimiter = ','
    )]
    bugs: Vec<String>,
}

impl From<Args> for RawSettings {
    fn from(a: Args) -> RawSettings {
        RawSettings {
            issuer: a.issuer,
            client_id: a.client_id,
            client_secret: a.client_secret,
            auth_method: a.auth_method,
            listen: a.listen,
            app_url: a.app_url,
            scopes: a.scopes,
            groups_claim: a.groups_claim,
            bugs: a.bugs,
        }
    }
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let settings = match Settings::check(Args::parse().into()) {
        Ok(s) => s,
        Err(e) => {
            let kind = match e {
                SettingsError::UnknownBug(_) => clap::error::ErrorKind::InvalidValue,
                _ => clap::error::ErrorKind::ValueValidation,
            };
            let err = Args::command().error(kind, e.to_string());
            let _ = err.print();
            std::process::exit(EXIT_USAGE);
        }
    };
    match run(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-rp: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn run(settings: Settings) -> Result<(), String> {
    let http = http_client::reqwest_client();
    let provider = oidc::Provider::discover(&settings, http, DISCOVERY_PATIENCE)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(why) = provider.discovery_problem() {
        tracing::warn!("{why}; every sign-in shows this until the IdP's document is fixed");
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    println!(
        "demo-rp listening on {} (issuer {}, bugs: {})",
        settings.app_url,
        settings.issuer.as_str(),
        settings.bugs
    );
    let app = Arc::new(routes::App::new(settings, provider));
    axum::serve(listener, routes::router(app))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("serving failed: {e}"))
}
