//! The checked configuration: the command line's raw flags turned once into typed
//! values (issuer, client, token endpoint authentication, URLs, bugs).

use crate::bugs::{Bug, Bugs};
use clap::ValueEnum;
use openidconnect::{ClientId, ClientSecret, IssuerUrl, PostLogoutRedirectUrl, RedirectUrl};
use std::net::SocketAddr;

/// How the app authenticates at the token endpoint (OIDC Core §9,
/// `token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMethod {
    /// `client_secret_post`: id and secret in the form body.
    #[value(name = "client_secret_post")]
    ClientSecretPost,
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret.
    #[value(name = "client_secret_basic")]
    ClientSecretBasic,
    /// `none`: a public client, `client_id` in the body and no secret.
    #[value(name = "none")]
    None,
}

impl AuthMethod {
    /// Its registered name.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::None => "none",
        }
    }
}

/// The flags as given, before checking.
#[derive(Debug, Clone)]
pub struct RawSettings {
    /// `--issuer`.
    pub issuer: String,
    /// `--client-id`.
    pub client_id: String,
    /// `--client-secret`; empty counts as absent.
    pub client_secret: Option<String>,
    /// `--auth-method`.
    pub auth_method: Option<AuthMethod>,
    /// `--listen`.
    pub listen: SocketAddr,
    /// `--app-url`.
    pub app_url: String,
    /// `--scopes`.
    pub scopes: String,
    /// `--groups-claim`.
    pub groups_claim: String,
    /// `--bug`, each possibly comma-separated.
    pub bugs: Vec<String>,
}

/// The checked configuration the rest of the app reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The issuer the app discovers and validates against (after `strip-issuer-slash`).
    pub issuer: IssuerUrl,
    /// The client id.
    pub client_id: ClientId,
    /// The secret, unless the app is a public client.
    pub client_secret: Option<ClientSecret>,
    /// The token endpoint authentication the app actually uses (after the bugs).
    pub auth_method: AuthMethod,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The app's base URL, without a trailing slash.
    pub app_url: String,
    /// The redirect URI the app sends (after `wrong-redirect-uri`).
    pub redirect_url: RedirectUrl,
    /// Where the IdP sends the browser back after RP-initiated logout.
    pub post_logout_url: PostLogoutRedirectUrl,
    /// Scopes besides `openid` (openidconnect always adds that one).
    pub extra_scopes: Vec<String>,
    /// The name of the groups claim.
    pub groups_claim: String,
    /// The switched-on bugs.
    pub bugs: Bugs,
}

/// A flag that does not make sense.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// An unknown `--bug`.
    #[error("{0}")]
    UnknownBug(String),
    /// A URL that does not parse.
    #[error("--{flag} `{value}` is not a URL: {reason}")]
    BadUrl {
        /// The flag.
        flag: &'static str,
        /// What was given.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A secret-based method without a secret.
    #[error("--auth-method {0} needs --client-secret")]
    MissingSecret(&'static str),
}

impl Settings {
    /// Checks the raw flags.
    pub fn check(raw: RawSettings) -> Result<Settings, SettingsError> {
        let bugs =
            Bugs::parse(raw.bugs.iter().map(String::as_str)).map_err(SettingsError::UnknownBug)?;
        let bad_url = |flag: &'static str, value: &str, e: url::ParseError| SettingsError::BadUrl {
            flag,
            value: value.to_string(),
            reason: e.to_string(),
        };
        let issuer = if bugs.has(Bug::StripIssuerSlash) {
            raw.issuer.trim_end_matches('/').to_string()
        } else {
            raw.issuer.clone()
        };
        let issuer = IssuerUrl::new(issuer).map_err(|e| bad_url("issuer", &raw.issuer, e))?;
        let app_url = raw.app_url.trim_end_matches('/').to_string();
        url::Url::parse(&app_url).map_err(|e| bad_url("app-url", &raw.app_url, e))?;
        let callback = if bugs.has(Bug::WrongRedirectUri) {
            "/callback/"
        } else {
            "/callback"
        };
        let redirect_url = RedirectUrl::new(format!("{app_url}{callback}"))
            .map_err(|e| bad_url("app-url", &raw.app_url, e))?;
        let post_logout_url = PostLogoutRedirectUrl::new(format!("{app_url}/"))
            .map_err(|e| bad_url("app-url", &raw.app_url, e))?;
        let client_secret = raw
            .client_secret
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new);
        let configured = raw.auth_method.unwrap_or(if client_secret.is_some() {
            AuthMethod::ClientSecretBasic
        } else {
            AuthMethod::None
        });
        if configured != AuthMethod::None && client_secret.is_none() {
            return Err(SettingsError::MissingSecret(configured.name()));
        }
        // The auth bugs change how a secret is sent; a public client has none to send.
        let auth_method = match configured {
            AuthMethod::None => AuthMethod::None,
            _ if bugs.has(Bug::AuthBasicAlways) => AuthMethod::ClientSecretBasic,
            _ if bugs.has(Bug::AuthPostAlways) => AuthMethod::ClientSecretPost,
            // Basic first; the body only after the IdP refuses it (see `oidc::sign_in`).
            _ if bugs.has(Bug::AuthBasicThenPost) => AuthMethod::ClientSecretBasic,
            m => m,
        };
        Ok(Settings {
            issuer,
            client_id: ClientId::new(raw.client_id),
            // `none` never sends the secret, even when one was given.
            client_secret: client_secret.filter(|_| auth_method != AuthMethod::None),
            auth_method,
            listen: raw.listen,
            app_url,
            redirect_url,
            post_logout_url,
            extra_scopes: raw
                .scopes
                .split_whitespace()
                .filter(|s| *s != "openid")
                .map(str::to_string)
                .chain(bugs.has(Bug::GroupsScope).then(|| "groups".to_string()))
                .collect(),
            groups_claim: raw.groups_claim,
            bugs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawSettings {
        RawSettings {
            issuer: "http://127.0.0.1:4000/t/abc/".into(),
            client_id: "app".into(),
            client_secret: Some("s3cret".into()),
            auth_method: None,
            listen: "127.0.0.1:3000".parse().unwrap(),
            app_url: "http://127.0.0.1:3000/".into(),
            scopes: "openid email profile".into(),
            groups_claim: "memberOf".into(),
            bugs: vec![],
        }
    }

    #[test]
    fn correct_by_default() {
        let s = Settings::check(raw()).unwrap();
        assert_eq!(s.issuer.as_str(), "http://127.0.0.1:4000/t/abc/");
        assert_eq!(s.redirect_url.as_str(), "http://127.0.0.1:3000/callback");
        assert_eq!(s.post_logout_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(s.auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(s.extra_scopes, ["email", "profile"]);
    }

    #[test]
    fn no_secret_means_a_public_client() {
        let s = Settings::check(RawSettings {
            client_secret: Some(String::new()),
            ..raw()
        })
        .unwrap();
        assert_eq!(s.auth_method, AuthMethod::None);
        assert!(s.client_secret.is_none());
        let e = Settings::check(RawSettings {
            client_secret: None,
            auth_method: Some(AuthMethod::ClientSecretPost),
            ..raw()
        })
        .unwrap_err();
        assert_eq!(e, SettingsError::MissingSecret("client_secret_post"));
    }

    #[test]
    fn method_none_drops_the_secret() {
        let s = Settings::check(RawSettings {
            auth_method: Some(AuthMethod::None),
            ..raw()
        })
        .unwrap();
        assert!(s.client_secret.is_none());
    }

    #[test]
    fn bugs_bend_the_settings() {
        let s = Settings::check(RawSettings {
            auth_method: Some(AuthMethod::ClientSecretPost),
            bugs: vec![
                "auth-basic-always,strip-issuer-slash".into(),
                "wrong-redirect-uri".into(),
            ],
            ..raw()
        })
        .unwrap();
        assert_eq!(s.auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(s.issuer.as_str(), "http://127.0.0.1:4000/t/abc");
        assert_eq!(s.redirect_url.as_str(), "http://127.0.0.1:3000/callback/");
        let s = Settings::check(RawSettings {
            bugs: vec!["auth-post-always".into()],
            ..raw()
        })
        .unwrap();
        assert_eq!(s.auth_method, AuthMethod::ClientSecretPost);
        let s = Settings::check(RawSettings {
            auth_method: Some(AuthMethod::ClientSecretPost),
            bugs: vec!["auth-basic-then-post".into()],
            ..raw()
        })
        .unwrap();
        assert_eq!(s.auth_method, AuthMethod::ClientSecretBasic);
    }

    #[test]
    fn unknown_bug_and_bad_urls_are_refused() {
        let e = Settings::check(RawSettings {
            bugs: vec!["nope".into()],
            ..raw()
        })
        .unwrap_err();
        assert!(matches!(e, SettingsError::UnknownBug(m) if m.contains("valid: no-state")));
        let e = Settings::check(RawSettings {
            app_url: "not a url".into(),
            ..raw()
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("--app-url `not a url` is not a URL"),
            "{e}"
        );
    }
}
