//! The scenario file (TOML): how to start and drive one app. Parsed once into a
//! validated [`ScenarioFile`]; errors name the file, line and key.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use stickler_idp::{Profile, TokenAuthMethod};

/// The placeholders a scenario file may use.
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

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (1 when unknown).
    pub line: usize,
    /// What is wrong, naming the key.
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    #[serde(default)]
    features: Vec<PathBuf>,
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    workdir: Option<PathBuf>,
    app: RawApp,
    #[serde(default)]
    idp: Option<FixedTenant>,
    client: ClientRegistration,
    login: LoginSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    #[serde(default)]
    build: Option<Vec<String>>,
    #[serde(default)]
    command: Option<Vec<String>>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    ready_url: Option<String>,
    #[serde(default)]
    ready_timeout_secs: Option<u64>,
    #[serde(default)]
    url: Option<String>,
}

/// The fixed tenant an already running app is configured for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedTenant {
    /// Tenant name.
    pub tenant: String,
    /// Client id the app uses.
    pub client_id: String,
    /// Client secret the app uses.
    pub client_secret: String,
}

/// How the app registers at the IdP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRegistration {
    /// Redirect URIs (placeholders allowed).
    pub redirect_uris: Vec<String>,
    /// Post-logout redirect URIs.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// The one token endpoint auth method (default: the profile's).
    #[serde(default)]
    pub token_endpoint_auth_method: Option<TokenAuthMethod>,
}

/// How a person signs in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSpec {
    /// The page to open.
    pub start_url: String,
    /// What to click to start SSO.
    #[serde(default)]
    pub click: Option<String>,
    /// The element showing the signed-in user.
    pub signed_in: String,
    /// Text it must contain (`{username}`, `{email}`, `{sub}`).
    #[serde(default)]
    pub signed_in_contains: Option<String>,
    /// The element the app shows on a refused sign-in.
    #[serde(default)]
    pub error: Option<String>,
}

/// How to start a managed app.
#[derive(Debug, Clone)]
pub struct AppCommand {
    /// Program and arguments (placeholders unfilled).
    pub argv: Vec<String>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// Readiness URL.
    pub ready_url: String,
    /// Where it runs.
    pub workdir: PathBuf,
}

/// Managed or already running.
#[derive(Debug, Clone)]
pub enum AppMode {
    /// The runner starts it per check.
    Managed {
        /// Run once before the checks.
        build: Option<Vec<String>>,
        /// The start command.
        command: AppCommand,
    },
    /// It runs already at this base URL.
    Running {
        /// Base URL.
        url: String,
    },
}

/// A validated scenario file.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The file it came from.
    pub path: PathBuf,
    /// Display name.
    pub name: String,
    /// Feature paths, resolved.
    pub features: Vec<PathBuf>,
    /// Default profile.
    pub profile: Profile,
    /// Working directory, resolved.
    pub workdir: PathBuf,
    /// The app.
    pub app: AppMode,
    /// The fixed tenant (running apps).
    pub idp: Option<FixedTenant>,
    /// Registration.
    pub client: ClientRegistration,
    /// Sign-in.
    pub login: LoginSpec,
    ready_timeout_secs: u64,
}

impl ScenarioFile {
    /// How long the app may take to answer its readiness URL.
    pub fn ready_timeout(&self) -> Duration {
        Duration::from_secs(self.ready_timeout_secs)
    }
}

/// Placeholder values.
#[derive(Debug, Clone, Default)]
pub struct Placeholders(BTreeMap<String, String>);

/// A placeholder that is unknown or has no value yet.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PlaceholderError(String);

impl Placeholders {
    /// Sets a value.
    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    /// Fills `{name}`s in a template; `{{` and `}}` are literal braces.
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
                return Err(PlaceholderError(format!("unmatched `}}` in `{template}` (write `}}}}` for a brace)")));
            }
            let Some(end) = tail.find('}') else {
                return Err(PlaceholderError(format!("unclosed `{{` in `{template}` (write `{{{{` for a brace)")));
            };
            let name = &tail[1..end];
            match self.0.get(name) {
                Some(v) => out.push_str(v),
                None if KNOWN_PLACEHOLDERS.contains(&name) => {
                    return Err(PlaceholderError(format!("placeholder `{{{name}}}` has no value at this point")));
                }
                None => {
                    return Err(PlaceholderError(format!(
                        "unknown placeholder `{{{name}}}` in `{template}` (known: {})",
                        KNOWN_PLACEHOLDERS.map(|k| format!("{{{k}}}")).join(", ")
                    )));
                }
            }
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(key) && t[key.len()..].trim_start().starts_with('=')
        })
        .map_or(1, |i| i + 1)
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        file: path.to_path_buf(),
        line: 1,
        message: format!("cannot read: {e}"),
    })?;
    parse(path, &text)
}

/// Parses and validates scenario text; `path` locates relative paths and names errors.
pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, ScenarioError> {
    let err = |line: usize, message: String| ScenarioError {
        file: path.to_path_buf(),
        line,
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, key) = stickler_idp::config::locate(text, &e);
        err(line, format!("{key}{}", e.message().trim()))
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
    let workdir = dir.join(raw.workdir.unwrap_or_default());
    let features: Vec<PathBuf> = raw.features.iter().map(|f| dir.join(f)).collect();
    for (f, raw_f) in features.iter().zip(&raw.features) {
        if !f.exists() {
            return Err(err(line_of(text, "features"), format!("key `features`: {} does not exist (relative to {})", raw_f.display(), dir.display())));
        }
    }
    // Every template must only use known placeholders.
    let probe = {
        let mut p = Placeholders::default();
        for k in KNOWN_PLACEHOLDERS {
            p.set(k, "x");
        }
        p
    };
    let check = |key: &str, s: &str| probe.fill(s).map(drop).map_err(|e| err(line_of(text, key), format!("key `{key}`: {e}")));
    let app = match (raw.app.command, raw.app.url) {
        (Some(_), Some(_)) => return Err(err(line_of(text, "url"), "[app] has both `command` and `url`: use `command` for an app Stickler starts, `url` for one that already runs".into())),
        (None, None) => return Err(err(line_of(text, "[app]"), "[app] needs `command` (an app Stickler starts) or `url` (one that already runs)".into())),
        (Some(argv), None) => {
            if argv.is_empty() || argv[0].is_empty() {
                return Err(err(line_of(text, "command"), "key `command`: must name a program".into()));
            }
            for a in &argv {
                check("command", a)?;
            }
            for v in raw.app.env.values() {
                check("env", v)?;
            }
            let Some(ready_url) = raw.app.ready_url else {
                return Err(err(line_of(text, "command"), "[app] with `command` needs `ready_url` (a URL that answers 2xx/3xx once the app is up)".into()));
            };
            check("ready_url", &ready_url)?;
            if raw.idp.is_some() {
                return Err(err(line_of(text, "tenant"), "[idp] is only for an app that already runs (`url`); a managed app gets a fresh tenant per check".into()));
            }
            if matches!(&raw.app.build, Some(b) if b.is_empty()) {
                return Err(err(line_of(text, "build"), "key `build`: must name a program".into()));
            }
            AppMode::Managed {
                build: raw.app.build,
                command: AppCommand { argv, env: raw.app.env, ready_url, workdir: workdir.clone() },
            }
        }
        (None, Some(url)) => {
            if url::Url::parse(&url).is_err() {
                return Err(err(line_of(text, "url"), format!("key `url`: `{url}` is not an absolute URL")));
            }
            for (key, present) in [("build", raw.app.build.is_some()), ("ready_url", raw.app.ready_url.is_some()), ("env", !raw.app.env.is_empty())] {
                if present {
                    return Err(err(line_of(text, key), format!("key `{key}`: only for an app Stickler starts (`command`), not with `url`")));
                }
            }
            AppMode::Running { url }
        }
    };
    if raw.client.redirect_uris.is_empty() {
        return Err(err(line_of(text, "redirect_uris"), "key `redirect_uris`: at least one redirect URI is needed".into()));
    }
    for u in raw.client.redirect_uris.iter().chain(&raw.client.post_logout_redirect_uris) {
        check("redirect_uris", u)?;
    }
    check("start_url", &raw.login.start_url)?;
    for (key, sel) in [("signed_in", Some(&raw.login.signed_in)), ("click", raw.login.click.as_ref()), ("error", raw.login.error.as_ref())] {
        if sel.is_some_and(|s| s.trim().is_empty()) {
            return Err(err(line_of(text, key), format!("key `{key}`: the CSS selector is empty")));
        }
    }
    Ok(ScenarioFile {
        path: path.to_path_buf(),
        name: raw.name,
        features,
        profile: raw.profile.unwrap_or(Profile::Jumpcloud),
        workdir,
        app,
        idp: raw.idp,
        client: raw.client,
        login: raw.login,
        ready_timeout_secs: raw.app.ready_timeout_secs.unwrap_or(30),
    })
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

    #[test]
    fn a_valid_file_parses() {
        let s = parse(Path::new("dir/s.toml"), GOOD).unwrap();
        assert!(matches!(s.app, AppMode::Managed { .. }));
        assert_eq!(s.profile, Profile::Jumpcloud);
        assert_eq!(s.ready_timeout(), Duration::from_secs(30));
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let e = err(&GOOD.replace("ready_url", "redy_url"));
        assert!(e.starts_with("s.toml:5: unknown field `redy_url`"), "{e}");
    }

    #[test]
    fn command_and_url_together_is_an_error() {
        let e = err(&GOOD.replace("ready_url = ", "url = \"http://x\"\nready_url = "));
        assert!(e.contains("both `command` and `url`"), "{e}");
    }

    #[test]
    fn unknown_placeholders_are_errors() {
        let e = err(&GOOD.replace("{issuer}", "{isuer}"));
        assert!(e.starts_with("s.toml:4: key `command`: unknown placeholder `{isuer}`"), "{e}");
    }

    #[test]
    fn placeholders_fill_and_escape() {
        let mut p = Placeholders::default();
        p.set("port", "8080");
        assert_eq!(p.fill("127.0.0.1:{port} {{x}}").unwrap(), "127.0.0.1:8080 {x}");
        assert!(p.fill("{issuer}").unwrap_err().to_string().contains("no value"));
    }
}
