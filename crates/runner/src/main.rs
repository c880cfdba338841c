//! `stickler`: test an app's single sign-on against strict identity providers.

/// `println!` that stays quiet instead of panicking when stdout is closed (`| head`).
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod app;
mod browser;
mod browser_pool;
mod check;
mod checks_cmd;
mod chromedriver;
mod cli;
mod dry_run;
mod env;
mod evidence;
mod exit;
mod feature_set;
mod idp_client;
mod idp_cmd;
mod isolation;
mod journeys;
mod process;
mod report;
mod run_cmd;
mod running_api;
mod scenario;
mod scratch;
mod steps;
mod stopping;
mod targets;
mod verdict;
mod watchdog;
mod world;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STICKLER_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            cli::Command::Idp(args) => idp_cmd::run(args).await,
            cli::Command::Run(args) => run_cmd::run(*args).await,
            cli::Command::Checks(args) => checks_cmd::run(args),
            cli::Command::Watchdog => watchdog::serve(),
        }
    });
    ExitCode::from(code)
}
