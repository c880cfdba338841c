//! `demo-cli`: Stickler's demo CLI, which logs in the way jitsudo's CLI does: the
//! device authorization grant (RFC 8628) as a public client, then calls an API with the
//! ID token as `Authorization: Bearer`. Correct by default, with one `--bug` switch per
//! mistake a `features/device` check catches.

mod device;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Stickler's demo CLI: logs in with the device authorization grant (RFC 8628).
#[derive(Debug, Parser)]
#[command(
    name = "demo-cli",
    version,
    after_help = "Bug switches (--bug NAME, repeatable or comma-separated; env DEMO_CLI_BUGS):\n  ignores-slow-down, polls-too-fast, no-stop-on-denied, no-stop-on-expired,\n  crash-on-no-device-endpoint\n(see the README's `demo-cli` section)\n\nExit codes: 0 logged in (and the API, when given, answered 2xx); 1 the login was refused\nor expired; 3 the IdP has no device authorization endpoint; 4 the API refused the token;\n2 bad flags."
)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Log in with the device authorization grant, then call the API when given.
    Login(device::LoginArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let Cmd::Login(args) = Args::parse().command;
    let code = device::login(args).await;
    ExitCode::from(code)
}
