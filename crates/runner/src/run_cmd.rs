//! `stickler run`: set up the IdP, the browser driver and the app, run the checks,
//! report. Every process and session started here is ended here, on every path.

use crate::app::{ManagedApp, run_build};
use crate::browser::ProfileTemplate;
use crate::browser_pool::BrowserPool;
use crate::check::{CheckSpec, Target};
use crate::chromedriver::Chromedriver;
use crate::cli::RunArgs;
use crate::env::{AppTarget, RunEnv, set_current_env};
use crate::exit;
use crate::feature_set::FeatureSet;
use crate::idp_client::IdpClient;
use crate::report::{self, Collector, matrix};
use crate::scenario::{self, AppMode, Placeholders, ScenarioFile};
use crate::world::CheckWorld;
use cucumber::World as _;
use cucumber::WriterExt as _;
use cucumber::tag::Ext as _;
use futures::FutureExt as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use stickler_idp::{ClientSpec, Profile, TenantInfo, TenantSpec};

/// An error that ends the run before any check, with its exit code.
struct Stop(u8, String);

fn usage(msg: impl Into<String>) -> Stop {
    Stop(exit::USAGE, msg.into())
}
fn environment(msg: impl Into<String>) -> Stop {
    Stop(exit::ENVIRONMENT, msg.into())
}

/// The temporary folders a run makes, by name prefix.
const STALE_PREFIXES: [&str; 2] = [
    crate::browser::PROFILE_PREFIX,
    crate::chromedriver::SCRATCH_PREFIX,
];

/// Exit code after Ctrl-C or SIGTERM.
const INTERRUPTED: u8 = 130;

/// Runs the command; returns the exit code. Ctrl-C (or SIGTERM) at any moment drops the
/// run: every app, browser session, chromedriver and the embedded IdP it owns end with it.
pub async fn run(args: RunArgs) -> u8 {
    // What a run killed before its watchdog could act left behind.
    for dir in [std::env::temp_dir(), PathBuf::from("/tmp")] {
        crate::scratch::sweep_stale(&dir, &STALE_PREFIXES);
    }
    crate::watchdog::start();
    let outcome = tokio::select! {
        // Polled first, so the handler is installed before any child is spawned.
        biased;
        _ = crate::idp_cmd::wait_for_signal() => Err(Stop(
            INTERRUPTED,
            "interrupted; stopped every app, browser and driver this run started".into(),
        )),
        r = run_inner(args) => r,
    };
    // Apps still stopping when the run was interrupted end now.
    if let Some(env) = crate::env::current_env() {
        env.stopping.kill().await;
    }
    // Sessions dropped by an interruption could not wait for their browsers to quit.
    crate::scratch::remove_all().await;
    crate::watchdog::finish();
    match outcome {
        Ok(code) => code,
        Err(Stop(code, msg)) => {
            eprintln!("error: {msg}");
            code
        }
    }
}

/// What `stickler run` owns while checks run; dropping it ends everything.
struct Owned {
    idp: Option<stickler_idp::RunningIdp>,
    driver: Option<Chromedriver>,
    /// The profile every session copies; its folder goes with it.
    template: Option<ProfileTemplate>,
}

impl Owned {
    async fn shutdown(mut self) {
        if let Some(d) = self.driver.take() {
            d.shutdown().await;
        }
        if let Some(i) = self.idp.take() {
            i.shutdown().await;
        }
    }
}

async fn run_inner(args: RunArgs) -> Result<u8, Stop> {
    let t0 = Instant::now();
    let scenario = scenario::load(&args.scenario).map_err(|e| usage(e.to_string()))?;
    let features: Vec<PathBuf> = if args.features.is_empty() {
        scenario.features.clone()
    } else {
        args.features.clone()
    };
    for f in &features {
        if !f.exists() {
            return Err(usage(format!(
                "feature path {} does not exist",
                f.display()
            )));
        }
    }
    // Every file parses and every check reads, or nothing starts.
    let parsed = FeatureSet::parse_all(&features).map_err(|errors| usage(errors.join("\n")))?;
    let specs = select(&args, &scenario, &parsed, true)?;
    let profiles = match &args.profiles {
        Some(list) => {
            let profiles = matrix::parse_profiles(list).map_err(usage)?;
            if args.junit.is_some() {
                return Err(usage(
                    "--junit reports one run; with --profiles each profile's reports are in <report-dir>/<profile>/ and --json writes the matrix",
                ));
            }
            Some(profiles)
        }
        None => None,
    };
    if args.dry_run {
        let errors = crate::dry_run::check_selectors(&args, &scenario)
            .await
            .map_err(|e| {
                environment(format!(
                    "--dry-run asks Chromium whether the scenario's CSS selectors parse, and no browser session opened: {e}"
                ))
            })?;
        if !errors.is_empty() {
            return Err(usage(errors.join("\n")));
        }
        say!(
            "{}",
            crate::dry_run::summary(&scenario, &features, &specs).trim_end()
        );
        return Ok(exit::OK);
    }
    if let Some(profiles) = profiles {
        return run_matrix(&args, scenario, features, profiles, t0).await;
    }
    let report_dir = args.report_dir.clone();
    let records = run_once(&args, scenario, features, &report_dir).await?;
    report::print_summary(&records);
    if let Some(p) = &args.junit {
        report::write_junit(&records, p)
            .map_err(|e| environment(format!("cannot write {}: {e}", p.display())))?;
    }
    if let Some(p) = &args.json {
        report::write_json(&records, p)
            .map_err(|e| environment(format!("cannot write {}: {e}", p.display())))?;
    }
    for p in std::iter::once(report_dir.join("index.html")).chain(args.html.clone()) {
        report::write_html(&records, &p)
            .map_err(|e| environment(format!("cannot write {}: {e}", p.display())))?;
    }
    eprintln!(
        "(ran {} check{} in {:.1} s; evidence in {})",
        records.len(),
        if records.len() == 1 { "" } else { "s" },
        t0.elapsed().as_secs_f64(),
        report_dir.display()
    );
    // A check that ran into a mistake of the scenario file says nothing about the app.
    let mistakes: Vec<(&str, &str)> = records
        .iter()
        .filter_map(|r| {
            r.scenario_mistake
                .as_deref()
                .map(|m| (r.spec.id.as_str(), m))
        })
        .collect();
    if let Some((_, first)) = mistakes.first() {
        let ids: Vec<&str> = mistakes.iter().map(|(id, _)| *id).collect();
        eprintln!(
            "error: {first}\n(a mistake in the scenario file, found by {}; fix it and run again)",
            ids.join(", ")
        );
        return Ok(exit::USAGE);
    }
    let counts = report::Counts::of(&records);
    if counts.failed > 0 {
        return Ok(exit::CHECKS_FAILED);
    }
    if counts.passed == 0 {
        eprintln!(
            "error: no check was exercised: the app never got as far as any check's subject (see `Not counted` above)"
        );
        return Ok(exit::CHECKS_FAILED);
    }
    Ok(exit::OK)
}

/// One run of the selected checks: parse, select, start what they need, run, stop it all.
async fn run_once(
    args: &RunArgs,
    scenario: ScenarioFile,
    features: Vec<PathBuf>,
    report_dir: &std::path::Path,
) -> Result<Vec<report::CheckRecord>, Stop> {
    // Every file parses and every check reads, or nothing starts.
    let parsed = FeatureSet::parse_all(&features).map_err(|errors| usage(errors.join("\n")))?;
    // Selected again (the same checks) for this run's ids; run_inner said what is left out.
    let specs = select(args, &scenario, &parsed, false)?;
    let ids = crate::check::Ids::of(&parsed);
    std::fs::create_dir_all(report_dir).map_err(|e| {
        environment(format!(
            "cannot create report dir {}: {e}",
            report_dir.display()
        ))
    })?;
    let mut owned = Owned {
        idp: None,
        driver: None,
        template: None,
    };
    let result = run_checks(args, scenario, features, specs, ids, report_dir, &mut owned).await;
    owned.shutdown().await;
    result
}

/// `--profiles`: the run once per profile, each into `<report-dir>/<profile>/`, then
/// the matrix in the console, `--json` and `<report-dir>/index.html` (`--html` too).
async fn run_matrix(
    args: &RunArgs,
    scenario: ScenarioFile,
    features: Vec<PathBuf>,
    profiles: Vec<Profile>,
    t0: Instant,
) -> Result<u8, Stop> {
    let mut cells = Vec::new();
    for profile in profiles {
        let for_profile = matrix::features_for(profile, &features);
        if for_profile.is_empty() {
            cells.push(matrix::Cell::untested(profile));
            continue;
        }
        let mut scenario = scenario.clone();
        scenario.profile = profile;
        let dir = args.report_dir.join(profile.name());
        let records = match run_once(args, scenario, for_profile, &dir).await {
            Ok(r) => r,
            // `--tags` / `--check` may select nothing in one profile's folders.
            Err(Stop(code, msg)) if code == exit::USAGE && msg.starts_with("no check selected") => {
                cells.push(matrix::Cell::untested(profile));
                continue;
            }
            Err(e) => return Err(e),
        };
        let html = dir.join("index.html");
        report::write_html(&records, &html)
            .map_err(|e| environment(format!("cannot write {}: {e}", html.display())))?;
        report::write_json(&records, &dir.join("report.json"))
            .map_err(|e| environment(format!("cannot write report.json: {e}")))?;
        cells.push(matrix::Cell::of(profile, &records));
    }
    let m = matrix::Matrix {
        app: scenario.name.clone(),
        profiles: cells,
    };
    say!("\n{}", m.console().trim_end());
    if let Some(p) = &args.json {
        m.write_json(p)
            .map_err(|e| environment(format!("cannot write {}: {e}", p.display())))?;
    }
    for p in std::iter::once(args.report_dir.join("index.html")).chain(args.html.clone()) {
        m.write_html(&p)
            .map_err(|e| environment(format!("cannot write {}: {e}", p.display())))?;
    }
    eprintln!(
        "(ran {} profile{} in {:.1} s; reports in {})",
        m.profiles.len(),
        if m.profiles.len() == 1 { "" } else { "s" },
        t0.elapsed().as_secs_f64(),
        args.report_dir.display()
    );
    Ok(if m.breaks() {
        exit::CHECKS_FAILED
    } else {
        exit::OK
    })
}

/// Whether a check is selected by `--tags` and `--check`.
fn selected(
    tags: Option<&cucumber::gherkin::tagexpr::TagOperation>,
    ids: &[String],
    f: &cucumber::gherkin::Feature,
    r: Option<&cucumber::gherkin::Rule>,
    s: &cucumber::gherkin::Scenario,
) -> bool {
    let by_tags = tags.is_none_or(|t| {
        t.eval(
            f.tags
                .iter()
                .chain(r.iter().flat_map(|r| &r.tags))
                .chain(s.tags.iter()),
        )
    });
    by_tags && (ids.is_empty() || ids.contains(&crate::check::id_in(f, s)))
}

/// Whether the scenario file describes the target a check needs.
fn has_target(scenario: &ScenarioFile, target: Target) -> bool {
    match target {
        Target::App => !matches!(scenario.app, AppMode::Absent),
        Target::Cli => scenario.cli.is_some(),
        Target::Api => scenario.api.is_some(),
    }
}

/// The checks the run executes: every one reads (level, exercise), `--check` names only
/// checks that exist, checks for a target the scenario file does not describe (a CLI, an
/// API) are left out (with a note on stderr when `say_left_out`), and at least one is
/// selected.
fn select(
    args: &RunArgs,
    scenario: &ScenarioFile,
    parsed: &[cucumber::gherkin::Feature],
    say_left_out: bool,
) -> Result<Vec<CheckSpec>, Stop> {
    let all = CheckSpec::read_all(parsed).map_err(|errors| usage(errors.join("\n")))?;
    let unknown: Vec<&String> = args
        .checks
        .iter()
        .filter(|id| !all.iter().any(|c| &&c.id == id))
        .collect();
    if !unknown.is_empty() {
        return Err(usage(format!(
            "no check {} in the selected features (`stickler checks` lists the ids)",
            unknown
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut chosen = Vec::new();
    let mut absent: std::collections::BTreeMap<Target, usize> = Default::default();
    for f in parsed {
        let rules = f
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        for (r, s) in f.scenarios.iter().map(|s| (None, s)).chain(rules) {
            if selected(args.tags.as_ref(), &args.checks, f, r, s) {
                let id = crate::check::id_in(f, s);
                let Some(spec) = all.iter().find(|c| c.id == id) else {
                    continue;
                };
                if has_target(scenario, spec.target) {
                    chosen.push(spec.clone());
                } else if args.checks.contains(&spec.id) {
                    return Err(usage(format!(
                        "check `{}` needs a [{}] table in {}, which has none",
                        spec.id,
                        spec.target,
                        scenario.path.display()
                    )));
                } else {
                    *absent.entry(spec.target).or_default() += 1;
                }
            }
        }
    }
    for (target, n) in absent.iter().filter(|_| say_left_out) {
        eprintln!(
            "({n} {target} check{} left out: {} describes no [{target}])",
            if *n == 1 { "" } else { "s" },
            scenario.path.display()
        );
    }
    if chosen.is_empty() {
        return Err(usage(
            "no check selected: the feature paths hold none, or --tags / --check match none (`stickler checks` lists them)",
        ));
    }
    unknown_steps(parsed, &chosen).map_err(|e| usage(e.join("\n")))?;
    Ok(chosen)
}

/// Every step of the chosen checks matches exactly one step definition, or nothing
/// starts: each that matches none or several is named with its file and line.
fn unknown_steps(
    parsed: &[cucumber::gherkin::Feature],
    chosen: &[CheckSpec],
) -> Result<(), Vec<String>> {
    let steps = CheckWorld::collection();
    let mut errors = Vec::new();
    for f in parsed {
        let background = f.background.iter().flat_map(|b| &b.steps);
        for (_, sc) in crate::check::scenarios(f) {
            let id = crate::check::id_in(f, sc);
            if !chosen.iter().any(|c| c.id == id) {
                continue;
            }
            for step in background.clone().chain(&sc.steps) {
                let at = format!(
                    "{}:{}",
                    crate::check::relative(f.path.as_deref()),
                    step.position.line
                );
                match steps.find(step) {
                    Ok(Some(_)) => {}
                    Ok(None) => errors.push(format!(
                        "{at}: no step definition matches `{}{}` (see the README's step vocabulary)",
                        step.keyword, step.value
                    )),
                    Err(e) => errors.push(format!(
                        "{at}: `{}{}` matches {} step definitions",
                        step.keyword,
                        step.value,
                        e.possible_matches.len()
                    )),
                }
            }
        }
    }
    errors.sort();
    errors.dedup();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

async fn run_checks(
    args: &RunArgs,
    scenario: ScenarioFile,
    features: Vec<PathBuf>,
    specs: Vec<CheckSpec>,
    ids: crate::check::Ids,
    report_dir: &std::path::Path,
    owned: &mut Owned,
) -> Result<Vec<report::CheckRecord>, Stop> {
    // The IdP: embedded, or one elsewhere through its admin API.
    let idp = match &args.idp {
        Some(url) => {
            let c =
                IdpClient::new(url, args.idp_token.clone()).map_err(|e| usage(e.to_string()))?;
            c.ping()
                .await
                .map_err(|e| environment(format!("{e:#}; is `stickler idp` running there?")))?;
            c
        }
        None => {
            let running = stickler_idp::spawn("127.0.0.1:0".parse().expect("valid"), None, None)
                .await
                .map_err(|e| environment(e.to_string()))?;
            let c = IdpClient::new(&running.url(), None).map_err(|e| environment(e.to_string()))?;
            owned.idp = Some(running);
            c
        }
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| environment(e.to_string()))?;

    // The browser driver, unless only an API is tested: its checks send HTTP requests,
    // and such a run needs no Chromium on the machine.
    let needs_browser = !matches!(scenario.app, AppMode::Absent) || scenario.cli.is_some();
    let webdriver = match &args.webdriver {
        _ if !needs_browser => None,
        Some(u) => Some(u.clone()),
        None => {
            let d = Chromedriver::start()
                .await
                .map_err(|e| environment(e.to_string()))?;
            let url = d.url();
            owned.driver = Some(d);
            Some(url)
        }
    };
    let chromium = crate::chromedriver::find_chromium().ok();

    // The app (built once and proven to start, or the running one's tenant found), while
    // a first browser proves Chromium starts and leaves the profile every session copies.
    let app = async {
        build_targets(&scenario, report_dir).await?;
        match &scenario.app {
            AppMode::Managed { command, .. } => {
                let started = Instant::now();
                eprintln!(
                    "starting {} once against a lenient IdP (preflight)",
                    scenario.name
                );
                preflight(&scenario, &idp, report_dir).await?;
                eprintln!(
                    "the app started in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                api_preflight(&scenario, &idp, report_dir).await?;
                Ok(AppTarget::Managed {
                    command: command.clone(),
                })
            }
            AppMode::Absent => {
                api_preflight(&scenario, &idp, report_dir).await?;
                Ok(AppTarget::Absent)
            }
            AppMode::Running { url, .. } => {
                let tenant = running_tenant(&scenario, &idp, url).await?;
                api_preflight(&scenario, &idp, report_dir).await?;
                Ok(AppTarget::Running {
                    url: url.clone(),
                    tenant,
                })
            }
        }
    };
    let template = async {
        match &webdriver {
            Some(w) => ProfileTemplate::create(w, chromium.as_deref())
                .await
                .map(Some),
            None => Ok(None),
        }
    };
    let (target, profile_template) = tokio::join!(app, template);
    let target: AppTarget = target?;
    owned.template = profile_template.map_err(|e| environment(e.to_string()))?;
    let template_path = owned.template.as_ref().map(|t| t.path().to_path_buf());
    let api_runs = scenario
        .api
        .as_ref()
        .is_some_and(|a| matches!(a.run, scenario::ApiRun::Running { .. }));
    let concurrency = match scenario.app {
        AppMode::Running { .. } => 1,
        _ if api_runs => 1,
        AppMode::Managed { .. } | AppMode::Absent => usize::from(args.concurrency),
    };
    say!(
        "stickler run: {} — profile {}, {} check{}, {}, IdP {}",
        scenario.name,
        scenario.profile,
        specs.len(),
        if specs.len() == 1 { "" } else { "s" },
        if webdriver.is_some() {
            format!("{concurrency} browser(s)")
        } else {
            format!("{concurrency} at once, no browser (API only)")
        },
        idp.base()
    );
    let evidence = report::EvidenceDrop::default();
    let env = Arc::new(RunEnv {
        scenario,
        idp,
        target,
        browsers: BrowserPool::new(webdriver, chromium, template_path),
        report_dir: report_dir.to_path_buf(),
        http,
        evidence: evidence.clone(),
        stopping: crate::stopping::Stopping::default(),
    });
    set_current_env(env.clone());

    let chosen: std::collections::HashSet<String> = specs.iter().map(|s| s.id.clone()).collect();
    let ids = std::sync::Arc::new(ids);
    let collector = Collector::new(
        specs,
        ids.clone(),
        evidence,
        report_dir.to_path_buf(),
        args.strict,
    );
    let hook_ids = ids.clone();
    CheckWorld::cucumber::<PathBuf>()
        .with_parser(FeatureSet)
        .max_concurrent_scenarios(concurrency)
        .with_writer(collector.clone().normalized())
        .fail_on_skipped()
        .with_default_cli()
        .before(move |feature, _rule, scenario, world| {
            world.key = hook_ids.get(feature, scenario);
            // Evidence of an earlier run in the same folder would pass for this one's.
            let _ = std::fs::remove_dir_all(world.env.report_dir.join(&world.key));
            async {}.boxed_local()
        })
        .after(|_feature, _rule, _scenario, finished, world| {
            let failed = !matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
            async move {
                if let Some(w) = world {
                    w.teardown(failed).await;
                }
            }
            .boxed_local()
        })
        .filter_run(features, move |f, _, s| chosen.contains(&ids.get(f, s)))
        .await;
    tokio::join!(env.browsers.close_all(), env.stopping.wait());
    let errors = collector.parse_errors();
    if !errors.is_empty() {
        return Err(usage(errors.join("\n")));
    }
    Ok(collector.records())
}

/// Starts the app once against a lenient tenant, to tell a broken command (an
/// environment error) from an app that breaks against a strict IdP (a failed check).
async fn preflight(
    scenario: &ScenarioFile,
    idp: &IdpClient,
    report_dir: &std::path::Path,
) -> Result<(), Stop> {
    let AppMode::Managed { command, .. } = &scenario.app else {
        return Ok(());
    };
    let port = crate::app::free_port().map_err(|e| environment(e.to_string()))?;
    let mut vars = Placeholders::default();
    vars.set_port(port);
    vars.set("idp_url", idp.base());
    let fill_all = |list: &[String], vars: &Placeholders| -> Result<Vec<String>, Stop> {
        list.iter()
            .map(|u| vars.fill(u).map_err(|e| usage(e.to_string())))
            .collect()
    };
    let spec = TenantSpec {
        name: None,
        profile: Some(Profile::Lenient),
        clients: vec![ClientSpec {
            token_endpoint_auth_method: scenario.client.token_endpoint_auth_method,
            redirect_uris: fill_all(&scenario.client.redirect_uris, &vars)?,
            ..Default::default()
        }],
        ..Default::default()
    };
    let tenant = idp
        .create_tenant(&spec)
        .await
        .map_err(|e| environment(format!("{e:#}")))?;
    vars.set_tenant(&tenant);
    let log = report_dir.join("preflight-app.log");
    let _ = std::fs::remove_file(&log);
    let started = ManagedApp::start(command, &vars, &log, scenario.ready_timeout()).await;
    let _ = idp.delete_tenant(&tenant.name).await;
    match started {
        Ok(app) => {
            app.stop().await;
            Ok(())
        }
        Err(e) => Err(environment(format!(
            "the app did not start even against a lenient IdP, so no check can run: {e}\nFix the [app] command in {} (log: {})",
            scenario.path.display(),
            log.display()
        ))),
    }
}

/// Runs the build steps of the app, the CLI and the API once each, in that order (one
/// command given for several runs once).
async fn build_targets(scenario: &ScenarioFile, report_dir: &std::path::Path) -> Result<(), Stop> {
    let app = match &scenario.app {
        AppMode::Managed { build, .. } => build.as_ref(),
        _ => None,
    };
    let cli = scenario.cli.as_ref().and_then(|c| c.build.as_ref());
    let api = scenario.api.as_ref().and_then(|a| a.build.as_ref());
    let mut done: Vec<&Vec<String>> = Vec::new();
    for (what, build) in [("app", app), ("CLI", cli), ("API", api)] {
        let Some(build) = build else { continue };
        if done.contains(&build) {
            continue;
        }
        let started = Instant::now();
        let name = match what {
            "app" => scenario.name.clone(),
            other => format!("the {other} of {}", scenario.name),
        };
        eprintln!(
            "building {name}: {} (in {})",
            build.join(" "),
            scenario.workdir.display()
        );
        run_build(build, &scenario.workdir, &report_dir.join("build.log"))
            .await
            .map_err(|e| environment(format!("the {what}'s build step failed: {e}")))?;
        eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
        done.push(build);
    }
    Ok(())
}

/// Starts the scenario's API once against a lenient tenant, as [`preflight`] does for the
/// app: a broken `[api]` command is an environment error, not a row of API checks that
/// were never exercised.
async fn api_preflight(
    scenario: &ScenarioFile,
    idp: &IdpClient,
    report_dir: &std::path::Path,
) -> Result<(), Stop> {
    let Some(api) = &scenario.api else {
        return Ok(());
    };
    let command = match &api.run {
        scenario::ApiRun::Managed(command) => command,
        scenario::ApiRun::Running { url, tenant } => {
            let t = crate::running_api::prepare(
                idp,
                api,
                scenario.cli.as_ref(),
                &scenario.name,
                scenario.profile,
                url,
                tenant,
            )
            .await
            .map_err(|e| environment(format!("{e:#}")))?;
            eprintln!(
                "the API already runs at {url}; its checks share tenant `{}` (issuer {}) and run one after another",
                t.name, t.issuer
            );
            return Ok(());
        }
    };
    let spec = TenantSpec {
        name: None,
        profile: Some(Profile::Lenient),
        clients: vec![ClientSpec {
            client_id: Some(api.audience.clone()),
            redirect_uris: vec![crate::world::UNUSED_REDIRECT_URI.into()],
            ..Default::default()
        }],
        ..Default::default()
    };
    let tenant = idp
        .create_tenant(&spec)
        .await
        .map_err(|e| environment(format!("{e:#}")))?;
    let port = crate::app::free_port().map_err(|e| environment(e.to_string()))?;
    let mut vars = Placeholders::with_known(&scenario::API_PLACEHOLDERS);
    vars.set("idp_url", idp.base());
    vars.set_tenant(&tenant);
    vars.set("audience", &api.audience);
    if let Some(c) = tenant.clients.first() {
        vars.set("api_client_secret", &c.client_secret);
    }
    vars.set("api_port", &port.to_string());
    vars.set("api_url", &format!("http://127.0.0.1:{port}"));
    let log = report_dir.join("preflight-api.log");
    let _ = std::fs::remove_file(&log);
    let started = ManagedApp::start(command, &vars, &log, api.ready_timeout).await;
    let _ = idp.delete_tenant(&tenant.name).await;
    match started {
        Ok(app) => {
            app.stop().await;
            Ok(())
        }
        Err(e) => Err(environment(format!(
            "the API did not start even against a lenient IdP, so no API check can run: {e}\nFix the [api] command in {} (log: {})",
            scenario.path.display(),
            log.display()
        ))),
    }
}

/// The fixed tenant an already running app is configured for: reused or created.
async fn running_tenant(
    scenario: &ScenarioFile,
    idp: &IdpClient,
    url: &str,
) -> Result<TenantInfo, Stop> {
    let Some(fixed) = &scenario.idp else {
        return Err(usage(format!(
            "{}: an already running app needs an [idp] section (tenant, client_id, client_secret)",
            scenario.path.display()
        )));
    };
    if let Some(t) = idp
        .tenant(&fixed.tenant)
        .await
        .map_err(|e| environment(format!("{e:#}")))?
    {
        return Ok(t);
    }
    let mut vars = Placeholders::default();
    vars.set("app_url", url);
    vars.set("idp_url", idp.base());
    let redirect_uris = scenario
        .client
        .redirect_uris
        .iter()
        .map(|u| vars.fill(u).map_err(|e| usage(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let spec = TenantSpec {
        name: Some(fixed.tenant.clone()),
        profile: Some(scenario.profile),
        clients: vec![ClientSpec {
            client_id: Some(fixed.client_id.clone()),
            client_secret: Some(fixed.client_secret.clone()),
            token_endpoint_auth_method: scenario.client.token_endpoint_auth_method,
            redirect_uris,
            groups: crate::world::DEFAULT_APP_GROUPS
                .iter()
                .map(|g| g.to_string())
                .collect(),
            ..Default::default()
        }],
        ..Default::default()
    };
    idp.create_tenant(&spec)
        .await
        .map_err(|e| environment(format!("{e:#}")))
}
