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
    /// Run the checks of a scenario file against an app, through a real browser.
    Run(Box<RunArgs>),
    /// List every check with its id, area, tags and source.
    Checks(ChecksArgs),
    /// (internal) Ends what a killed run left: started by `stickler run` itself.
    #[command(name = "__watchdog", hide = true)]
    Watchdog,
}

/// `stickler checks`.
#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Folder (or file) of feature files.
    #[arg(long, default_value = "features")]
    pub features: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `stickler run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file: how to start and drive the app (see scenarios/).
    pub scenario: PathBuf,
    /// Feature files or folders to run instead of the scenario file's `features`.
    #[arg(long = "features", value_name = "DIR")]
    pub features: Vec<PathBuf>,
    /// Only checks whose tags match, e.g. `@state and not @slow`.
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<cucumber::gherkin::tagexpr::TagOperation>,
    /// Only this check, by id from `stickler checks` (repeatable).
    #[arg(long = "check", value_name = "ID")]
    pub checks: Vec<String>,
    /// `should` checks that do not hold fail the run too, instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Also write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a JSON report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the HTML report here (it is always written as index.html in the report dir).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Use this WebDriver endpoint (e.g. a Selenium Grid) instead of starting chromedriver.
    #[arg(long, value_name = "URL", env = "STICKLER_WEBDRIVER")]
    pub webdriver: Option<url::Url>,
    /// Use the IdP at this URL (`stickler idp` elsewhere) instead of an embedded one.
    #[arg(long, value_name = "URL", env = "STICKLER_IDP")]
    pub idp: Option<String>,
    /// The admin token of the IdP given with --idp.
    #[arg(long, value_name = "TOKEN", env = "STICKLER_IDP_TOKEN")]
    pub idp_token: Option<String>,
    /// How many checks (each with its own app and browser) run at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub concurrency: u16,
    /// Where screenshots, page text, app logs and journals go.
    #[arg(long, value_name = "DIR", default_value = "stickler-report")]
    pub report_dir: PathBuf,
    /// Run the checks once per IdP profile (`jumpcloud,okta,...` or `all`) and report a
    /// compatibility matrix: a feature folder named after a profile runs for that
    /// profile only; each profile's report goes to `<report-dir>/<profile>/`.
    #[arg(long, value_name = "LIST")]
    pub profiles: Option<String>,
    /// Check the scenario file (keys, placeholders, CSS selectors, parsed by Chromium),
    /// the feature paths and the check selection, then exit 0 or 2 without building or
    /// starting the app.
    #[arg(long)]
    pub dry_run: bool,
}

/// `stickler idp`.
#[derive(Debug, Args)]
pub struct IdpArgs {
    /// Profile of the demo tenant, and of config tenants that name none (see
    /// `--list-quirks`): jumpcloud, lenient, okta, okta_org, entra, entra_common, google,
    /// auth0, keycloak, cognito, authentik.
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
    /// Override one quirk of every tenant served, e.g. `--quirk
    /// id_token_misbehaviour=wrong_iss` (repeatable; over the config file's values).
    #[arg(long = "quirk", value_name = "NAME=VALUE")]
    pub quirks: Vec<String>,
    /// Print every quirk with its documentation and per-profile values, then exit.
    #[arg(long)]
    pub list_quirks: bool,
}
