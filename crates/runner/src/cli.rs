//! Command-line arguments, as clap sees them.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Test your app's single sign-on against strict identity providers before your users do.
#[derive(Debug, Parser)]
#[command(name = "stickler", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the fake OpenID Provider until Ctrl-C (for clicking through by hand, or for
    /// `stickler run --idp URL`).
    Idp(IdpArgs),
}

/// `stickler idp`.
#[derive(Debug, Args)]
pub struct IdpArgs {
    /// Profile of the demo tenant, and of config tenants that name none: jumpcloud, lenient.
    #[arg(long, default_value = "jumpcloud", env = "STICKLER_PROFILE")]
    pub profile: stickler_idp::Profile,
    /// TOML file declaring tenants, clients, users, groups and quirk overrides.
    #[arg(long, env = "STICKLER_IDP_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on. Anything but loopback requires --admin-token.
    #[arg(long, default_value = "127.0.0.1:9400", env = "STICKLER_LISTEN")]
    pub listen: SocketAddr,
    /// Base URL issuers are built from, when the IdP is reached under another name
    /// (default: http://<listen address>).
    #[arg(long, env = "STICKLER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Token every admin API call must carry (`Authorization: Bearer <token>`).
    #[arg(long, env = "STICKLER_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Print every quirk with its documentation and per-profile values, then exit.
    #[arg(long)]
    pub list_quirks: bool,
}
