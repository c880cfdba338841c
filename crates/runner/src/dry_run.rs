//! `stickler run --dry-run`: everything a run checks before it starts anything, and the
//! scenario file's CSS selectors parsed by Chromium itself (`document.querySelector` in
//! one headless session on an empty page), so a selector that would throw at run time
//! is a file, line and key error now. No app is built or started and no IdP runs.

use crate::browser::BrowserSession;
use crate::check::CheckSpec;
use crate::chromedriver::Chromedriver;
use crate::cli::RunArgs;
use crate::scenario::{ApiRun, AppMode, CssSelector, ScenarioFile};
use std::path::PathBuf;

/// Why a selector is refused: the browser's message, with its file, line and key.
pub fn selector_error(scenario: &ScenarioFile, s: &CssSelector, why: &str) -> String {
    format!(
        "{}:{}: key `{}` in [login]: `{}` is not a CSS selector Chromium accepts: {why}",
        scenario.path.display(),
        s.line,
        s.key,
        s.css
    )
}

/// Asks Chromium whether each selector parses; the errors, one per bad selector.
/// `Err` when no browser session could be opened. A scenario file without selectors
/// (one that tests only an API) needs no browser.
pub async fn check_selectors(
    args: &RunArgs,
    scenario: &ScenarioFile,
) -> Result<Vec<String>, String> {
    if scenario.login.selectors.is_empty() {
        return Ok(Vec::new());
    }
    let mut driver = None;
    let webdriver = match &args.webdriver {
        Some(u) => u.clone(),
        None => {
            let d = Chromedriver::start().await.map_err(|e| e.to_string())?;
            let url = d.url();
            driver = Some(d);
            url
        }
    };
    let chromium = crate::chromedriver::find_chromium().ok();
    let result = async {
        let session = BrowserSession::open(&webdriver, chromium.as_deref(), None)
            .await
            .map_err(|e| e.to_string())?;
        const JS: &str = "return arguments[0].map(function (s) {\
              try { document.querySelector(s); return null; }\
              catch (e) { return String(e && e.message || e); } });";
        let css: Vec<&str> = scenario
            .login
            .selectors
            .iter()
            .map(|s| s.css.as_str())
            .collect();
        let answer = session
            .execute_with(JS, vec![serde_json::json!(css)])
            .await
            .map_err(|e| e.to_string());
        session.close().await;
        let answer = answer?;
        let errors = scenario
            .login
            .selectors
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                answer[i]
                    .as_str()
                    .map(|why| selector_error(scenario, s, why))
            })
            .collect();
        Ok(errors)
    }
    .await;
    if let Some(d) = driver {
        d.shutdown().await;
    }
    result
}

/// What the dry run found valid, for the console.
pub fn summary(scenario: &ScenarioFile, features: &[PathBuf], specs: &[CheckSpec]) -> String {
    let mut out = format!(
        "stickler run --dry-run: {} ({}) is valid; nothing was started\n",
        scenario.name,
        scenario.path.display()
    );
    match &scenario.app {
        AppMode::Managed { build, command, .. } => {
            if let Some(b) = build {
                out.push_str(&format!("  build:     {} (not run)\n", b.join(" ")));
            }
            out.push_str(&format!(
                "  app:       {} (in {}; not started)\n",
                scenario_command(command),
                scenario.workdir.display()
            ));
        }
        AppMode::Running { url, .. } => {
            out.push_str(&format!("  app:       already running at {url}\n"));
        }
        AppMode::Absent => out.push_str("  app:       none (no [app] table)\n"),
    }
    if let Some(cli) = &scenario.cli {
        out.push_str(&format!(
            "  cli:       {} (in {}; not started)\n",
            scenario_command(&cli.command),
            scenario.workdir.display()
        ));
    }
    if let Some(api) = &scenario.api {
        match &api.run {
            ApiRun::Managed(command) => out.push_str(&format!(
                "  api:       {} (in {}; not started)\n",
                scenario_command(command),
                scenario.workdir.display()
            )),
            ApiRun::Running { url, tenant } => out.push_str(&format!(
                "  api:       already running at {url}, configured for tenant `{tenant}`\n"
            )),
        }
    }
    out.push_str(&format!("  profile:   {}\n", scenario.profile));
    let paths: Vec<String> = features.iter().map(|f| f.display().to_string()).collect();
    out.push_str(&format!("  features:  {}\n", paths.join(", ")));
    for s in &scenario.login.selectors {
        out.push_str(&format!(
            "  selector:  {} = `{}` (line {}): Chromium parses it\n",
            s.key, s.css, s.line
        ));
    }
    out.push_str(&format!(
        "  checks:    {} selected, every step matches one step definition\n",
        specs.len()
    ));
    for s in specs {
        out.push_str(&format!("    {:<28} {}\n", s.id, s.name));
    }
    out
}

fn scenario_command(command: &crate::scenario::AppCommand) -> String {
    command.argv.join(" ")
}
