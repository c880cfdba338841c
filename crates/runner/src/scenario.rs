//! The scenario file (TOML): how to start and drive one app. Parsed once into a
//! validated [`ScenarioFile`]; every error names the file, the line and the key.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use stickler_idp::{Profile, TokenAuthMethod};
use toml::Spanned;

#[path = "scenario_targets.rs"]
mod targets;
pub use targets::{API_PLACEHOLDERS, ApiRun, ApiTarget, ApiToken, CLI_PLACEHOLDERS, CliTarget};

/// The placeholders the app's command, environment and URLs may use.
pub const KNOWN_PLACEHOLDERS: [&str; 9] = [
    "issuer",
    "discovery_url",
    "client_id",
    "client_secret",
    "token_endpoint_auth_method",
    "groups_claim",
    "port",
    "app_url",
    "idp_url",
];

/// The placeholders of the signed-in user, for `[login] signed_in_contains`.
pub const USER_PLACEHOLDERS: [&str; 3] = ["username", "email", "sub"];

/// The default of `[app] ready_timeout_secs`.
const DEFAULT_READY_TIMEOUT_SECS: u64 = 30;
/// The largest `ready_timeout_secs` accepted (an hour).
const MAX_READY_TIMEOUT_SECS: u64 = 3600;

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (1 when unknown).
    pub line: usize,
    /// What is wrong, naming the key, and what to do.
    pub message: String,
}

// ---------------------------------------------------------------------------------
// The file as written. Spans locate the line of each value for later errors.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: Spanned<String>,
    #[serde(default)]
    features: Option<Spanned<Vec<PathBuf>>>,
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    workdir: Option<Spanned<PathBuf>>,
    #[serde(default)]
    app: Option<Spanned<RawApp>>,
    #[serde(default)]
    idp: Option<Spanned<RawTenant>>,
    #[serde(default)]
    client: Option<Spanned<RawClient>>,
    #[serde(default)]
    login: Option<Spanned<RawLogin>>,
    #[serde(default)]
    quirks: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    #[serde(default)]
    cli: Option<targets::RawCli>,
    #[serde(default)]
    api: Option<targets::RawApi>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    tenant: Spanned<String>,
    client_id: Spanned<String>,
    client_secret: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    redirect_uris: Spanned<Vec<String>>,
    #[serde(default)]
    post_logout_redirect_uris: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    token_endpoint_auth_method: Option<TokenAuthMethod>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogin {
    start_url: Spanned<String>,
    #[serde(default)]
    click: Option<Spanned<String>>,
    signed_in: Spanned<String>,
    #[serde(default)]
    signed_in_contains: Option<Spanned<String>>,
    #[serde(default)]
    error: Option<Spanned<String>>,
    #[serde(default)]
    callback_path: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------------
// The validated file.

/// The fixed tenant an already running app is configured for (`[idp]`).
#[derive(Debug, Clone)]
pub struct FixedTenant {
    /// Tenant name; the runner creates it, or reuses it when it exists.
    pub tenant: String,
    /// Client id the app uses.
    pub client_id: String,
    /// Client secret the app uses.
    pub client_secret: String,
}

/// How the app registers at the IdP (`[client]`).
#[derive(Debug, Clone)]
pub struct ClientRegistration {
    /// Redirect URIs (placeholders unfilled).
    pub redirect_uris: Vec<String>,
    /// Post-logout redirect URIs (placeholders unfilled).
    pub post_logout_redirect_uris: Vec<String>,
    /// The one token endpoint auth method (default: the profile's).
    pub token_endpoint_auth_method: Option<TokenAuthMethod>,
}

/// How a person signs in (`[login]`).
#[derive(Debug, Clone)]
pub struct LoginSpec {
    /// The page to open (placeholders unfilled).
    pub start_url: String,
    /// CSS selector of what to click to start SSO.
    pub click: Option<String>,
    /// CSS selector of the element showing the signed-in user.
    pub signed_in: String,
    /// Text it must contain, with the user's placeholders (`{username}`, `{email}`,
    /// `{sub}`) unfilled; see [`Placeholders::for_user`].
    pub signed_in_contains: Option<String>,
    /// CSS selector of the element the app shows on a refused sign-in.
    pub error: Option<String>,
    /// The path of the app's callback (`/callback`), for the replay and tamper steps.
    #[allow(
        dead_code,
        reason = "API for the steps; the runner does not call it yet"
    )]
    pub callback_path: Option<String>,
    /// Every CSS selector of the table with its key and line, for `stickler run
    /// --dry-run` to ask the browser whether each parses.
    pub selectors: Vec<CssSelector>,
}

/// A CSS selector of `[login]` and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CssSelector {
    /// `click`, `signed_in` or `error`.
    pub key: &'static str,
    /// The selector.
    pub css: String,
    /// Its 1-based line in the scenario file.
    pub line: usize,
}

/// How to start a managed app.
#[derive(Debug, Clone)]
pub struct AppCommand {
    /// Program and arguments (placeholders unfilled). Never empty.
    pub argv: Vec<String>,
    /// Extra environment (values' placeholders unfilled).
    pub env: BTreeMap<String, String>,
    /// Readiness URL (placeholders unfilled).
    pub ready_url: String,
    /// Where it runs; a relative program path starts here too.
    pub workdir: PathBuf,
}

/// Managed or already running.
#[derive(Debug, Clone)]
pub enum AppMode {
    /// The runner starts a fresh instance per check.
    Managed {
        /// Run once before the checks (never empty when set).
        build: Option<Vec<String>>,
        /// The start command.
        command: AppCommand,
    },
    /// It runs already at this base URL (`{app_url}`).
    Running {
        /// Base URL.
        url: String,
    },
    /// The scenario file describes no web app, only a CLI or an API (`[cli]`, `[api]`).
    Absent,
}

/// A validated scenario file.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The file it came from.
    pub path: PathBuf,
    /// Display name.
    pub name: String,
    /// Feature files and folders, resolved against the file's folder; each exists.
    pub features: Vec<PathBuf>,
    /// Default profile.
    pub profile: Profile,
    /// Working directory, resolved against the file's folder.
    pub workdir: PathBuf,
    /// The app.
    pub app: AppMode,
    /// The fixed tenant of an already running app; always set with [`AppMode::Running`].
    pub idp: Option<FixedTenant>,
    /// Registration.
    pub client: ClientRegistration,
    /// Sign-in.
    pub login: LoginSpec,
    /// Quirks set on every tenant the app gets, as an admin configures the real IdP's
    /// app (`[quirks]`: `groups_claim = "groups"`, ...), in the admin API's JSON form.
    pub quirks: serde_json::Map<String, serde_json::Value>,
    /// A CLI of the same product that logs in with the device authorization grant.
    pub cli: Option<CliTarget>,
    /// An API of the same product that takes bearer tokens.
    pub api: Option<ApiTarget>,
    ready_timeout_secs: u64,
}

impl ScenarioFile {
    /// How long the app may take to answer its readiness URL.
    pub fn ready_timeout(&self) -> Duration {
        Duration::from_secs(self.ready_timeout_secs)
    }
}

// ---------------------------------------------------------------------------------
// Placeholders.

/// Values for `{name}` placeholders, and the names a template may use.
#[derive(Debug, Clone)]
pub struct Placeholders {
    values: BTreeMap<String, String>,
    known: &'static [&'static str],
}

impl Default for Placeholders {
    /// No values yet; the app's placeholders ([`KNOWN_PLACEHOLDERS`]) are known.
    fn default() -> Self {
        Placeholders {
            values: BTreeMap::new(),
            known: &KNOWN_PLACEHOLDERS,
        }
    }
}

/// A template that cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    /// A name that is not a placeholder.
    #[error(
        "unknown placeholder `{{{name}}}` in `{template}` (known: {known}; write `{{{{` and `}}}}` for literal braces)"
    )]
    Unknown {
        /// The name between the braces.
        name: String,
        /// The whole template.
        template: String,
        /// The known placeholders, listed.
        known: String,
    },
    /// A known placeholder without a value yet.
    #[error("placeholder `{{{name}}}` in `{template}` has no value at this point")]
    NoValue {
        /// The name.
        name: String,
        /// The whole template.
        template: String,
    },
    /// A `{` without its `}`.
    #[error("unclosed `{{` in `{template}` (write `{{{{` for a literal brace)")]
    Unclosed {
        /// The whole template.
        template: String,
    },
    /// A `}` without its `{`.
    #[error("unmatched `}}` in `{template}` (write `}}}}` for a literal brace)")]
    Unmatched {
        /// The whole template.
        template: String,
    },
}

impl Placeholders {
    /// No values yet; `known` are the names a template may use.
    pub fn with_known(known: &'static [&'static str]) -> Placeholders {
        Placeholders {
            values: BTreeMap::new(),
            known,
        }
    }

    /// Sets `{port}` and `{app_url}` for a managed app listening on `port`.
    pub fn set_port(&mut self, port: u16) {
        self.set("port", &port.to_string());
        self.set("app_url", &format!("http://127.0.0.1:{port}"));
    }

    /// Sets the placeholders a tenant defines: issuer, discovery URL, the first client's
    /// credentials and auth method, and the groups claim name.
    pub fn set_tenant(&mut self, t: &stickler_idp::TenantInfo) {
        self.set("issuer", &t.issuer);
        self.set("discovery_url", &t.discovery_url);
        if let Some(c) = t.clients.first() {
            self.set("client_id", &c.client_id);
            self.set("client_secret", &c.client_secret);
            self.set(
                "token_endpoint_auth_method",
                c.token_endpoint_auth_method.as_str(),
            );
        }
        self.set("groups_claim", &t.quirks.groups_claim);
    }

    /// `text` with the value of every secret placeholder (`{client_secret}`) masked as
    /// `***`, for logs and reports.
    pub fn masked(&self, text: &str) -> String {
        match self.get("client_secret").filter(|s| !s.is_empty()) {
            Some(secret) => text.replace(secret, "***"),
            None => text.to_string(),
        }
    }

    /// The signed-in user's placeholders ([`USER_PLACEHOLDERS`]), for
    /// `[login] signed_in_contains`.
    #[allow(
        dead_code,
        reason = "API for the steps; the runner does not call it yet"
    )]
    pub fn for_user(username: &str, email: &str, sub: &str) -> Placeholders {
        let mut p = Placeholders {
            values: BTreeMap::new(),
            known: &USER_PLACEHOLDERS,
        };
        p.set("username", username);
        p.set("email", email);
        p.set("sub", sub);
        p
    }

    /// Every known placeholder set to `value`: checks a template without filling it.
    fn probe(known: &'static [&'static str]) -> Placeholders {
        Placeholders {
            values: known.iter().map(|k| (k.to_string(), "x".into())).collect(),
            known,
        }
    }

    /// Sets a value.
    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    /// A value, when set.
    #[allow(
        dead_code,
        reason = "API for the steps; the runner does not call it yet"
    )]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Fills the `{name}`s of a template; `{{` and `}}` are literal braces.
    pub fn fill(&self, template: &str) -> Result<String, PlaceholderError> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                out.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('}') {
                return Err(PlaceholderError::Unmatched {
                    template: template.into(),
                });
            }
            let Some(end) = tail.find('}') else {
                return Err(PlaceholderError::Unclosed {
                    template: template.into(),
                });
            };
            let name = &tail[1..end];
            match self.values.get(name) {
                Some(v) => out.push_str(v),
                None if self.known.contains(&name) => {
                    return Err(PlaceholderError::NoValue {
                        name: name.into(),
                        template: template.into(),
                    });
                }
                None => {
                    return Err(PlaceholderError::Unknown {
                        name: name.into(),
                        template: template.into(),
                        known: self
                            .known
                            .iter()
                            .map(|k| format!("{{{k}}}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    });
                }
            }
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------
// Loading.

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: path.to_path_buf(),
        line: 1,
        message: format!("cannot read the scenario file: {e}"),
    })?;
    parse(path, &text)
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The table a line is in, for messages: `in [app]`, or `at the top level`. A
/// `[table]` header line is in that table, unless `header_key` says the error is about
/// the header's own key, which belongs to the table above.
fn section_at(text: &str, line: usize, header_key: bool) -> String {
    fn header(l: &str) -> Option<&str> {
        let inner = l.trim().strip_prefix('[')?;
        Some(inner.split(']').next()?.trim_matches(['[', ' ']))
    }
    let lines: Vec<&str> = text.lines().take(line).collect();
    let name = match lines.split_last() {
        Some((current, _)) if header_key && header(current).is_some() => header(current)
            .and_then(|n| n.rsplit_once('.'))
            .map(|(parent, _)| parent),
        _ => lines.iter().rev().find_map(|l| header(l)),
    };
    name.map_or_else(|| "at the top level".into(), |n| format!("in [{n}]"))
}

/// Names in a serde message: "`a`, `b`" → "a, b".
fn backquoted(list: &str) -> String {
    list.split('`')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML or schema error, as "LINE: message naming the key and table".
fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let line = e.span().map_or(1, |s| line_at(text, s.start));
    let section = section_at(text, line, true);
    let raw = e.message().trim();
    let message = if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = backquoted(expected);
        if expected.is_empty() {
            format!("unknown key `{key}` {section}")
        } else {
            format!("unknown key `{key}` {section} (expected one of: {expected})")
        }
    } else if let Some(rest) = raw.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        // The span is the table that lacks the key.
        format!("missing key `{key}` {}", section_at(text, line, false))
    } else {
        let key = text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim().trim_matches('"'))
            .filter(|k| !k.is_empty() && !k.starts_with('['));
        match key {
            Some(k) => format!("key `{k}` {section}: {raw}"),
            None => raw.to_string(),
        }
    };
    ScenarioError {
        file: path.to_path_buf(),
        line,
        message,
    }
}

/// Parses and validates scenario text; `path` locates relative paths and names errors.
pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, ScenarioError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| syntax_error(path, text, &e))?;
    Validator { path, text }.validate(raw)
}

/// The web app's part of a scenario file, validated.
struct Web {
    mode: AppMode,
    idp: Option<FixedTenant>,
    client: ClientRegistration,
    login: LoginSpec,
    ready_timeout_secs: u64,
}

struct Validator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn section(&self, span: &std::ops::Range<usize>) -> String {
        section_at(self.text, line_at(self.text, span.start), true)
    }

    fn err<T>(&self, span: std::ops::Range<usize>, message: String) -> Result<T, ScenarioError> {
        Err(ScenarioError {
            file: self.path.to_path_buf(),
            line: line_at(self.text, span.start),
            message,
        })
    }

    /// Every placeholder of `value` is one `known` names, and the braces pair up.
    fn template(
        &self,
        key: &str,
        value: &Spanned<String>,
        known: &'static [&'static str],
    ) -> Result<(), ScenarioError> {
        match Placeholders::probe(known).fill(value.get_ref()) {
            Ok(_) => Ok(()),
            Err(e) => self.err(
                value.span(),
                format!("key `{key}` {}: {e}", self.section(&value.span())),
            ),
        }
    }

    fn templates<'t>(
        &self,
        key: &str,
        span: std::ops::Range<usize>,
        values: impl IntoIterator<Item = &'t String>,
    ) -> Result<(), ScenarioError> {
        for v in values {
            if let Err(e) = Placeholders::probe(&KNOWN_PLACEHOLDERS).fill(v) {
                let section = self.section(&span);
                return self.err(span, format!("key `{key}` {section}: {e}"));
            }
        }
        Ok(())
    }

    /// Each value, with its placeholders filled as a run fills them, is what the IdP
    /// registers: an absolute URL without a fragment (RFC 6749 §3.1.2).
    fn urls<'t>(
        &self,
        key: &str,
        span: std::ops::Range<usize>,
        values: impl IntoIterator<Item = &'t String>,
    ) -> Result<(), ScenarioError> {
        let mut sample = Placeholders::probe(&KNOWN_PLACEHOLDERS);
        sample.set_port(3000);
        sample.set("idp_url", "http://127.0.0.1:9400");
        sample.set("issuer", "http://127.0.0.1:9400/t/x/");
        for v in values {
            let filled = sample.fill(v).unwrap_or_else(|_| v.clone());
            let ok = url::Url::parse(&filled).is_ok_and(|u| u.fragment().is_none());
            if !ok {
                let section = self.section(&span);
                return self.err(
                    span,
                    format!(
                        "key `{key}` {section}: `{v}` is not an absolute URL without a fragment (e.g. \"{{app_url}}/callback\"), which the IdP needs to register it"
                    ),
                );
            }
        }
        Ok(())
    }

    fn selector(&self, key: &str, value: &Spanned<String>) -> Result<String, ScenarioError> {
        if value.get_ref().trim().is_empty() {
            return self.err(
                value.span(),
                format!("key `{key}` in [login]: the CSS selector is empty"),
            );
        }
        Ok(value.get_ref().clone())
    }

    /// The web app's tables: `[app]`, `[idp]`, `[client]` and `[login]`.
    fn web(
        &self,
        app: Spanned<RawApp>,
        raw_idp: Option<Spanned<RawTenant>>,
        client: Spanned<RawClient>,
        login: Spanned<RawLogin>,
        workdir: &Path,
    ) -> Result<Web, ScenarioError> {
        let (app_span, app) = (app.span(), app.into_inner());
        let idp = match &raw_idp {
            Some(t) => {
                let inner = t.get_ref();
                for (key, v) in [
                    ("tenant", &inner.tenant),
                    ("client_id", &inner.client_id),
                    ("client_secret", &inner.client_secret),
                ] {
                    if v.get_ref().trim().is_empty() {
                        return self.err(v.span(), format!("key `{key}` in [idp] is empty"));
                    }
                }
                Some(FixedTenant {
                    tenant: inner.tenant.get_ref().clone(),
                    client_id: inner.client_id.get_ref().clone(),
                    client_secret: inner.client_secret.get_ref().clone(),
                })
            }
            None => None,
        };
        let ready_timeout_secs = match &app.ready_timeout_secs {
            Some(t) if !(1..=MAX_READY_TIMEOUT_SECS).contains(t.get_ref()) => {
                return self.err(
                    t.span(),
                    format!(
                        "key `ready_timeout_secs` in [app]: {} is out of range (1 to {MAX_READY_TIMEOUT_SECS})",
                        t.get_ref()
                    ),
                );
            }
            Some(t) => *t.get_ref(),
            None => DEFAULT_READY_TIMEOUT_SECS,
        };

        let mode = match (app.command, app.url) {
            (Some(_), Some(url)) => {
                return self.err(
                    url.span(),
                    "[app] has both `command` and `url`: keep `command` for an app Stickler starts, or `url` for one that already runs".into(),
                );
            }
            (None, None) => {
                return self.err(
                    app_span,
                    "[app] needs `command` (an app Stickler starts) or `url` (one that already runs)".into(),
                );
            }
            (Some(command), None) => {
                let span = command.span();
                let argv = command.into_inner();
                if argv.first().is_none_or(|p| p.trim().is_empty()) {
                    return self.err(
                        span,
                        "key `command` in [app]: name a program, then its arguments".into(),
                    );
                }
                self.templates("command", span.clone(), &argv)?;
                let env = match app.env {
                    Some(env) => {
                        self.templates("env", env.span(), env.get_ref().values())?;
                        env.into_inner()
                    }
                    None => BTreeMap::new(),
                };
                let Some(ready_url) = app.ready_url else {
                    return self.err(
                        span,
                        "[app] with `command` needs `ready_url`, a URL that answers 2xx/3xx once the app is up (e.g. \"{app_url}/\")".into(),
                    );
                };
                self.template("ready_url", &ready_url, &KNOWN_PLACEHOLDERS)?;
                if let Some(t) = &raw_idp {
                    return self.err(
                        t.span(),
                        "[idp] is only for an app that already runs (`url`); a managed app gets a fresh tenant per check, so remove [idp]".into(),
                    );
                }
                let build = match app.build {
                    Some(b) if b.get_ref().first().is_none_or(|p| p.trim().is_empty()) => {
                        return self.err(
                            b.span(),
                            "key `build` in [app]: name a program, then its arguments (or remove `build`)".into(),
                        );
                    }
                    Some(b) => Some(b.into_inner()),
                    None => None,
                };
                AppMode::Managed {
                    build,
                    command: AppCommand {
                        argv,
                        env,
                        ready_url: ready_url.into_inner(),
                        workdir: workdir.to_path_buf(),
                    },
                }
            }
            (None, Some(url)) => {
                let parsed = url::Url::parse(url.get_ref());
                if !parsed.is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                    return self.err(
                        url.span(),
                        format!(
                            "key `url` in [app]: `{}` is not an absolute http(s) URL",
                            url.get_ref()
                        ),
                    );
                }
                for (key, span) in [
                    ("build", app.build.as_ref().map(Spanned::span)),
                    ("ready_url", app.ready_url.as_ref().map(Spanned::span)),
                    ("env", app.env.as_ref().map(Spanned::span)),
                ] {
                    if let Some(span) = span {
                        return self.err(
                            span,
                            format!(
                                "key `{key}` in [app] is only for an app Stickler starts (`command`), not with `url`"
                            ),
                        );
                    }
                }
                if idp.is_none() {
                    return self.err(
                        url.span(),
                        "an app that already runs (`url`) needs an [idp] table with `tenant`, `client_id` and `client_secret`: the tenant and client the app is configured for".into(),
                    );
                }
                AppMode::Running {
                    url: url.into_inner(),
                }
            }
        };

        let client = client.into_inner();
        if client.redirect_uris.get_ref().is_empty() {
            return self.err(
                client.redirect_uris.span(),
                "key `redirect_uris` in [client]: give at least one redirect URI (e.g. \"{app_url}/callback\")".into(),
            );
        }
        self.templates(
            "redirect_uris",
            client.redirect_uris.span(),
            client.redirect_uris.get_ref(),
        )?;
        self.urls(
            "redirect_uris",
            client.redirect_uris.span(),
            client.redirect_uris.get_ref(),
        )?;
        let post_logout = match client.post_logout_redirect_uris {
            Some(p) => {
                self.templates("post_logout_redirect_uris", p.span(), p.get_ref())?;
                self.urls("post_logout_redirect_uris", p.span(), p.get_ref())?;
                p.into_inner()
            }
            None => Vec::new(),
        };

        let login = login.into_inner();
        self.template("start_url", &login.start_url, &KNOWN_PLACEHOLDERS)?;
        let signed_in = self.selector("signed_in", &login.signed_in)?;
        let click = login
            .click
            .as_ref()
            .map(|c| self.selector("click", c))
            .transpose()?;
        let error = login
            .error
            .as_ref()
            .map(|c| self.selector("error", c))
            .transpose()?;
        if let Some(c) = &login.signed_in_contains {
            self.template("signed_in_contains", c, &USER_PLACEHOLDERS)?;
        }
        let selectors: Vec<CssSelector> = [
            ("click", login.click.as_ref()),
            ("signed_in", Some(&login.signed_in)),
            ("error", login.error.as_ref()),
        ]
        .into_iter()
        .filter_map(|(key, v)| {
            v.map(|v| CssSelector {
                key,
                css: v.get_ref().clone(),
                line: line_at(self.text, v.span().start),
            })
        })
        .collect();
        if let Some(p) = &login.callback_path
            && !p.get_ref().starts_with('/')
        {
            return self.err(
                p.span(),
                format!(
                    "key `callback_path` in [login]: `{}` must be a path starting with `/` (e.g. \"/callback\")",
                    p.get_ref()
                ),
            );
        }

        Ok(Web {
            mode,
            idp,
            client: ClientRegistration {
                redirect_uris: client.redirect_uris.into_inner(),
                post_logout_redirect_uris: post_logout,
                token_endpoint_auth_method: client.token_endpoint_auth_method,
            },
            login: LoginSpec {
                start_url: login.start_url.into_inner(),
                click,
                signed_in,
                signed_in_contains: login.signed_in_contains.map(Spanned::into_inner),
                error,
                callback_path: login.callback_path.map(Spanned::into_inner),
                selectors,
            },
            ready_timeout_secs,
        })
    }

    fn validate(&self, raw: RawFile) -> Result<ScenarioFile, ScenarioError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if raw.name.get_ref().trim().is_empty() {
            return self.err(raw.name.span(), "key `name`: give the app a name".into());
        }

        let workdir = match &raw.workdir {
            Some(w) => {
                let resolved = dir.join(w.get_ref());
                if !resolved.is_dir() {
                    return self.err(
                        w.span(),
                        format!(
                            "key `workdir`: {} is not a folder (it is relative to the scenario file's folder, {})",
                            resolved.display(),
                            dir.display()
                        ),
                    );
                }
                resolved
            }
            None => dir.clone(),
        };

        let mut features = Vec::new();
        if let Some(list) = &raw.features {
            for f in list.get_ref() {
                let resolved = dir.join(f);
                if !resolved.exists() {
                    return self.err(
                        list.span(),
                        format!(
                            "key `features`: {} does not exist (feature paths are relative to the scenario file's folder, {})",
                            f.display(),
                            dir.display()
                        ),
                    );
                }
                features.push(resolved);
            }
        }

        let mut quirks = serde_json::Map::new();
        for (name, value) in raw.quirks.iter().flatten() {
            let json = serde_json::to_value(value.get_ref()).unwrap_or(serde_json::Value::Null);
            let one = serde_json::Value::Object(
                [(name.get_ref().clone(), json.clone())]
                    .into_iter()
                    .collect(),
            );
            if let Err(e) = serde_json::from_value::<stickler_idp::QuirkOverrides>(one) {
                return self.err(
                    name.span(),
                    format!(
                        "key `{}` in [quirks]: {e} (`stickler idp --list-quirks` lists every quirk and its values)",
                        name.get_ref()
                    ),
                );
            }
            quirks.insert(name.get_ref().clone(), json);
        }

        let cli = raw.cli.map(|c| self.cli(c, &workdir)).transpose()?;
        let api = raw.api.map(|a| self.api(a, &workdir)).transpose()?;
        let web = match (raw.app, raw.client, raw.login) {
            (Some(app), Some(client), Some(login)) => {
                self.web(app, raw.idp, client, login, &workdir)?
            }
            (Some(app), client, _) => {
                let missing = if client.is_none() { "client" } else { "login" };
                return self.err(
                    app.span(),
                    format!(
                        "missing table [{missing}]: a web app ([app]) needs [client] (how it registers at the IdP) and [login] (how a person signs in)"
                    ),
                );
            }
            (None, client, login) => {
                if let Some(span) = client
                    .map(|c| c.span())
                    .or_else(|| login.map(|l| l.span()))
                    .or_else(|| raw.idp.map(|i| i.span()))
                {
                    return self.err(
                        span,
                        "[client], [login] and [idp] describe a web app: add its [app] table, or remove them".into(),
                    );
                }
                if cli.is_none() && api.is_none() {
                    return self.err(
                        raw.name.span(),
                        "the scenario file describes nothing to test: give an [app] (a web app), a [cli] (a device-flow CLI) or an [api] (a bearer-token API)".into(),
                    );
                }
                Web {
                    mode: AppMode::Absent,
                    idp: None,
                    client: ClientRegistration {
                        redirect_uris: Vec::new(),
                        post_logout_redirect_uris: Vec::new(),
                        token_endpoint_auth_method: None,
                    },
                    login: LoginSpec {
                        start_url: String::new(),
                        click: None,
                        signed_in: String::new(),
                        signed_in_contains: None,
                        error: None,
                        callback_path: None,
                        selectors: Vec::new(),
                    },
                    ready_timeout_secs: DEFAULT_READY_TIMEOUT_SECS,
                }
            }
        };
        Ok(ScenarioFile {
            quirks,
            cli,
            api,
            path: self.path.to_path_buf(),
            name: raw.name.into_inner(),
            features,
            profile: raw.profile.unwrap_or(Profile::Jumpcloud),
            workdir,
            app: web.mode,
            idp: web.idp,
            client: web.client,
            login: web.login,
            ready_timeout_secs: web.ready_timeout_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"
name = "x"
[app]
command = ["app", "--issuer", "{issuer}"]
ready_url = "{app_url}/"
[client]
redirect_uris = ["{app_url}/cb"]
[login]
start_url = "{app_url}/"
signed_in = "#user"
"##;

    fn err(text: &str) -> String {
        parse(Path::new("s.toml"), text).unwrap_err().to_string()
    }

    /// The full schema, with features and workdir relative to the file.
    #[test]
    fn a_valid_file_parses_and_resolves_paths() {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join("features/jumpcloud")).expect("mkdir");
        std::fs::create_dir_all(root.path().join("scenarios")).expect("mkdir");
        let file = root.path().join("scenarios/demo.toml");
        let text = r##"
name = "Stickler demo RP"
features = ["../features/jumpcloud"]
profile = "lenient"
workdir = ".."

[app]
build = ["cargo", "build", "-q", "-p", "stickler-demo-rp"]
command = ["target/debug/demo-rp", "--issuer", "{issuer}", "--listen", "127.0.0.1:{port}"]
env = { RUST_LOG = "warn", APP = "{app_url}", JSON = "{{\"a\":1}}" }
ready_url = "{app_url}/healthz"
ready_timeout_secs = 20

[client]
redirect_uris = ["{app_url}/callback"]
post_logout_redirect_uris = ["{app_url}/"]
token_endpoint_auth_method = "client_secret_post"

[login]
start_url = "{app_url}/"
click = "#login"
signed_in = "#user"
signed_in_contains = "{email}"
error = "#error"
callback_path = "/callback"
"##;
        std::fs::write(&file, text).expect("write");
        let s = load(&file).expect("valid");
        assert_eq!(s.name, "Stickler demo RP");
        assert_eq!(s.profile, Profile::Lenient);
        assert_eq!(s.workdir, root.path().join("scenarios/.."));
        assert_eq!(
            s.features,
            [root.path().join("scenarios/../features/jumpcloud")]
        );
        assert_eq!(s.ready_timeout(), Duration::from_secs(20));
        let AppMode::Managed { build, command } = &s.app else {
            panic!("managed: {:?}", s.app);
        };
        assert_eq!(build.as_ref().map(Vec::len), Some(5));
        assert_eq!(command.argv[0], "target/debug/demo-rp");
        assert_eq!(command.workdir, s.workdir);
        assert_eq!(command.env["RUST_LOG"], "warn");
        assert_eq!(
            s.client.token_endpoint_auth_method,
            Some(TokenAuthMethod::ClientSecretPost)
        );
        assert_eq!(s.login.callback_path.as_deref(), Some("/callback"));
        assert_eq!(s.login.error.as_deref(), Some("#error"));
        assert!(s.idp.is_none());
    }

    #[test]
    fn the_defaults_apply() {
        let s = parse(Path::new("dir/s.toml"), GOOD).expect("valid");
        assert!(matches!(s.app, AppMode::Managed { build: None, .. }));
        assert_eq!(s.profile, Profile::Jumpcloud);
        assert_eq!(s.workdir, Path::new("dir"));
        assert_eq!(s.ready_timeout(), Duration::from_secs(30));
        assert!(s.features.is_empty() && s.login.click.is_none());
    }

    #[test]
    fn an_already_running_app_needs_its_tenant() {
        let running = GOOD.replace(
            "command = [\"app\", \"--issuer\", \"{issuer}\"]\nready_url = \"{app_url}/\"",
            "url = \"https://staging.example.com\"",
        );
        let e = err(&running);
        assert!(
            e.starts_with("s.toml:4: an app that already runs (`url`) needs an [idp]"),
            "{e}"
        );
        let with_idp = format!(
            "{running}[idp]\ntenant = \"staging\"\nclient_id = \"my-app\"\nclient_secret = \"s\"\n"
        );
        let s = parse(Path::new("s.toml"), &with_idp).expect("valid");
        let AppMode::Running { url } = &s.app else {
            panic!("running");
        };
        assert_eq!(url, "https://staging.example.com");
        let idp = s.idp.expect("idp");
        assert_eq!(
            (idp.tenant.as_str(), idp.client_id.as_str()),
            ("staging", "my-app")
        );
    }

    #[test]
    fn unknown_keys_name_file_line_key_and_table() {
        let e = err(&GOOD.replace("command", "comand"));
        assert_eq!(
            e,
            "s.toml:4: unknown key `comand` in [app] (expected one of: build, command, env, ready_url, ready_timeout_secs, url)"
        );
        let e = err(&format!("{GOOD}colour = \"red\"\n"));
        assert!(
            e.starts_with(
                "s.toml:11: unknown key `colour` in [login] (expected one of: start_url, click,"
            ),
            "{e}"
        );
        let e = err(&GOOD.replace("name = \"x\"", "name = \"x\"\nprofil = \"lenient\""));
        assert!(
            e.starts_with("s.toml:3: unknown key `profil` at the top level"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_and_missing_keys_name_the_key() {
        let e = err(&GOOD.replace("ready_url", "ready_timeout_secs = \"soon\"\nready_url"));
        assert!(
            e.starts_with("s.toml:5: key `ready_timeout_secs` in [app]: invalid type"),
            "{e}"
        );
        let e = err(&GOOD.replace("name = \"x\"", "name = \"x\"\nprofile = \"octa\""));
        assert!(
            e.starts_with("s.toml:3: key `profile` at the top level: unknown variant `octa`"),
            "{e}"
        );
        let e = err(&GOOD.replace("signed_in = \"#user\"", ""));
        assert_eq!(e, "s.toml:8: missing key `signed_in` in [login]");
        let e = err(&GOOD.replace("[login]", "[logn]"));
        assert!(
            e.starts_with(
                "s.toml:8: unknown key `logn` at the top level (expected one of: name, features,"
            ),
            "{e}"
        );
        let e = err(&GOOD.replace("ready_url = \"{app_url}/\"", ""));
        assert!(
            e.starts_with("s.toml:4: [app] with `command` needs `ready_url`"),
            "{e}"
        );
    }

    #[test]
    fn quirks_are_taken_and_bad_ones_named_by_line_and_key() {
        let base = "name = \"x\"\n[app]\nurl = \"http://127.0.0.1:1\"\n[idp]\ntenant = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n[client]\nredirect_uris = [\"{app_url}/cb\"]\n[login]\nstart_url = \"{app_url}/\"\nsigned_in = \"#u\"\n";
        let ok = parse(
            Path::new("s.toml"),
            &format!("{base}[quirks]\ngroups_claim = \"groups\"\n"),
        )
        .expect("parses");
        assert_eq!(ok.quirks["groups_claim"], serde_json::json!("groups"));
        let e = parse(
            Path::new("s.toml"),
            &format!("{base}[quirks]\ngroups_claim = \"groups\"\nmin_state_length = \"eight\"\n"),
        )
        .expect_err("bad value")
        .to_string();
        assert!(
            e.contains("s.toml:15:") && e.contains("min_state_length"),
            "{e}"
        );
        let e = parse(
            Path::new("s.toml"),
            &format!("{base}[quirks]\ngroups_clam = 1\n"),
        )
        .expect_err("unknown quirk")
        .to_string();
        assert!(e.contains("s.toml:14:") && e.contains("groups_clam"), "{e}");
    }

    #[test]
    fn redirect_uris_must_be_absolute_urls_without_fragment() {
        let text = |uri: &str| {
            format!(
                "name = \"x\"\n[app]\ncommand = [\"a\"]\nready_url = \"{{app_url}}/\"\n[client]\nredirect_uris = [\"{uri}\"]\n[login]\nstart_url = \"{{app_url}}/\"\nsigned_in = \"#u\"\n"
            )
        };
        for bad in ["/callback", "{app_url}/cb#frag", "not a url"] {
            let e = parse(Path::new("s.toml"), &text(bad))
                .expect_err(bad)
                .to_string();
            assert!(
                e.contains("s.toml:6:") && e.contains("redirect_uris"),
                "{e}"
            );
        }
        parse(Path::new("s.toml"), &text("{app_url}/cb")).expect("a good one");
    }

    #[test]
    fn command_and_url_together_is_an_error() {
        let e = err(&GOOD.replace("ready_url = ", "url = \"http://x\"\nready_url = "));
        assert!(
            e.starts_with("s.toml:5: [app] has both `command` and `url`"),
            "{e}"
        );
        let e = err(&GOOD.replace("command = [\"app\", \"--issuer\", \"{issuer}\"]\n", ""));
        assert!(e.contains("[app] needs `command`"), "{e}");
    }

    #[test]
    fn idp_only_goes_with_url() {
        let e = err(&format!(
            "{GOOD}[idp]\ntenant = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n"
        ));
        assert!(
            e.contains("[idp] is only for an app that already runs"),
            "{e}"
        );
    }

    #[test]
    fn unknown_placeholders_are_errors_that_list_the_known_ones() {
        let e = err(&GOOD.replace("{issuer}", "{isuer}"));
        assert!(e.starts_with("s.toml:4: key `command` in [app]: unknown placeholder `{isuer}` in `{isuer}` (known: {issuer} {discovery_url}"), "{e}");
        assert!(e.contains("write `{{` and `}}` for literal braces"), "{e}");
        let e = err(&GOOD.replace("\"{app_url}/cb\"", "\"{app_url}/cb\", \"{ap_url}/x\""));
        assert!(
            e.starts_with(
                "s.toml:7: key `redirect_uris` in [client]: unknown placeholder `{ap_url}`"
            ),
            "{e}"
        );
        let e = err(&GOOD.replace(
            "signed_in = \"#user\"",
            "signed_in = \"#user\"\nsigned_in_contains = \"{issuer}\"",
        ));
        assert!(
            e.contains("key `signed_in_contains` in [login]: unknown placeholder `{issuer}`")
                && e.contains("(known: {username} {email} {sub}"),
            "{e}"
        );
    }

    #[test]
    fn selectors_paths_and_features_are_checked() {
        let e = err(&GOOD.replace("\"#user\"", "\" \""));
        assert_eq!(
            e,
            "s.toml:10: key `signed_in` in [login]: the CSS selector is empty"
        );
        let e = err(&format!("{GOOD}callback_path = \"callback\"\n"));
        assert!(e.starts_with("s.toml:11: key `callback_path`"), "{e}");
        let e = err(&GOOD.replace("name = \"x\"", "name = \"x\"\nfeatures = [\"no/such/dir\"]"));
        assert!(
            e.starts_with("s.toml:3: key `features`: no/such/dir does not exist"),
            "{e}"
        );
        let e = err(&GOOD.replace("name = \"x\"", "name = \"x\"\nworkdir = \"no/such/dir\""));
        assert!(e.starts_with("s.toml:3: key `workdir`"), "{e}");
        let e = err(&GOOD.replace("command = [\"app\"", "command = [\"\""));
        assert!(
            e.starts_with("s.toml:4: key `command` in [app]: name a program"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_files_say_so() {
        let e = load(Path::new("/no/such/s.toml")).unwrap_err().to_string();
        assert!(
            e.starts_with("/no/such/s.toml:1: cannot read the scenario file"),
            "{e}"
        );
    }

    #[test]
    fn the_shipped_scenario_files_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        for name in ["demo-rp.toml", "template.toml"] {
            load(&root.join(name)).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn placeholders_fill_and_escape() {
        let mut p = Placeholders::default();
        p.set("port", "8080");
        assert_eq!(
            p.fill("127.0.0.1:{port} {{x}}").unwrap(),
            "127.0.0.1:8080 {x}"
        );
        assert_eq!(p.get("port"), Some("8080"));
        assert_eq!(
            p.fill("{issuer}").unwrap_err(),
            PlaceholderError::NoValue {
                name: "issuer".into(),
                template: "{issuer}".into()
            }
        );
        assert!(matches!(
            p.fill("{port"),
            Err(PlaceholderError::Unclosed { .. })
        ));
        assert!(matches!(
            p.fill("port}"),
            Err(PlaceholderError::Unmatched { .. })
        ));
        assert!(matches!(
            p.fill("{nope}"),
            Err(PlaceholderError::Unknown { .. })
        ));
        let u = Placeholders::for_user("alice", "alice@example.com", "u-1");
        assert_eq!(
            u.fill("{username} <{email}> {sub}").unwrap(),
            "alice <alice@example.com> u-1"
        );
        assert!(matches!(
            u.fill("{port}"),
            Err(PlaceholderError::Unknown { .. })
        ));
    }

    const CLI_API: &str = r##"
[cli]
command = ["cli", "login", "--issuer", "{issuer}", "--client-id", "{cli_client_id}"]
client_id = "jitsudo-cli"
verification_url = 'open (\S+)'
user_code = 'code (\S+)'
timeout_secs = 20
[api]
command = ["api", "--listen", "127.0.0.1:{api_port}", "--audience", "{audience}"]
env = { SECRET = "{api_client_secret}" }
ready_url = "{api_url}/healthz"
audience = "jitsudo-server"
path = "/api/whoami"
"##;

    #[test]
    fn cli_and_api_tables_parse_beside_the_app() {
        let s = parse(Path::new("s.toml"), &format!("{GOOD}{CLI_API}")).expect("parses");
        let cli = s.cli.expect("cli");
        assert_eq!(cli.client_id, "jitsudo-cli");
        assert_eq!(cli.success_exit, 0);
        assert_eq!(cli.timeout, Duration::from_secs(20));
        assert!(cli.no_device_flow_output.is_match("no Device endpoint"));
        let api = s.api.expect("api");
        assert_eq!(api.audience, "jitsudo-server");
        assert_eq!(api.method, reqwest::Method::GET);
        assert_eq!(api.reject_status, vec![401, 403]);
        assert!(api.accepts(204) && !api.accepts(401));
        assert_eq!(api.token, ApiToken::IdToken);
        assert!(
            parse(Path::new("s.toml"), GOOD)
                .expect("parses")
                .cli
                .is_none()
        );
    }

    #[test]
    fn cli_and_api_errors_name_line_and_key() {
        let bad = |from: &str, to: &str| err(&format!("{GOOD}{}", CLI_API.replace(from, to)));
        let e = bad("'code (\\S+)'", "'code ('");
        assert!(
            e.starts_with("s.toml:16:")
                && e.contains("key `user_code` in [cli]")
                && e.contains("regular expression"),
            "{e}"
        );
        let e = bad("{cli_client_id}", "{client_secret}");
        assert!(
            e.contains("key `command` in [cli]")
                && e.contains("unknown placeholder `{client_secret}`"),
            "{e}"
        );
        let e = bad("path = \"/api/whoami\"", "path = \"api\"");
        assert!(e.contains("key `path` in [api]"), "{e}");
        let e = bad("audience = \"jitsudo-server\"", "audience = \"\"");
        assert!(e.contains("key `audience` in [api] is empty"), "{e}");
        let e = bad("path = \"/api/whoami\"", "path = \"/x\"\ntoken = \"jwt\"");
        assert!(
            e.contains("key `token` in [api]") && e.contains("access_token"),
            "{e}"
        );
        let e = bad("timeout_secs = 20", "timeout_secs = 0");
        assert!(e.contains("key `timeout_secs` in [cli]"), "{e}");
        let e = bad("timeout_secs = 20", "timeout = 20");
        assert!(e.contains("unknown key `timeout` in [cli]"), "{e}");
        let e = bad(
            "ready_url = \"{api_url}/healthz\"",
            "url = \"http://127.0.0.1:1\"",
        );
        assert!(
            e.starts_with("s.toml:21:") && e.contains("[api] has both `command` and `url`"),
            "{e}"
        );
        let e = bad("path = \"/api/whoami\"", "path = \"/x\"\ntenant = \"t\"");
        assert!(
            e.contains("key `tenant` in [api] is only for an API that already runs"),
            "{e}"
        );
        let e = bad("path = \"/api/whoami\"", "path = \"/x\"\nmethod = \"G ET\"");
        assert!(e.contains("key `method` in [api]"), "{e}");
    }

    const RUNNING_API: &str = "name = \"x\"\n[api]\nurl = \"http://127.0.0.1:8080\"\ntenant = \"api-staging\"\naudience = \"jitsudo-server\"\npath = \"/api/whoami\"\n";

    #[test]
    fn an_api_that_already_runs_names_its_url_and_tenant() {
        let s = parse(Path::new("s.toml"), RUNNING_API).expect("parses");
        match s.api.expect("api").run {
            ApiRun::Running { url, tenant } => {
                assert_eq!(
                    (url.as_str(), tenant.as_str()),
                    ("http://127.0.0.1:8080", "api-staging")
                );
            }
            other => panic!("{other:?}"),
        }
        let e = err(&RUNNING_API.replace("tenant = \"api-staging\"\n", ""));
        assert!(
            e.starts_with("s.toml:3:") && e.contains("needs `tenant` in [api]"),
            "{e}"
        );
        let e = err(&RUNNING_API.replace("tenant = \"api-staging\"", "tenant = \" \""));
        assert!(
            e.starts_with("s.toml:4: key `tenant` in [api] is empty"),
            "{e}"
        );
        let e = err(&RUNNING_API.replace("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(
            e.starts_with("s.toml:3: key `url` in [api]") && e.contains("absolute http(s) URL"),
            "{e}"
        );
        let e = err(&format!(
            "{RUNNING_API}ready_url = \"{{api_url}}/healthz\"\n"
        ));
        assert!(
            e.starts_with("s.toml:7: key `ready_url` in [api] is only for an API Stickler starts"),
            "{e}"
        );
        let e = err(&RUNNING_API.replace(
            "url = \"http://127.0.0.1:8080\"\ntenant = \"api-staging\"\n",
            "",
        ));
        assert!(
            e.starts_with("s.toml:3:")
                && e.contains("[api] needs `command`")
                && e.contains("or `url`"),
            "{e}"
        );
    }

    #[test]
    fn a_cli_and_an_api_without_a_web_app_are_a_scenario() {
        let s = parse(Path::new("s.toml"), &format!("name = \"x\"\n{CLI_API}")).expect("parses");
        assert!(matches!(s.app, AppMode::Absent));
        assert!(s.cli.is_some() && s.api.is_some());
        let e = err("name = \"x\"\n");
        assert!(
            e.starts_with("s.toml:1:") && e.contains("describes nothing to test"),
            "{e}"
        );
        let e = err(&format!(
            "name = \"x\"\n{CLI_API}\n[login]\nstart_url = \"/\"\nsigned_in = \"#u\"\n"
        ));
        assert!(e.contains("describe a web app: add its [app] table"), "{e}");
        let e = err(
            "name = \"x\"\n[app]\ncommand = [\"a\"]\nready_url = \"{app_url}/\"\n[login]\nstart_url = \"/\"\nsigned_in = \"#u\"\n",
        );
        assert!(
            e.starts_with("s.toml:2:") && e.contains("missing table [client]"),
            "{e}"
        );
        let e = err(&format!(
            "name = \"x\"\n{}",
            CLI_API.replace("[cli]\n", "[cli]\nbuild = []\n")
        ));
        assert!(e.contains("key `build` in [cli]"), "{e}");
    }
}
