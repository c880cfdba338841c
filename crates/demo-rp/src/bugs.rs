//! The `--bug` switches: one mistake each, as real RP libraries make them.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! bugs {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, )+) => {
        /// One deliberate mistake.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Bug { $( $(#[doc = $doc])+ $variant, )+ }

        impl Bug {
            /// Every bug.
            pub const ALL: &'static [Bug] = &[$(Bug::$variant),+];
            /// Its switch name.
            pub fn name(self) -> &'static str { match self { $(Bug::$variant => $name,)+ } }
            /// What it does.
            pub fn doc(self) -> &'static str { match self { $(Bug::$variant => concat!($($doc),+),)+ } }
        }
    };
}

bugs! {
    /// Sends no `state` and checks none (Auth.js v5's default `checks: ["pkce"]`).
    NoState = "no-state",
    /// Sends a 4-character state.
    ShortState = "short-state",
    /// Does not compare the callback's state with its own (login CSRF).
    IgnoreStateMismatch = "ignore-state-mismatch",
    /// Always authenticates with client_secret_basic (Auth.js default).
    AuthBasicAlways = "auth-basic-always",
    /// Always authenticates with client_secret_post (mozilla-django-oidc, openid-client v6).
    AuthPostAlways = "auth-post-always",
    /// Removes the issuer's trailing slash (go-oidc users writing `https://oauth.id.jumpcloud.com`).
    StripIssuerSlash = "strip-issuer-slash",
    /// Uses PKCE `plain` because discovery lists it.
    PlainPkce = "plain-pkce",
    /// Sends a 4-character nonce.
    ShortNonce = "short-nonce",
    /// Answers an IdP error redirect with HTTP 500 (an unhandled exception).
    CrashOnIdpError = "crash-on-idp-error",
    /// Parses the groups claim strictly as an array (a Go `[]string`, a zod array).
    GroupsArrayOnly = "groups-array-only",
    /// Sends `{app_url}/callback/` while `{app_url}/callback` is registered.
    WrongRedirectUri = "wrong-redirect-uri",
    /// Skips the ID token `iss` check.
    SkipIssuerCheck = "skip-issuer-check",
    /// Skips the ID token `aud` check.
    SkipAudienceCheck = "skip-audience-check",
    /// Skips the ID token signature check.
    SkipSignatureCheck = "skip-signature-check",
    /// Accepts any signing algorithm.
    AcceptAnyAlg = "accept-any-alg",
    /// Does not compare the ID token `nonce` with its own.
    IgnoreNonce = "ignore-nonce",
    /// Accepts expired ID tokens.
    IgnoreExp = "ignore-exp",
    /// Accepts a userinfo answer about another subject.
    IgnoreUserinfoSub = "ignore-userinfo-sub-mismatch",
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Bug {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bug::ALL.iter().copied().find(|b| b.name() == s).ok_or_else(|| {
            let names: Vec<_> = Bug::ALL.iter().map(|b| b.name()).collect();
            format!("unknown bug `{s}` (known: {})", names.join(", "))
        })
    }
}

/// The switched-on bugs.
#[derive(Debug, Clone, Default)]
pub struct Bugs(BTreeSet<Bug>);

impl Bugs {
    /// Parses names, each possibly comma-separated.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Bugs, String> {
        let mut set = BTreeSet::new();
        for n in names.into_iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
            set.insert(n.parse()?);
        }
        Ok(Bugs(set))
    }

    /// Whether a bug is on.
    pub fn has(&self, bug: Bug) -> bool {
        self.0.contains(&bug)
    }
}

impl fmt::Display for Bugs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<_> = self.0.iter().map(|b| b.name()).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_is_refused() {
        let b = Bugs::parse(["no-state,plain-pkce", "short-nonce"]).unwrap();
        assert!(b.has(Bug::NoState) && b.has(Bug::PlainPkce) && b.has(Bug::ShortNonce));
        assert!(Bugs::parse(["nope"]).unwrap_err().contains("known: no-state"));
        assert!(Bug::ALL.iter().all(|b| b.name().parse::<Bug>() == Ok(*b)));
    }
}
