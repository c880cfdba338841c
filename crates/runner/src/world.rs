//! The cucumber World: one check's state, from its Given steps (profile, quirks, users,
//! registration) through the app and browser it starts, to the evidence it leaves.

use crate::app::ManagedApp;
use crate::browser::BrowserSession;
use crate::browser_pool::origin_of;
use crate::env::{AppTarget, RunEnv, current_env};
use crate::evidence::{Evidence, Observation};
use crate::isolation::Strictness;
use crate::scenario::{ApiRun, Placeholders};
use crate::verdict::Warning;
use anyhow::{Context, Result, anyhow};
use serde_json::{Map, Value};
use std::sync::Arc;
use stickler_idp::{
    ClientSpec, JournalEntry, Profile, TenantInfo, TenantSpec, TokenAuthMethod, UserSpec,
};

/// The groups assigned to the app unless a check says otherwise.
pub const DEFAULT_APP_GROUPS: [&str; 2] = ["Engineering", "Admins"];

/// The redirect URI registered for the API's client (a web client at the IdP, as the
/// admin registers a resource server), which never signs anyone in.
pub const UNUSED_REDIRECT_URI: &str = "http://127.0.0.1/unused";

/// The clients of a CLI or API check's tenant: the CLI's public client (device grant,
/// method `none`) when the scenario has a CLI, and the API's confidential client, whose id
/// is the API's audience, when it has an API.
pub fn target_clients(
    api: Option<&crate::scenario::ApiTarget>,
    cli: Option<&crate::scenario::CliTarget>,
    groups: &[String],
    name: &str,
) -> Vec<ClientSpec> {
    let mut out = Vec::new();
    if let Some(c) = cli {
        out.push(ClientSpec {
            client_id: Some(c.client_id.clone()),
            token_endpoint_auth_method: Some(TokenAuthMethod::None),
            grant_types: Some(vec![
                crate::verdict::DEVICE_GRANT.to_string(),
                "refresh_token".into(),
            ]),
            groups: groups.to_vec(),
            name: Some(format!("{name} (CLI)")),
            ..Default::default()
        });
    }
    if let Some(a) = api {
        out.push(ClientSpec {
            client_id: Some(a.audience.clone()),
            groups: groups.to_vec(),
            redirect_uris: vec![UNUSED_REDIRECT_URI.into()],
            name: Some(format!("{name} (API)")),
            ..Default::default()
        });
    }
    out
}

/// One check's state.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct CheckWorld {
    /// What the whole run shares.
    pub env: Arc<RunEnv>,
    /// The check's id (`area.file.n`), also its report folder's name.
    pub key: String,
    /// The profile of the tenant.
    pub profile: Profile,
    /// Quirk overrides, in the admin API's JSON form.
    pub quirks: Map<String, Value>,
    /// How the client is registered at the token endpoint (default: the profile's).
    pub auth_method: Option<TokenAuthMethod>,
    /// Users of the tenant.
    pub users: Vec<UserSpec>,
    /// Groups assigned to the app.
    pub app_groups: Vec<String>,
    /// The tenant, once created.
    pub tenant: Option<TenantInfo>,
    /// Values the scenario file's placeholders take.
    pub vars: Placeholders,
    /// The app under test, when managed.
    pub app: Option<ManagedApp>,
    /// The browser session.
    pub browser: Option<BrowserSession>,
    /// What the last browser journey ended on.
    pub seen: Option<Observation>,
    /// Facts worth reporting even when the check passes.
    pub notes: Vec<String>,
    /// Journal entries already shown to earlier steps.
    pub journal_since: u64,
    /// Which of the profile's flow-stopping quirks apply (one check, one cause).
    pub strictness: Strictness,
    /// Findings to report without failing the check.
    pub warnings: Vec<Warning>,
    /// Evidence that the app crashed.
    pub crash: Option<String>,
    /// Why the check does not apply to this app.
    pub not_applicable: Option<String>,
    /// A journey delivered its forged or replayed callback to the app.
    pub callback_delivered: bool,
    /// The CLI under test, while it runs.
    pub cli_run: Option<crate::targets::CliRun>,
    /// What the CLI's last run ended on.
    pub cli_seen: Option<crate::evidence::CliObservation>,
    /// The API under test, while it runs.
    pub api_app: Option<ManagedApp>,
    /// The API's base URL (`{api_url}`).
    pub api_url: Option<String>,
    /// What the API answered.
    pub api_seen: Vec<crate::evidence::ApiObservation>,
    /// The tenant was made for this check's CLI or API and goes with it.
    pub own_tenant: bool,
    /// The tenant is the fixed one an already running API trusts (`[api] url`): it stays.
    pub shared_tenant: bool,
    /// Why a step left the check's subject out on purpose.
    pub not_exercised: Option<String>,
    /// A mistake in the scenario file a step found (e.g. a `signed_in` selector that
    /// never matched while the page showed the user): the run exits 2.
    pub scenario_mistake: Option<String>,
}

fn user(name: &str, groups: &[&str]) -> UserSpec {
    UserSpec {
        username: name.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        ..Default::default()
    }
}

impl CheckWorld {
    async fn new() -> Result<Self> {
        let env = current_env().ok_or_else(|| anyhow!("no run environment is set"))?;
        Ok(CheckWorld {
            profile: env.scenario.profile,
            env,
            key: String::new(),
            quirks: Map::new(),
            auth_method: None,
            users: vec![
                user("alice", &["Engineering"]),
                user("carol", &["Engineering", "Admins"]),
                user("bob", &["Sales"]),
            ],
            app_groups: DEFAULT_APP_GROUPS.iter().map(|g| g.to_string()).collect(),
            tenant: None,
            vars: Placeholders::default(),
            app: None,
            browser: None,
            seen: None,
            notes: Vec::new(),
            journal_since: 0,
            strictness: Strictness::default(),
            warnings: Vec::new(),
            crash: None,
            not_applicable: None,
            callback_delivered: false,
            cli_run: None,
            cli_seen: None,
            api_app: None,
            api_url: None,
            api_seen: Vec::new(),
            own_tenant: false,
            shared_tenant: false,
            not_exercised: None,
            scenario_mistake: None,
        })
    }

    /// The tenant, or an error saying no step has started the app yet.
    pub fn tenant(&self) -> Result<&TenantInfo> {
        self.tenant
            .as_ref()
            .ok_or_else(|| anyhow!("no sign-in happened yet in this check"))
    }

    /// The user spec of a login name.
    pub fn user(&self, name: &str) -> Result<&UserSpec> {
        self.users
            .iter()
            .find(|u| u.username == name)
            .ok_or_else(|| anyhow!("no user `{name}` in this check (known: alice, carol, bob, and those the check adds)"))
    }

    /// Creates the tenant, starts the app and opens the browser, once per check.
    pub async fn ensure_started(&mut self) -> Result<()> {
        if self.tenant.is_some() {
            return Ok(());
        }
        let env = self.env.clone();
        let quirks = self.layered_quirks()?;
        let mut vars = Placeholders::default();
        vars.set("idp_url", env.idp.base());
        let tenant = match &env.target {
            AppTarget::Managed { .. } => {
                let port = crate::app::free_port()?;
                vars.set_port(port);
                let reg = &env.scenario.client;
                let client = ClientSpec {
                    token_endpoint_auth_method: self.auth_method.or(reg.token_endpoint_auth_method),
                    redirect_uris: reg
                        .redirect_uris
                        .iter()
                        .map(|u| vars.fill(u))
                        .collect::<Result<_, _>>()?,
                    post_logout_redirect_uris: reg
                        .post_logout_redirect_uris
                        .iter()
                        .map(|u| vars.fill(u))
                        .collect::<Result<_, _>>()?,
                    groups: self.app_groups.clone(),
                    name: Some(env.scenario.name.clone()),
                    ..Default::default()
                };
                let spec = TenantSpec {
                    name: None,
                    profile: Some(self.profile),
                    quirks,
                    clients: vec![client],
                    users: self.users.clone(),
                };
                env.idp.create_tenant(&spec).await?
            }
            AppTarget::Absent => {
                return Err(anyhow!(
                    "this check needs a web app, and the scenario file has no [app] table"
                ));
            }
            AppTarget::Running { url, tenant } => {
                vars.set("app_url", url);
                let mut full = stickler_idp::Quirks::for_profile(self.profile);
                full.apply(&quirks);
                env.idp
                    .patch_quirks(&tenant.name, &serde_json::to_value(full)?)
                    .await?;
                for u in &self.users {
                    // Users from an earlier check stay; adding them again is refused, harmlessly.
                    let _ = env.idp.add_user(&tenant.name, u).await;
                }
                if let Some(c) = tenant.clients.first() {
                    env.idp
                        .assign_groups(&tenant.name, &c.client_id, &self.app_groups)
                        .await?;
                }
                env.idp
                    .tenant(&tenant.name)
                    .await?
                    .ok_or_else(|| anyhow!("tenant `{}` vanished from the IdP", tenant.name))?
            }
        };
        if tenant.clients.is_empty() {
            return Err(anyhow!("tenant `{}` has no client", tenant.name));
        }
        vars.set_tenant(&tenant);
        self.journal_since = env
            .idp
            .journal(&tenant.name, 0)
            .await?
            .last()
            .map_or(0, |e| e.seq);
        self.tenant = Some(tenant);
        self.vars = vars;
        let t0 = std::time::Instant::now();
        if let AppTarget::Managed { command, .. } = &env.target {
            let log = env.report_dir.join(&self.key).join("app.log");
            if let Some(parent) = log.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let app = ManagedApp::start(command, &self.vars, &log, env.scenario.ready_timeout())
                .await
                .map_err(|e| anyhow!("the app did not start against this IdP tenant: {e}"))?;
            self.app = Some(app);
        }
        tracing::debug!(check = %self.key, ms = t0.elapsed().as_millis() as u64, "app ready");
        let t1 = std::time::Instant::now();
        let browser = env
            .browsers
            .take()
            .await
            .map_err(|e| anyhow!("could not open a browser session: {e}"))?;
        tracing::debug!(check = %self.key, ms = t1.elapsed().as_millis() as u64, "browser open");
        self.browser = Some(browser);
        Ok(())
    }

    /// The tenant's quirks: the profile's flow-stopping ones as the check needs, the
    /// scenario file's, then the check's own.
    fn layered_quirks(&self) -> Result<stickler_idp::QuirkOverrides> {
        let layered = self
            .strictness
            .overrides(&self.env.scenario.quirks, &self.quirks);
        serde_json::from_value(Value::Object(layered))
            .context("a quirk step set an unknown quirk or a bad value")
    }

    /// Creates a fresh tenant for the check's CLI or API: the CLI's public client (when
    /// the scenario has a CLI) and the API's confidential client, whose id is the API's
    /// audience (when it has an API); then starts the API when `target` is the API.
    pub async fn ensure_target(&mut self, target: crate::check::Target) -> Result<()> {
        use crate::check::Target;
        if self.tenant.is_some() {
            return Ok(());
        }
        let env = self.env.clone();
        let (cli, api) = (env.scenario.cli.as_ref(), env.scenario.api.as_ref());
        match target {
            Target::Cli if cli.is_none() => {
                return Err(anyhow!(
                    "this check needs a CLI, and the scenario file has no [cli] table"
                ));
            }
            Target::Api if api.is_none() => {
                return Err(anyhow!(
                    "this check needs an API, and the scenario file has no [api] table"
                ));
            }
            _ => {}
        }
        let clients = target_clients(api, cli, &self.app_groups, &env.scenario.name);
        // An API that takes access tokens gets JWT ones (RFC 9068), unless a check or the
        // scenario file says otherwise.
        if api.is_some_and(|a| a.token == crate::scenario::ApiToken::AccessToken)
            && !env.scenario.quirks.contains_key("access_token_format")
        {
            self.quirks
                .entry("access_token_format")
                .or_insert(Value::String("jwt".into()));
        }
        let running = match (target, api.map(|a| &a.run)) {
            (Target::Api, Some(ApiRun::Running { url, tenant })) => Some((url, tenant)),
            _ => None,
        };
        let tenant = match (running, api) {
            (Some((_, name)), Some(a)) => {
                self.shared_tenant = true;
                crate::running_api::for_check(
                    &env.idp,
                    name,
                    self.profile,
                    &self.layered_quirks()?,
                    &self.users,
                    &a.audience,
                    &self.app_groups,
                )
                .await?
            }
            _ => {
                let spec = TenantSpec {
                    name: None,
                    profile: Some(self.profile),
                    quirks: self.layered_quirks()?,
                    clients,
                    users: self.users.clone(),
                };
                self.own_tenant = true;
                env.idp.create_tenant(&spec).await?
            }
        };
        let known: &'static [&'static str] = match target {
            Target::Api => &crate::scenario::API_PLACEHOLDERS,
            _ => &crate::scenario::CLI_PLACEHOLDERS,
        };
        let mut vars = Placeholders::with_known(known);
        vars.set("idp_url", env.idp.base());
        vars.set_tenant(&tenant);
        if let Some(c) = cli {
            vars.set("cli_client_id", &c.client_id);
        }
        if let Some(a) = api {
            vars.set("audience", &a.audience);
            if let Some(client) = tenant.clients.iter().find(|c| c.client_id == a.audience) {
                vars.set("api_client_secret", &client.client_secret);
            }
        }
        self.journal_since = env
            .idp
            .journal(&tenant.name, 0)
            .await?
            .last()
            .map_or(0, |e| e.seq);
        self.tenant = Some(tenant);
        if let Some((url, _)) = running {
            vars.set("api_url", url);
            self.api_url = Some(url.clone());
        } else if let (Target::Api, Some(a), Some(ApiRun::Managed(command))) =
            (target, api, api.map(|a| &a.run))
        {
            let port = crate::app::free_port()?;
            let url = format!("http://127.0.0.1:{port}");
            vars.set("api_port", &port.to_string());
            vars.set("api_url", &url);
            let log = env.report_dir.join(&self.key).join("api.log");
            if let Some(parent) = log.parent() {
                std::fs::create_dir_all(parent)?;
            }
            self.vars = vars.clone();
            let app = ManagedApp::start(command, &vars, &log, a.ready_timeout)
                .await
                .map_err(|e| anyhow!("the API did not start against this IdP tenant: {e}"))?;
            self.api_app = Some(app);
            self.api_url = Some(url);
        }
        self.vars = vars;
        Ok(())
    }

    /// Opens the browser session, once per check.
    pub async fn ensure_browser(&mut self) -> Result<()> {
        if self.browser.is_some() {
            return Ok(());
        }
        let env = self.env.clone();
        let browser = env
            .browsers
            .take()
            .await
            .map_err(|e| anyhow!("could not open a browser session: {e}"))?;
        self.browser = Some(browser);
        Ok(())
    }

    /// The browser, once started.
    pub fn browser(&self) -> Result<&BrowserSession> {
        self.browser
            .as_ref()
            .ok_or_else(|| anyhow!("no browser session is open in this check"))
    }

    /// Journal entries recorded since the check started.
    pub async fn journal(&self) -> Result<Vec<JournalEntry>> {
        let tenant = self.tenant()?;
        self.env.idp.journal(&tenant.name, self.journal_since).await
    }

    /// Notes crash evidence when the app's process has exited; true when it has.
    pub fn app_exited(&mut self) -> bool {
        let Some(why) = self.app.as_mut().and_then(ManagedApp::exited) else {
            return false;
        };
        self.crash.get_or_insert(why);
        true
    }

    /// Notes crash evidence when the API's process has exited.
    pub fn api_app_exited(&mut self) {
        if let Some(why) = self.api_app.as_mut().and_then(ManagedApp::exited) {
            self.crash.get_or_insert(format!("the API {why}"));
        }
    }

    /// Ends everything the check started and hands its evidence to the reporters (and
    /// writes it to the report folder); never fails.
    pub async fn teardown(&mut self, failed: bool) {
        self.app_exited();
        let mut evidence = Evidence {
            observation: self.seen.clone(),
            notes: self.notes.clone(),
            warnings: self.warnings.clone(),
            crash: self.crash.clone(),
            not_applicable: self.not_applicable.clone(),
            not_exercised: self.not_exercised.clone(),
            callback_delivered: self.callback_delivered,
            cli: self.cli_seen.clone(),
            api: self.api_seen.clone(),
            scenario_mistake: self.scenario_mistake.clone(),
            ..Default::default()
        };
        if let Some(run) = self.cli_run.take() {
            if evidence.cli.is_none() {
                evidence.cli = Some(run.observe(&self.vars));
            }
            run.stop().await;
        }
        if let Some(api) = self.api_app.as_mut().and_then(ManagedApp::exited) {
            evidence.crash.get_or_insert(format!("the API {api}"));
        }
        if let Some(api) = self.api_app.take() {
            evidence.app_log = Some(self.env.report_dir.join(&self.key).join("api.log"));
            self.env.stopping.stop(api);
        }
        if let Ok(j) = self.journal().await {
            evidence.journal = j;
        }
        let dir = self.env.report_dir.join(&self.key);
        if let Some(b) = self.browser.take() {
            if failed {
                let _ = std::fs::create_dir_all(&dir);
                let shot = dir.join("screenshot.png");
                if b.screenshot(&shot).await.is_ok() {
                    evidence.screenshot = Some(shot);
                }
                if let Ok(text) = b.page_text().await.map(|t| self.vars.masked(&t)) {
                    let page = dir.join("page.txt");
                    if std::fs::write(&page, text).is_ok() {
                        evidence.page_text_file = Some(page);
                    }
                }
            }
            let t = std::time::Instant::now();
            let here = b.current_url().await.ok().map(String::from);
            let mut origins: Vec<String> = [self.vars.get("app_url"), Some(self.env.idp.base())]
                .into_iter()
                .flatten()
                .chain(here.as_deref())
                .filter_map(origin_of)
                .collect();
            origins.sort();
            origins.dedup();
            self.env.browsers.give_back(b, &origins).await;
            tracing::debug!(check = %self.key, ms = t.elapsed().as_millis() as u64, "browser given back");
        }
        if let Some(app) = self.app.take() {
            evidence.app_log = Some(dir.join("app.log"));
            self.env.stopping.stop(app);
        }
        if let Some(t) = &self.tenant
            && !self.shared_tenant
            && (self.own_tenant || matches!(self.env.target, AppTarget::Managed { .. }))
        {
            let _ = self.env.idp.delete_tenant(&t.name).await;
        }
        evidence.save(&dir);
        self.env
            .evidence
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(self.key.clone(), evidence);
    }
}
