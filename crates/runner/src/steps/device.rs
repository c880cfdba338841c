//! Steps for a CLI that logs in with the device authorization grant (RFC 8628): the CLI
//! runs, a person completes the verification in the browser (verification page, login,
//! approve or deny), and the CLI is judged by its exit code, its output and its polls.

use crate::browser::{ELEMENT_WAIT, PAGE_LOAD};
use crate::check::Target;
use crate::evidence::CliObservation;
use crate::scenario::CliTarget;
use crate::targets::{CliRun, crash_marks};
use crate::verdict::{
    cli_summary, poll_pacing, polled_after_terminal_error, stopped_polling_after,
};
use crate::world::CheckWorld;
use anyhow::{Result, anyhow, bail};
use cucumber::{then, when};
use std::time::{Duration, Instant};

/// The verification page's elements (README "Page elements").
const USER_CODE: &str = "#user_code";
const CONTINUE: &str = "#continue";
const APPROVE: &str = "#sign-in";
const DENY: &str = "#deny";
const APPROVED: &str = "#device-approved";
const DENIED: &str = "#device-denied";
const DEVICE_ERROR: &str = "#device-error";

fn cli(w: &CheckWorld) -> Result<CliTarget> {
    w.env
        .scenario
        .cli
        .clone()
        .ok_or_else(|| anyhow!("this check needs a CLI, and the scenario file has no [cli] table"))
}

/// A quirk of the check's tenant, as the admin API spells it.
fn quirk(w: &CheckWorld, name: &str) -> Option<serde_json::Value> {
    let t = w.tenant.as_ref()?;
    serde_json::to_value(&t.quirks).ok()?.get(name).cloned()
}

/// Why the IdP cannot serve a device flow, when its profile has none.
fn no_device_flow(w: &CheckWorld) -> Option<String> {
    (quirk(w, "device_flow") == Some(serde_json::Value::Bool(false))).then(|| {
        format!(
            "the IdP has no device authorization endpoint: the `{}` profile does not offer the device authorization grant (RFC 8628), and its discovery document lists none",
            w.profile.name()
        )
    })
}

/// Starts the CLI in the check's tenant.
fn start_cli(w: &mut CheckWorld, cli: &CliTarget) -> Result<CliRun> {
    let log = w.env.report_dir.join(&w.key).join("cli.log");
    CliRun::start(&cli.command, &w.vars, &log, cli.timeout)
}

/// The CLI runs to its end without anyone at the browser.
#[when(regex = r"^the CLI starts a login$")]
async fn cli_starts(w: &mut CheckWorld) -> Result<()> {
    w.ensure_target(Target::Cli).await?;
    let cli = cli(w)?;
    let mut run = start_cli(w, &cli)?;
    let seen = run.finish(&w.vars).await;
    w.cli_seen = Some(seen);
    Ok(())
}

/// The CLI runs; a person opens its verification URL, types its user code, signs in
/// and approves (or denies); the CLI runs to its end.
#[when(regex = r"^(\w+) logs in with the CLI and (approves|denies) in the browser$")]
async fn cli_login(w: &mut CheckWorld, user: String, choice: String) -> Result<()> {
    w.ensure_target(Target::Cli).await?;
    let cli = cli(w)?;
    let password = w
        .user(&user)?
        .password
        .clone()
        .unwrap_or_else(|| user.clone());
    let mut run = start_cli(w, &cli)?;
    let (url, code) = match run.wait_for_codes(&cli).await {
        Ok(found) => found,
        Err(why) => {
            let seen = run.finish(&w.vars).await;
            let summary = cli_summary(&seen);
            w.cli_seen = Some(seen);
            return Err(match no_device_flow(w) {
                Some(idp) => anyhow!("{idp}, so the CLI cannot log in ({summary})"),
                None => anyhow!("{why}; {summary}"),
            });
        }
    };
    w.cli_run = Some(run);
    let verified = verify_in_browser(w, &url, &code, &user, &password, choice == "approves").await;
    if let Some(mut run) = w.cli_run.take() {
        let seen = finish_cli(w, &mut run).await;
        w.cli_seen = Some(seen);
    }
    verified
}

/// How often the journal is read while the CLI runs.
const JOURNAL_EVERY: Duration = Duration::from_millis(500);

/// Waits for the CLI to end, or stops it as soon as the journal shows that it polled
/// again after a terminal error (RFC 8628 §3.5: `access_denied` and `expired_token`
/// end the flow): such a CLI polls until its timeout, so waiting longer shows nothing
/// more.
async fn finish_cli(w: &CheckWorld, run: &mut CliRun) -> CliObservation {
    let mut read = Instant::now();
    let mut kept_polling = None;
    while run.still_running().await {
        if read.elapsed() < JOURNAL_EVERY {
            continue;
        }
        read = Instant::now();
        if let Ok(j) = w.journal().await
            && let Some(error) = polled_after_terminal_error(&j)
        {
            kept_polling = Some(error);
            break;
        }
    }
    let mut seen = run.end(&w.vars).await;
    seen.kept_polling_after = kept_polling;
    seen
}

async fn verify_in_browser(
    w: &mut CheckWorld,
    url: &str,
    code: &str,
    user: &str,
    password: &str,
    approve: bool,
) -> Result<()> {
    w.ensure_browser().await?;
    let b = w.browser()?;
    b.goto(url).await?;
    let (i, text) = b
        .wait_for_any(&[USER_CODE, DEVICE_ERROR], PAGE_LOAD)
        .await?;
    if i == 1 {
        bail!("the verification page {url} shows an error: {text}");
    }
    b.fill(USER_CODE, code).await?;
    b.click(CONTINUE).await?;
    let (i, text) = b
        .wait_for_any(&["#username", DEVICE_ERROR], PAGE_LOAD)
        .await?;
    if i == 1 {
        bail!("the verification page refused the user code `{code}` the CLI showed: {text}");
    }
    b.fill("username", user).await?;
    b.fill("password", password).await?;
    b.click(if approve { APPROVE } else { DENY }).await?;
    let (i, text) = b
        .wait_for_any(&[APPROVED, DENIED, DEVICE_ERROR], PAGE_LOAD + ELEMENT_WAIT)
        .await?;
    match (i, approve) {
        (0, true) | (1, false) => Ok(()),
        _ => bail!(
            "the verification ended on `{text}`, not on the {} page",
            if approve { "approved" } else { "denied" }
        ),
    }
}

fn seen(w: &CheckWorld) -> Result<&crate::evidence::CliObservation> {
    w.cli_seen
        .as_ref()
        .ok_or_else(|| anyhow!("the CLI did not run in this check"))
}

#[then(regex = r"^the CLI exits as logged in$")]
async fn exits_logged_in(w: &mut CheckWorld) -> Result<()> {
    let cli = cli(w)?;
    let s = seen(w)?;
    if s.exit != Some(cli.success_exit) {
        bail!(
            "{}, not {} as a successful login (`[cli] success_exit`)",
            cli_summary(s),
            cli.success_exit
        );
    }
    if let Some(re) = &cli.success_output
        && !re.is_match(&s.output)
    {
        bail!(
            "the CLI's output does not match `[cli] success_output` = `{re}`: {}",
            cli_summary(s)
        );
    }
    Ok(())
}

#[then(regex = r"^the CLI exits refusing the login$")]
async fn exits_refusing(w: &mut CheckWorld) -> Result<()> {
    let cli = cli(w)?;
    let s = seen(w)?;
    if let Some(error) = &s.kept_polling_after {
        bail!(
            "the CLI polled again after the IdP answered `{error}` instead of giving up (Stickler stopped it then; it would have polled until its timeout): {}",
            cli_summary(s)
        );
    }
    if s.timed_out {
        bail!(
            "the CLI was still running {} s after it started (`[cli] timeout_secs`): it never gave up",
            cli.timeout.as_secs()
        );
    }
    if s.exit == Some(cli.success_exit) {
        bail!(
            "the CLI exited {} as if the login had succeeded: {}",
            cli.success_exit,
            cli_summary(s)
        );
    }
    if let Some(what) = crash_marks(&s.output) {
        bail!(
            "the CLI crashed ({what}) instead of saying why: {}",
            cli_summary(s)
        );
    }
    if let Some(re) = &cli.refusal_output
        && !re.is_match(&s.output)
    {
        bail!(
            "the CLI's output does not match `[cli] refusal_output` = `{re}`: {}",
            cli_summary(s)
        );
    }
    Ok(())
}

#[then(regex = r#"^the CLI stopped polling after "(\w+)"$"#)]
async fn stopped_after(w: &mut CheckWorld, error: String) -> Result<()> {
    let j = w.journal().await?;
    stopped_polling_after(&j, &error).map_err(|e| anyhow!(e))
}

#[then(regex = r"^the CLI polled no faster than the interval$")]
async fn paced(w: &mut CheckWorld) -> Result<()> {
    let interval = quirk(w, "device_poll_interval_secs")
        .and_then(|v| v.as_u64())
        .unwrap_or(5);
    let j = w.journal().await?;
    poll_pacing(&j, interval).map_err(|e| anyhow!(e))
}

#[then(regex = r"^the CLI says the IdP has no device authorization endpoint$")]
async fn says_no_device_flow(w: &mut CheckWorld) -> Result<()> {
    let cli = cli(w)?;
    let s = seen(w)?;
    if s.timed_out {
        bail!(
            "the CLI was still running after {} s against an IdP without a device authorization endpoint",
            cli.timeout.as_secs()
        );
    }
    if let Some(what) = crash_marks(&s.output) {
        bail!(
            "the CLI crashed ({what}) instead of saying the IdP has no device authorization endpoint: {}",
            cli_summary(s)
        );
    }
    if s.exit == Some(cli.success_exit) {
        bail!(
            "the CLI exited {} as if it had logged in: {}",
            cli.success_exit,
            cli_summary(s)
        );
    }
    if !cli.no_device_flow_output.is_match(&s.output) {
        bail!(
            "the CLI's output does not say that the IdP has no device flow (`[cli] no_device_flow_output` = `{}`): {}",
            cli.no_device_flow_output,
            cli_summary(s)
        );
    }
    Ok(())
}
