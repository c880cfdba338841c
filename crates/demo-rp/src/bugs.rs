//! The `--bug` switches: one deliberate mistake each, as real relying-party libraries
//! and the apps built on them make it. Each is declared once here and used where it bites.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! bugs {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, )+) => {
        /// One deliberate mistake.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Bug { $( $(#[doc = $doc])+ $variant, )+ }

        impl Bug {
            /// Every bug, in declaration order.
            pub const ALL: &'static [Bug] = &[$(Bug::$variant),+];

            /// Its switch name, as `--bug` takes it.
            pub fn name(self) -> &'static str {
                match self { $(Bug::$variant => $name,)+ }
            }

            /// What it does and which library does it (its doc comment, on one line).
            pub fn doc(self) -> &'static str {
                match self { $(Bug::$variant => concat!($($doc),+),)+ }.trim()
            }
        }
    };
}

bugs! {
    /// Sends no `state` and checks none (Auth.js / next-auth v5, whose default is
    /// `checks: ["pkce"]`).
    NoState = "no-state",
    /// Sends a 4-character `state` (hand-rolled flows with a short random token).
    ShortState = "short-state",
    /// Does not compare the callback's `state` with the stored one, so a forged callback
    /// is exchanged (golang.org/x/oauth2 and go-oidc leave the comparison to the app).
    IgnoreStateMismatch = "ignore-state-mismatch",
    /// Authenticates at the token endpoint with client_secret_basic whatever
    /// `--auth-method` says (Auth.js's default).
    AuthBasicAlways = "auth-basic-always",
    /// Authenticates at the token endpoint with client_secret_post whatever
    /// `--auth-method` says (mozilla-django-oidc's and openid-client v6's default).
    AuthPostAlways = "auth-post-always",
    /// Removes a trailing slash from `--issuer` before discovery and validation (go-oidc
    /// users configuring `https://oauth.id.jumpcloud.com`).
    StripIssuerSlash = "strip-issuer-slash",
    /// Uses PKCE with `code_challenge_method=plain` (apps that pick the first method
    /// discovery lists).
    PlainPkce = "plain-pkce",
    /// Sends a 4-character `nonce` (hand-rolled flows with a short random token).
    ShortNonce = "short-nonce",
    /// Crashes on a callback carrying `error=`: logs `unhandled error: …` and exits with
    /// status 1, so the browser's connection fails (an Express 4 route awaiting
    /// openid-client's `callback()`, which rejects with `OPError`, without a `catch`:
    /// since Node.js 15 an unhandled promise rejection ends the process).
    CrashOnIdpError = "crash-on-idp-error",
    /// Parses the groups claim strictly as an array of strings, so JumpCloud's single
    /// string fails with HTTP 500 (a Go `[]string`, a zod array, Harbor).
    GroupsArrayOnly = "groups-array-only",
    /// Reads the groups claim as one string (a Go `string` field, a `groups.split(",")`),
    /// so a user in several groups, whom JumpCloud sends an array for, fails with
    /// HTTP 500.
    GroupsStringOnly = "groups-string-only",
    /// Sends `{app_url}/callback/` as redirect_uri while `{app_url}/callback` is
    /// registered (a base URL with a trailing slash, framework slash-appending).
    WrongRedirectUri = "wrong-redirect-uri",
    /// Skips the ID token `iss` check (PyJWT's `decode` without `issuer=`) and accepts a
    /// discovery document naming another issuer (go-oidc's `InsecureIssuerURLContext`,
    /// metadata fetched with a plain HTTP GET).
    SkipIssuerCheck = "skip-issuer-check",
    /// Skips the ID token `aud` check (node jsonwebtoken's `verify` without `audience`).
    SkipAudienceCheck = "skip-audience-check",
    /// Skips the ID token signature check (PyJWT with `verify_signature: False`, or
    /// jwt-decode used as if it verified).
    SkipSignatureCheck = "skip-signature-check",
    /// Accepts any signing algorithm, including `none` (node jsonwebtoken before 4.2.2,
    /// CVE-2015-9235).
    AcceptAlgNone = "accept-alg-none",
    /// Does not compare the ID token `nonce` with the one sent (go-oidc's verifier leaves
    /// the nonce to the app).
    IgnoreNonce = "ignore-nonce",
    /// Accepts expired ID tokens (go-oidc's `SkipExpiryCheck: true`, PyJWT's
    /// `verify_exp: False`).
    IgnoreExp = "ignore-exp",
    /// Accepts a userinfo answer about another subject than the ID token's (go-oidc's
    /// `UserInfo` leaves the `sub` comparison to the app).
    IgnoreUserinfoSubMismatch = "ignore-userinfo-sub-mismatch",
    /// Keeps the JWKS fetched at start-up and never refetches it, so a rotated key fails
    /// every sign-in (go-oidc's `StaticKeySet`, JWKS loaded once at boot).
    CacheJwksForever = "cache-jwks-forever",
    /// Accepts an ID token without `sub` or `iat`, defaulting them to "" and now
    /// (hand-rolled RPs that decode the JWT payload into a struct with defaults, serde's
    /// `#[serde(default)]`, Go's zero values).
    LenientClaims = "lenient-claims",
    /// Does not check `iat`, so a token issued a day in the future is accepted
    /// (openidconnect's `IdTokenVerifier` default, jsonwebtoken without `maxTokenAge`).
    IgnoreIat = "ignore-iat",
    /// Refuses an ID token whose header has no `kid`, even when the JWKS has one key
    /// (jose libraries that look keys up by `kid`, jwks-rsa's `getSigningKey(kid)`).
    RequireKid = "require-kid",
    /// Never calls userinfo and takes claims only from the ID token, so a thin ID token
    /// leaves the app without the email (next-auth providers with `userinfo` unset).
    SkipUserinfo = "skip-userinfo",
    /// Refuses `email_verified` given as the string "true" (openidconnect built without
    /// `accept-string-booleans`: the AWS Cognito problem).
    StrictBooleans = "strict-booleans",
    /// Crashes when it refuses an ID token: logs `unhandled error: …` and exits with
    /// status 1, so the browser's connection fails (an Express 4 route awaiting
    /// openid-client's `callback()`, which rejects with `RPError`, without a `catch`:
    /// since Node.js 15 an unhandled promise rejection ends the process).
    CrashOnInvalidToken = "crash-on-invalid-token",
    /// Does not compare `at_hash` with the access token (most code-flow RPs:
    /// openidconnect leaves it to the app, go-oidc to `VerifyAccessToken`).
    SkipAtHashCheck = "skip-at-hash-check",
    /// Remembers each callback's sign-in by its `code` and signs in anyone who presents
    /// that code again, with no flow of their own (a callback made idempotent against
    /// double requests: React strict mode, a link prefetcher, a retried redirect). A
    /// callback URL leaked through history, logs or a `Referer` is then a session.
    ReplayableCallback = "replayable-callback",
    /// Answers every ID-token refusal with a generic HTTP 500 page that has no `#error`
    /// (Auth.js: a failed callback ends on its built-in error page with
    /// `error=Configuration`, which it serves with status 500).
    RefuseWith500 = "refuse-with-500",
    /// Authenticates at the token endpoint with client_secret_basic first and, when the
    /// IdP answers `invalid_client`, sends the same request again with the id and
    /// secret in the body (golang.org/x/oauth2's `AuthStyleAutoDetect`: header first,
    /// then params; Go retries after any error and remembers the style that worked,
    /// this app retries after `invalid_client` only and probes at every sign-in).
    AuthBasicThenPost = "auth-basic-then-post",
    /// Configured for client_secret_basic, sends the client credentials twice: in the
    /// `Authorization: Basic` header and as `client_id` and `client_secret` in the body
    /// (Authlib in open-webui, backstage,
    /// ueberauth/oauth2, tomcat-oidcauth: what Okta refuses, quirks.md O7).
    AuthBoth = "auth-both",
    /// Sends no `nonce` and so expects none: an ID token without one is fine, one with a
    /// nonce is refused as unexpected (Auth.js with its default `checks: ["pkce"]`, whose
    /// oauth4webapi then expects no nonce; apps on bare golang.org/x/oauth2 without
    /// `oidc.Nonce`, which check none either: add `ignore-nonce`).
    NoNonce = "no-nonce",
    /// Cannot sign in at all: the sign-in link leads to the app's error page ("sign-in
    /// is not configured") and the browser never reaches the IdP (an SSO integration
    /// left unconfigured, as django-allauth stops with `SocialApp matching query does
    /// not exist` when the provider has no SocialApp).
    NoSignIn = "no-sign-in",
    /// Never answers its callback: the request hangs (a callback handler blocked on a
    /// slow database or a lock, or an outbound call without a timeout).
    HangOnCallback = "hang-on-callback",
    /// Sends no PKCE challenge (apps on bare golang.org/x/oauth2 without
    /// `oauth2.S256ChallengeOption`, many hand-rolled flows). Alone it signs in (JumpCloud
    /// does not require PKCE); with `ignore-state-mismatch`, nothing binds the callback to
    /// the browser that started the sign-in.
    NoPkce = "no-pkce",
    /// Compares discovery's `issuer` with the configured one byte for byte, so Entra's
    /// multi-tenant template `…/{tenantid}/v2.0` is refused and nobody signs in through
    /// `/common` (openidconnect's `discover_async` alone, go-oidc's `NewProvider`,
    /// Auth.js's generic `oidc` provider).
    LiteralIssuer = "literal-issuer",
    /// Takes an ID token whose `iss` fills Entra's `{tenantid}` template with any tenant,
    /// without comparing it with the token's `tid` (multi-tenant apps that match `iss`
    /// against a pattern, or turn issuer validation off for `/common`).
    AnyTenantIssuer = "any-tenant-issuer",
    /// Accepts only RS256 ID tokens, whatever discovery lists, so an HS256 ID token
    /// signed with the client secret is refused (go-oidc's default
    /// `SupportedSigningAlgs`; Auth0's older applications and Authentik without a signing
    /// key send HS256).
    Rs256Only = "rs256-only",
    /// Asks for a `groups` scope on every sign-in, as apps written for an IdP that serves
    /// one (Dex, Keycloak) do: Google refuses it on its own page (otf, headscale, Harbor).
    GroupsScope = "groups-scope",
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Bug {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bug::ALL
            .iter()
            .copied()
            .find(|b| b.name() == s)
            .ok_or_else(|| format!("unknown bug `{s}` (valid: {})", Bug::names()))
    }
}

impl Bug {
    /// Every switch name, comma-separated.
    pub fn names() -> String {
        Bug::ALL
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The switched-on bugs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bugs(BTreeSet<Bug>);

impl Bugs {
    /// Parses switch names, each possibly comma-separated; blanks are ignored.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Bugs, String> {
        let mut set = BTreeSet::new();
        for name in names
            .into_iter()
            .flat_map(|n| n.split(','))
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            set.insert(name.parse()?);
        }
        Ok(Bugs(set))
    }

    /// Whether a bug is switched on.
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
    fn names_parse_repeated_and_comma_separated() {
        let b = Bugs::parse(["no-state, plain-pkce", "short-nonce", ""]).unwrap();
        assert!(b.has(Bug::NoState) && b.has(Bug::PlainPkce) && b.has(Bug::ShortNonce));
        assert!(!b.has(Bug::ShortState));
        assert_eq!(b.to_string(), "no-state, plain-pkce, short-nonce");
    }

    #[test]
    fn unknown_name_is_refused_with_the_valid_ones() {
        let e = Bugs::parse(["no-state", "nope"]).unwrap_err();
        assert!(e.contains("unknown bug `nope`"), "{e}");
        assert!(
            e.contains("no-state") && e.contains("cache-jwks-forever"),
            "{e}"
        );
    }

    #[test]
    fn no_bugs_reads_none() {
        assert_eq!(Bugs::parse([]).unwrap().to_string(), "none");
    }

    #[test]
    fn every_name_round_trips_and_is_documented() {
        for b in Bug::ALL {
            assert_eq!(b.name().parse::<Bug>(), Ok(*b));
            assert!(!b.doc().is_empty());
        }
        let mut names: Vec<_> = Bug::ALL.iter().map(|b| b.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Bug::ALL.len());
        assert_eq!(Bug::ALL.len(), 39);
    }

    #[test]
    fn the_claim_and_token_bugs_have_their_switch_names() {
        let b = Bugs::parse([
            "lenient-claims,ignore-iat,require-kid,skip-userinfo",
            "strict-booleans,crash-on-invalid-token,skip-at-hash-check",
        ])
        .unwrap();
        for bug in [
            Bug::LenientClaims,
            Bug::IgnoreIat,
            Bug::RequireKid,
            Bug::SkipUserinfo,
            Bug::StrictBooleans,
            Bug::CrashOnInvalidToken,
            Bug::SkipAtHashCheck,
        ] {
            assert!(b.has(bug), "{bug}");
        }
        assert!(Bug::SkipIssuerCheck.doc().contains("discovery"));
    }
}
