//! The scenario file's non-browser targets: `[cli]`, a CLI that logs in with the device
//! authorization grant (RFC 8628), and `[api]`, an API that takes bearer tokens
//! (RFC 6750). Parsed beside `[app]`; every error names the file, the line and the key.

use super::{AppCommand, ScenarioError, Validator};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// The placeholders a `[cli]` command and environment may use.
pub const CLI_PLACEHOLDERS: [&str; 6] = [
    "issuer",
    "discovery_url",
    "cli_client_id",
    "groups_claim",
    "idp_url",
    "api_url",
];

/// The placeholders an `[api]` command, environment and readiness URL may use.
pub const API_PLACEHOLDERS: [&str; 8] = [
    "issuer",
    "discovery_url",
    "audience",
    "api_client_secret",
    "groups_claim",
    "idp_url",
    "api_port",
    "api_url",
];

/// The default of `[cli] client_id`: jitsudo's CLI client.
const DEFAULT_CLI_CLIENT_ID: &str = "stickler-cli";
/// The default of `[cli] timeout_secs`.
const DEFAULT_CLI_TIMEOUT_SECS: u64 = 60;
/// The default of `[cli] no_device_flow_output`.
const DEFAULT_NO_DEVICE_OUTPUT: &str = "(?i)device";
/// The largest timeout accepted.
const MAX_TIMEOUT_SECS: u64 = 3600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCli {
    #[serde(default)]
    build: Option<Spanned<Vec<String>>>,
    command: Spanned<Vec<String>>,
    #[serde(default)]
    env: Option<Spanned<BTreeMap<String, String>>>,
    #[serde(default)]
    client_id: Option<Spanned<String>>,
    verification_url: Spanned<String>,
    user_code: Spanned<String>,
    #[serde(default)]
    success_exit: Option<Spanned<i64>>,
    #[serde(default)]
    success_output: Option<Spanned<String>>,
    #[serde(default)]
    refusal_output: Option<Spanned<String>>,
    #[serde(default)]
    no_device_flow_output: Option<Spanned<String>>,
    #[serde(default)]
    timeout_secs: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApi {
    #[serde(default)]
    build: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    command: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    env: Option<Spanned<BTreeMap<String, String>>>,
    #[serde(default)]
    ready_url: Option<Spanned<String>>,
    #[serde(default)]
    ready_timeout_secs: Option<Spanned<u64>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    tenant: Option<Spanned<String>>,
    audience: Spanned<String>,
    #[serde(default)]
    method: Option<Spanned<String>>,
    path: Spanned<String>,
    #[serde(default)]
    accept_status: Option<Spanned<Vec<u16>>>,
    #[serde(default)]
    reject_status: Option<Spanned<Vec<u16>>>,
    #[serde(default)]
    token: Option<Spanned<String>>,
}

/// A CLI that logs in with the device authorization grant (`[cli]`).
#[derive(Debug, Clone)]
pub struct CliTarget {
    /// Run once before the checks (never empty when set).
    pub build: Option<Vec<String>>,
    /// Program, arguments, environment (placeholders unfilled) and workdir. Its
    /// `ready_url` is unused (empty).
    pub command: AppCommand,
    /// The client id the CLI is built with (a public client at the IdP).
    pub client_id: String,
    /// Finds the verification URL in its output (first capture group, else the match).
    pub verification_url: regex::Regex,
    /// Finds the user code in its output.
    pub user_code: regex::Regex,
    /// The exit code of a successful login.
    pub success_exit: i32,
    /// What its output shows after a successful login, when given.
    pub success_output: Option<regex::Regex>,
    /// What its output shows when the login is refused or expires, when given.
    pub refusal_output: Option<regex::Regex>,
    /// What its output says when the IdP has no device authorization endpoint.
    pub no_device_flow_output: regex::Regex,
    /// How long one run of it may take.
    pub timeout: Duration,
}

/// An API that takes bearer tokens (`[api]`).
#[derive(Debug, Clone)]
pub struct ApiTarget {
    /// Run once before the checks (never empty when set).
    pub build: Option<Vec<String>>,
    /// How it runs: started per check, or already running.
    pub run: ApiRun,
    /// How long it may take to answer `ready_url`.
    pub ready_timeout: Duration,
    /// Its own audience: the `aud` a token for it carries (a confidential client of
    /// that id is registered for it).
    pub audience: String,
    /// The request that needs a valid token.
    pub method: reqwest::Method,
    /// Its path, below `{api_url}`.
    pub path: String,
    /// Statuses that mean "accepted" (empty: any 2xx).
    pub accept_status: Vec<u16>,
    /// Statuses that mean "refused".
    pub reject_status: Vec<u16>,
    /// Which token the API takes: `id_token` (jitsudo's server takes the CLI's ID token)
    /// or `access_token` (a JWT access token, RFC 9068; its tenants then issue them).
    pub token: ApiToken,
}

/// How the API under test runs.
#[derive(Debug, Clone)]
pub enum ApiRun {
    /// `command`: the runner starts a fresh one per check, against the check's tenant.
    Managed(AppCommand),
    /// `url`: it already runs, configured once for the fixed tenant `tenant` (issuer
    /// `{idp_url}/t/<tenant>/`); checks share that tenant and run one after another.
    Running {
        /// Its base URL.
        url: String,
        /// The IdP tenant it trusts.
        tenant: String,
    },
}

/// The kind of token an API takes as bearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiToken {
    /// An ID token.
    IdToken,
    /// A JWT access token (RFC 9068).
    AccessToken,
}

impl ApiToken {
    /// Its name in scenario files and in the admin API's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiToken::IdToken => "id_token",
            ApiToken::AccessToken => "access_token",
        }
    }
}

impl Validator<'_> {
    fn build(
        &self,
        table: &str,
        b: Option<Spanned<Vec<String>>>,
    ) -> Result<Option<Vec<String>>, ScenarioError> {
        match b {
            Some(b) if b.get_ref().first().is_none_or(|p| p.trim().is_empty()) => self.err(
                b.span(),
                format!("key `build` in [{table}]: name a program, then its arguments (or remove `build`)"),
            ),
            Some(b) => Ok(Some(b.into_inner())),
            None => Ok(None),
        }
    }

    fn regex(
        &self,
        key: &str,
        table: &str,
        v: &Spanned<String>,
    ) -> Result<regex::Regex, ScenarioError> {
        regex::Regex::new(v.get_ref()).or_else(|e| {
            self.err(
                v.span(),
                format!("key `{key}` in [{table}]: not a regular expression: {e}"),
            )
        })
    }

    fn command(
        &self,
        table: &str,
        command: Spanned<Vec<String>>,
        env: Option<Spanned<BTreeMap<String, String>>>,
        known: &'static [&'static str],
        workdir: &Path,
    ) -> Result<AppCommand, ScenarioError> {
        let span = command.span();
        let argv = command.into_inner();
        if argv.first().is_none_or(|p| p.trim().is_empty()) {
            return self.err(
                span,
                format!("key `command` in [{table}]: name a program, then its arguments"),
            );
        }
        for a in &argv {
            self.template_in("command", table, span.clone(), a, known)?;
        }
        let env = match env {
            Some(env) => {
                for v in env.get_ref().values() {
                    self.template_in("env", table, env.span(), v, known)?;
                }
                env.into_inner()
            }
            None => BTreeMap::new(),
        };
        Ok(AppCommand {
            argv,
            env,
            ready_url: String::new(),
            workdir: workdir.to_path_buf(),
        })
    }

    fn template_in(
        &self,
        key: &str,
        table: &str,
        span: std::ops::Range<usize>,
        value: &str,
        known: &'static [&'static str],
    ) -> Result<(), ScenarioError> {
        match super::Placeholders::probe(known).fill(value) {
            Ok(_) => Ok(()),
            Err(e) => self.err(span, format!("key `{key}` in [{table}]: {e}")),
        }
    }

    fn timeout(
        &self,
        table: &str,
        key: &str,
        t: Option<&Spanned<u64>>,
        default: u64,
    ) -> Result<Duration, ScenarioError> {
        match t {
            Some(t) if !(1..=MAX_TIMEOUT_SECS).contains(t.get_ref()) => self.err(
                t.span(),
                format!(
                    "key `{key}` in [{table}]: {} is out of range (1 to {MAX_TIMEOUT_SECS})",
                    t.get_ref()
                ),
            ),
            Some(t) => Ok(Duration::from_secs(*t.get_ref())),
            None => Ok(Duration::from_secs(default)),
        }
    }

    pub(super) fn cli(&self, raw: RawCli, workdir: &Path) -> Result<CliTarget, ScenarioError> {
        let build = self.build("cli", raw.build)?;
        let command = self.command("cli", raw.command, raw.env, &CLI_PLACEHOLDERS, workdir)?;
        let client_id = match raw.client_id {
            Some(c) if c.get_ref().trim().is_empty() => {
                return self.err(c.span(), "key `client_id` in [cli] is empty".into());
            }
            Some(c) => c.into_inner(),
            None => DEFAULT_CLI_CLIENT_ID.into(),
        };
        let success_exit = match raw.success_exit {
            Some(c) => i32::try_from(*c.get_ref()).or_else(|_| {
                self.err(
                    c.span(),
                    format!(
                        "key `success_exit` in [cli]: {} is not an exit code",
                        c.get_ref()
                    ),
                )
            })?,
            None => 0,
        };
        let opt = |key: &str, v: &Option<Spanned<String>>| {
            v.as_ref().map(|v| self.regex(key, "cli", v)).transpose()
        };
        Ok(CliTarget {
            build,
            command,
            client_id,
            verification_url: self.regex("verification_url", "cli", &raw.verification_url)?,
            user_code: self.regex("user_code", "cli", &raw.user_code)?,
            success_exit,
            success_output: opt("success_output", &raw.success_output)?,
            refusal_output: opt("refusal_output", &raw.refusal_output)?,
            no_device_flow_output: match &raw.no_device_flow_output {
                Some(v) => self.regex("no_device_flow_output", "cli", v)?,
                None => regex::Regex::new(DEFAULT_NO_DEVICE_OUTPUT).expect("a valid regex"),
            },
            timeout: self.timeout(
                "cli",
                "timeout_secs",
                raw.timeout_secs.as_ref(),
                DEFAULT_CLI_TIMEOUT_SECS,
            )?,
        })
    }

    /// `[api] url` and `tenant`: an API that already runs, configured for one tenant.
    fn running_api(
        &self,
        url: Spanned<String>,
        tenant: Option<Spanned<String>>,
        managed_only: [(&str, Option<std::ops::Range<usize>>); 4],
    ) -> Result<ApiRun, ScenarioError> {
        let parsed = url::Url::parse(url.get_ref());
        if !parsed.is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            return self.err(
                url.span(),
                format!(
                    "key `url` in [api]: `{}` is not an absolute http(s) URL",
                    url.get_ref()
                ),
            );
        }
        for (key, span) in managed_only {
            if let Some(span) = span {
                return self.err(
                    span,
                    format!(
                        "key `{key}` in [api] is only for an API Stickler starts (`command`), not with `url`"
                    ),
                );
            }
        }
        let tenant = match tenant {
            Some(t) if t.get_ref().trim().is_empty() => {
                return self.err(t.span(), "key `tenant` in [api] is empty".into());
            }
            Some(t) => t.into_inner(),
            None => {
                return self.err(
                    url.span(),
                    "an API that already runs (`url`) needs `tenant` in [api]: the IdP tenant it is configured for (its issuer is `<idp>/t/<tenant>/`, so run `stickler idp` at a fixed address and pass `--idp`)".into(),
                );
            }
        };
        Ok(ApiRun::Running {
            url: url.into_inner(),
            tenant,
        })
    }

    pub(super) fn api(&self, raw: RawApi, workdir: &Path) -> Result<ApiTarget, ScenarioError> {
        let build_span = raw.build.as_ref().map(Spanned::span);
        let build = self.build("api", raw.build)?;
        let run = match (raw.command, raw.url) {
            (Some(_), Some(url)) => {
                return self.err(
                    url.span(),
                    "[api] has both `command` and `url`: keep `command` for an API Stickler starts, or `url` for one that already runs".into(),
                );
            }
            (None, None) => {
                return self.err(
                    raw.audience.span(),
                    "[api] needs `command` (an API Stickler starts per check, with `ready_url`) or `url` (one that already runs, with `tenant`)".into(),
                );
            }
            (None, Some(url)) => self.running_api(
                url,
                raw.tenant,
                [
                    ("build", build_span),
                    ("env", raw.env.as_ref().map(Spanned::span)),
                    ("ready_url", raw.ready_url.as_ref().map(Spanned::span)),
                    (
                        "ready_timeout_secs",
                        raw.ready_timeout_secs.as_ref().map(Spanned::span),
                    ),
                ],
            )?,
            (Some(c), None) => {
                if let Some(t) = &raw.tenant {
                    return self.err(
                        t.span(),
                        "key `tenant` in [api] is only for an API that already runs (`url`); Stickler gives the API it starts a fresh tenant per check, so remove `tenant`".into(),
                    );
                }
                let span = c.span();
                let mut cmd = self.command("api", c, raw.env, &API_PLACEHOLDERS, workdir)?;
                let Some(ready) = raw.ready_url else {
                    return self.err(
                        span,
                        "[api] with `command` needs `ready_url`, a URL that answers 2xx/3xx once the API is up (e.g. \"{api_url}/healthz\")".into(),
                    );
                };
                self.template_in(
                    "ready_url",
                    "api",
                    ready.span(),
                    ready.get_ref(),
                    &API_PLACEHOLDERS,
                )?;
                cmd.ready_url = ready.into_inner();
                ApiRun::Managed(cmd)
            }
        };
        if raw.audience.get_ref().trim().is_empty() {
            return self.err(
                raw.audience.span(),
                "key `audience` in [api] is empty: give the audience the API expects in `aud` (e.g. \"jitsudo-server\")".into(),
            );
        }
        let method = match &raw.method {
            Some(m) => reqwest::Method::from_bytes(m.get_ref().to_ascii_uppercase().as_bytes())
                .or_else(|_| {
                    self.err(
                        m.span(),
                        format!(
                            "key `method` in [api]: `{}` is not an HTTP method",
                            m.get_ref()
                        ),
                    )
                })?,
            None => reqwest::Method::GET,
        };
        if !raw.path.get_ref().starts_with('/') {
            return self.err(
                raw.path.span(),
                format!(
                    "key `path` in [api]: `{}` must start with `/` (e.g. \"/api/whoami\")",
                    raw.path.get_ref()
                ),
            );
        }
        let statuses = |key: &str,
                        v: Option<Spanned<Vec<u16>>>,
                        default: &[u16]|
         -> Result<Vec<u16>, ScenarioError> {
            match v {
                Some(s)
                    if s.get_ref().is_empty()
                        || s.get_ref().iter().any(|c| !(100..=599).contains(c)) =>
                {
                    self.err(
                        s.span(),
                        format!(
                            "key `{key}` in [api]: give one or more HTTP status codes (100-599)"
                        ),
                    )
                }
                Some(s) => Ok(s.into_inner()),
                None => Ok(default.to_vec()),
            }
        };
        let token = match &raw.token {
            None => ApiToken::IdToken,
            Some(t) if t.get_ref() == "id_token" => ApiToken::IdToken,
            Some(t) if t.get_ref() == "access_token" => ApiToken::AccessToken,
            Some(t) => {
                return self.err(
                    t.span(),
                    format!(
                        "key `token` in [api]: `{}` is not `id_token` or `access_token`",
                        t.get_ref()
                    ),
                );
            }
        };
        let accept_status = statuses("accept_status", raw.accept_status, &[])?;
        let reject_status = statuses("reject_status", raw.reject_status, &[401, 403])?;
        Ok(ApiTarget {
            build,
            run,
            ready_timeout: self.timeout(
                "api",
                "ready_timeout_secs",
                raw.ready_timeout_secs.as_ref(),
                30,
            )?,
            audience: raw.audience.into_inner(),
            method,
            path: raw.path.into_inner(),
            accept_status,
            reject_status,
            token,
        })
    }
}

impl ApiTarget {
    /// Whether `status` means the API accepted the token.
    pub fn accepts(&self, status: u16) -> bool {
        if self.accept_status.is_empty() {
            (200..300).contains(&status)
        } else {
            self.accept_status.contains(&status)
        }
    }
}
