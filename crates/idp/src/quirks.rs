//! Quirks: one switchable provider behaviour each, declared once with one default.
//!
//! Every quirk is declared exactly once, in [`declare_quirks!`] below: its name, its type,
//! its default (the baseline, a tolerant spec-correct provider) and its documentation
//! (with the real provider's source). The macro derives the [`Quirks`] struct, the
//! all-optional [`QuirkOverrides`] used by config files and the admin API, and the
//! [`QUIRK_DOCS`] table used by `--list-quirks` and the README. How each vendor differs
//! from the baseline lives in its own file under `profiles/`.

pub use crate::dialect::ErrorDialect;
pub use crate::layout::EndpointLayout;
pub use crate::protocol::{SigningAlg, TokenAuthMethod};
use serde::{Deserialize, Serialize};

/// The JSON shape of a claim that may hold one or several values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimShape {
    /// Always a JSON array.
    Array,
    /// A JSON string when there is exactly one value, an array otherwise.
    StringIfSingle,
    /// Always a JSON string (only meaningful for `aud`).
    String,
}

/// When PKCE is mandatory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkceRequired {
    /// PKCE is optional.
    Never,
    /// Public clients (auth method `none`) must send a challenge.
    PublicClients,
    /// Every client must send a challenge.
    Always,
}

/// An error every authorization request is answered with, whatever it carries, once
/// the client and its redirect URI are known (the `authorize_error` quirk). Lets a
/// check reach any app's error handling without finding a request that provokes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizeError {
    /// Authorization requests are judged on their merits.
    None,
    /// fosite's `invalid_state` (with its short-state description).
    InvalidState,
    /// RFC 6749 §4.1.2.1 `access_denied`.
    AccessDenied,
    /// RFC 6749 §4.1.2.1 `invalid_request`.
    InvalidRequest,
    /// RFC 6749 §4.1.2.1 `invalid_scope`.
    InvalidScope,
    /// RFC 6749 §4.1.2.1 `server_error`.
    ServerError,
    /// RFC 6749 §4.1.2.1 `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// RFC 6749 §4.1.2.1 `unsupported_response_type`.
    UnsupportedResponseType,
}

/// How access tokens look (the `access_token_format` quirk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessTokenFormat {
    /// A random opaque string (Hydra's default `ory_at_...`).
    Opaque,
    /// A signed JWT in the shape of RFC 9068 (`typ: at+jwt`; see `access_token.rs`).
    Jwt,
}

/// The shape of RFC 8628 user codes (the `device_user_code_format` quirk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserCodeFormat {
    /// Eight characters from RFC 8628 §6.1's base-20 set `BCDFGHJKLMNPQRSTVWXZ`, shown
    /// with a dash: `BCDF-GHJK` (Hydra/fosite's default set).
    Consonants,
    /// Eight digits: `12345678`.
    Digits,
}

/// One quirk's documentation, for `--list-quirks` and the README.
#[derive(Debug, Clone, Copy)]
pub struct QuirkDoc {
    /// The key used in config files and the admin API.
    pub name: &'static str,
    /// What it does and which real behaviour it copies.
    pub doc: &'static str,
}

macro_rules! declare_quirks {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident : $ty:ty = $default:expr
    ),+ $(,)?) => {
        /// The complete set of behaviour switches of one tenant.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Quirks {
            $( $(#[doc = $doc])+ pub $name: $ty, )+
        }

        /// A partial set of quirks: what a config file or an admin call overrides.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct QuirkOverrides {
            $(
                #[allow(missing_docs)]
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $name: Option<$ty>,
            )+
        }

        impl Quirks {
            /// Every quirk at its default: a tolerant, spec-correct provider. A profile
            /// states only how its vendor differs (`..Quirks::baseline()`).
            pub fn baseline() -> Self {
                Self { $( $name: $default.into(), )+ }
            }

            /// Replaces the values the overrides set.
            pub fn apply(&mut self, overrides: &QuirkOverrides) {
                $( if let Some(v) = &overrides.$name { self.$name = v.clone(); } )+
            }
        }

        impl QuirkOverrides {
            /// Takes the values `later` sets, keeping the others (a command line over a
            /// config file).
            pub fn merge(&mut self, later: &QuirkOverrides) {
                $( if let Some(v) = &later.$name { self.$name = Some(v.clone()); } )+
            }
        }

        /// Documentation of every quirk, in declaration order.
        pub const QUIRK_DOCS: &[QuirkDoc] = &[
            $( QuirkDoc { name: stringify!($name), doc: concat!($($doc, "\n"),+) }, )+
        ];
    };
}

declare_quirks! {
    /// The issuer ends with a slash (`https://oauth.id.jumpcloud.com/`); `iss` and the
    /// discovery `issuer` carry it. go-oidc and Spring refuse an app configured without it:
    /// `oidc: issuer did not match the issuer returned by provider`. (quirks.md J9)
    issuer_trailing_slash: bool = false,

    /// Endpoint paths below the issuer: `hydra` (`/oauth2/auth`, `/oauth2/token`,
    /// `/userinfo`, `/.well-known/jwks.json`, `/oauth2/revoke`, `/oauth2/sessions/logout`;
    /// hydra `oauth2/handler.go`) or `generic`.
    endpoint_layout: EndpointLayout = EndpointLayout::Generic,

    /// Error format: `fosite` (description + hint, `"` → `'`, 303 with `state=` always,
    /// 302 to the error page for client/redirect errors) or `rfc6749`. (quirks.md §1.4)
    error_style: ErrorDialect = ErrorDialect::Rfc6749,

    /// Minimum `state` length in bytes; `0` makes `state` optional. fosite's
    /// MinParameterEntropy is 8: a missing or shorter state is refused with
    /// `invalid_state` before the login page. (quirks.md E-STATE, J1)
    min_state_length: u32 = 0u32,

    /// Minimum `nonce` length when a nonce is sent; `0` disables the check. In the code
    /// flow fosite refuses it at the token endpoint with `insufficient_entropy`.
    /// (quirks.md E-NONCE, J14)
    min_nonce_length: u32 = 0u32,

    /// Enforce the client's single registered `token_endpoint_auth_method` with fosite's
    /// detection rules (body `client_id`+`client_secret` = post, Basic with a password =
    /// basic, post checked first) and its exact 401 `invalid_client` messages. Off: a
    /// confidential client may authenticate either way. (quirks.md E-AUTH-*, J2)
    enforce_token_auth_method: bool = false,

    /// The auth method a client gets when its registration does not say. JumpCloud's
    /// admin console defaults new apps to `client_secret_post` (sourcebot#1022).
    default_token_auth_method: TokenAuthMethod = TokenAuthMethod::ClientSecretBasic,

    /// Accept `code_challenge_method=plain` (or a challenge without a method). Hydra
    /// advertises `plain` in discovery but hard-codes it off: `Clients must use
    /// code_challenge_method=S256, plain is not allowed.` (quirks.md E-PKCE-1, J13)
    pkce_plain_allowed: bool = true,

    /// When PKCE is mandatory: `never`, `public_clients` or `always`. Hydra's
    /// `oauth2.pkce.enforced*` switches; JumpCloud's setting is unknown (off here).
    pkce_required: PkceRequired = PkceRequired::PublicClients,

    /// For `http` redirect URIs on a loopback IP (`127.0.0.1`, `[::1]`) the port is
    /// ignored (RFC 8252 §7.3); everything else must match byte for byte.
    /// (fosite `authorize_helper.go`)
    redirect_uri_loopback_any_port: bool = true,

    /// Users must belong to a group assigned to the app; others are refused with
    /// `access_denied` back to the app after they sign in. JumpCloud: "Users are
    /// implicitly denied access to applications". (quirks.md J3)
    require_group_assignment: bool = false,

    /// The groups claim lists only the user's groups that are assigned to the app
    /// (JumpCloud, quirks.md J6); off: all of the user's groups.
    groups_claim_only_assigned: bool = false,

    /// The name of the groups claim. JumpCloud admins choose it; `memberOf` is common
    /// (goharbor/harbor#20779). Empty: no groups claim. (quirks.md J4)
    groups_claim: String = "groups",

    /// Shape of the groups claim: `string_if_single` (JumpCloud: a string for one group,
    /// an array for several; goharbor/harbor#22289) or `array`. (quirks.md J5)
    groups_claim_shape: ClaimShape = ClaimShape::Array,

    /// Shape of the ID token `aud`: `array` (fosite always) or `string`.
    aud_shape: ClaimShape = ClaimShape::String,

    /// Add fosite/Hydra's `rat`, `sid` and `jti` claims to ID tokens. (harbor#20779)
    hydra_claims: bool = false,

    /// `token_type` in token responses. fosite answers lowercase `bearer`.
    token_type: String = "Bearer",

    /// Prefix of opaque codes and tokens: Hydra's `ory_ac_`/`ory_at_`/`ory_rt_` when on.
    hydra_token_prefixes: bool = false,

    /// Userinfo answers the ID token's claims minus `nonce, at_hash, c_hash, exp, sid, jti`
    /// (so it keeps `iss, aud, iat, rat, auth_time`), as Hydra's `getOidcUserInfo` does.
    /// Off: `sub` plus the profile, email and groups claims only. (quirks.md J15)
    userinfo_echoes_id_token: bool = false,

    /// `profile` scope gives only `given_name` and `family_name` (no `name`, no
    /// `preferred_username`), as JumpCloud's does. (quirks.md J7)
    profile_claims_minimal: bool = false,

    /// Refresh tokens are issued only when the granted scope has `offline` or
    /// `offline_access` (fosite `canIssueRefreshToken`). Off: always. (quirks.md J11)
    refresh_requires_offline_scope: bool = false,

    /// Refresh tokens rotate on use, and reusing a rotated one revokes the whole family
    /// (`The refresh token was already used.`). Off: a refresh token stays valid.
    /// (quirks.md J12, E-RT-REUSE)
    refresh_token_rotation: bool = false,

    /// Redeeming an authorization code twice revokes the tokens issued from it (RFC 6749
    /// §4.1.2; fosite E-CODE-REUSE).
    code_reuse_revokes_tokens: bool = true,

    /// ID token signing algorithm: `RS256` or `ES256`.
    id_token_signing_alg: SigningAlg = SigningAlg::RS256,

    /// Authorization code lifetime in seconds (Hydra `ttl.auth_code`: 10 min).
    code_lifetime_secs: u64 = 600u64,

    /// Access and ID token lifetime in seconds (Hydra: 1 h).
    token_lifetime_secs: u64 = 3600u64,

    /// A deliberate mistake in every ID token or userinfo answer while set, mirroring an
    /// OpenID certification RP test: `none`, `wrong_iss`, `wrong_aud`, `extra_aud_no_azp`,
    /// `bad_signature`, `alg_none`, `hs256_client_secret`, `unknown_kid`,
    /// `no_kid_single_key`, `wrong_nonce`, `missing_nonce`, `exp_in_past`, `missing_sub`,
    /// `wrong_at_hash`, `userinfo_wrong_sub`, `thin_id_token`, `nbf_in_future` ... See
    /// `misbehaviour.rs`.
    id_token_misbehaviour: crate::misbehaviour::Misbehaviour = crate::misbehaviour::Misbehaviour::None,

    /// Answer every authorization request from a known client with a registered
    /// redirect URI with this error, as an error redirect back to the app in the
    /// profile's error style: `none`, `invalid_state` (fosite's short-state text),
    /// `access_denied`, `invalid_request`, `invalid_scope`, `server_error`,
    /// `temporarily_unavailable`, `unsupported_response_type` (fosite's base texts,
    /// `errors.go`; RFC 6749 §4.1.2.1). Unknown clients and redirect URIs still go to the
    /// error page.
    authorize_error: AuthorizeError = AuthorizeError::None,

    /// Refuse a token or revocation request that carries credentials both in the
    /// `Authorization` header and in the body, with the dialect's text. Okta: HTTP 401
    /// `invalid_request` `Cannot supply multiple client credentials. ...` (quirks.md O7,
    /// boylesoftware/tomcat-oidcauth#6, open-webui#19415). Off: judged as the
    /// `enforce_token_auth_method` rules say.
    refuse_multiple_client_credentials: bool = false,

    /// Refuse, on the provider's own page before the login, an authorization request
    /// with a scope other than `openid`, `email`, `profile`. Google: `Some requested scopes
    /// were invalid. {valid=[...], invalid=[groups]}` (quirks.md G3, leg100/otf#557,
    /// juanfont/headscale#1861).
    refuse_unknown_scopes: bool = false,

    /// "Thin" ID tokens: the ID token carries only the protocol claims; the profile,
    /// email and groups claims come only from userinfo. Okta whenever an access token is
    /// returned too, i.e. always in the code flow (quirks.md O4, okta-developer-docs
    /// PR #1968, dexidp/dex PR #1433).
    thin_id_token: bool = false,

    /// Userinfo answers `email_verified` as the string `"true"`/`"false"`. AWS Cognito
    /// (quirks.md C3, coreos/go-oidc PR #249, zitadel/oidc#137).
    userinfo_email_verified_string: bool = false,

    /// Group names in the groups claim are full paths with a leading slash (`/admin`).
    /// Keycloak's Group Membership mapper default (quirks.md K8, defenseunicorns/uds-core#603).
    groups_claim_full_path: bool = false,

    /// A user's extra claims are released only under a namespaced (URL) name; others are
    /// silently dropped, as are `*.auth0.com` namespaces. Auth0 (quirks.md A4,
    /// symfony/mercure#27, hasura/graphql-engine#350).
    custom_claims_need_namespace: bool = false,

    /// ID tokens carry `iss` without the scheme (`accounts.google.com` for
    /// `https://accounts.google.com`); discovery keeps the full issuer. Google's legacy
    /// form, "also returned for legacy implementations" (quirks.md G1,
    /// developers.google.com/identity/openid-connect/reference, coreos/go-oidc#125).
    id_token_iss_without_scheme: bool = false,

    /// Discovery lists `end_session_endpoint`. Off: no RP-initiated logout advertised
    /// (the endpoint still answers). Auth0 unless enabled (quirks.md A5,
    /// auth0/auth0-auth-js#27); Google (G5, inferred).
    discovery_end_session: bool = true,

    /// ID tokens are HS256, signed with the client secret, and discovery lists only
    /// `HS256` (over `id_token_signing_alg`). Auth0's older applications (quirks.md A3,
    /// auth0-samples/auth0-golang-web-app#24, auth0/auth0-react#130); Authentik without a
    /// signing key (AK2, goauthentik/authentik#9250).
    id_token_hs256_client_secret: bool = false,
    /// Access tokens are `opaque` strings or `jwt`s in RFC 9068's shape (header
    /// `typ: at+jwt`; `iss, sub, aud, exp, iat, jti, client_id, scope`, `auth_time` and
    /// the groups claim as the groups quirks shape it; `aud` is the client id). JumpCloud's
    /// are opaque `ory_at_` tokens (quirks.md J10: "Access tokens are opaque").
    access_token_format: AccessTokenFormat = AccessTokenFormat::Opaque,

    /// The tenant serves the device authorization grant (RFC 8628): a
    /// `device_authorization_endpoint` in discovery, the verification page, and the
    /// `urn:ietf:params:oauth:grant-type:device_code` grant. Off: discovery lists only
    /// `authorization_code` and `refresh_token`, the device paths answer 404 and the grant
    /// is `unauthorized_client`. JumpCloud has none (quirks.md J16, §1.3).
    device_flow: bool = true,

    /// The polling `interval` the device authorization answer gives, in seconds (RFC 8628
    /// §3.2: default 5). A poll sooner than this (less 500 ms) is answered `slow_down` and
    /// the code's interval grows by 5 s (§3.5).
    device_poll_interval_secs: u64 = 5u64,

    /// Lifetime of a device code and its user code, in seconds (`expires_in`; Hydra
    /// `ttl.device_user_code`: 10 min). Past it, polls answer `expired_token`.
    device_code_lifetime_secs: u64 = 600u64,

    /// User codes: `consonants` (RFC 8628 §6.1: 8 of `BCDFGHJKLMNPQRSTVWXZ`, shown
    /// `BCDF-GHJK`) or `digits` (8 digits). Entry ignores case, dashes and spaces.
    device_user_code_format: UserCodeFormat = UserCodeFormat::Consonants,

    /// Misbehaviour for device-flow checks: the first poll of every device code is
    /// answered `slow_down` (and its interval grows by 5 s), however late it comes.
    device_slow_down_first_poll: bool = false,

    /// Misbehaviour for device-flow checks: once the user has approved, the next poll is
    /// answered `expired_token` instead of tokens (the code expires early).
    device_expire_early: bool = false,
}

impl QuirkOverrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == QuirkOverrides::default()
    }

    /// One quirk as a person types it (`--quirk NAME=VALUE`, a Gherkin step): `value`
    /// is JSON (`8`, `true`, `"memberOf"`) or else a bare string. The error names the
    /// quirk and what it takes.
    pub fn one(name: &str, value: &str) -> Result<QuirkOverrides, String> {
        let v = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
        let mut probe = serde_json::Map::new();
        probe.insert(name.to_string(), v);
        serde_json::from_value(serde_json::Value::Object(probe))
            .map_err(|e| format!("quirk `{name}`: {e} (see `stickler idp --list-quirks`)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_only_what_they_set() {
        let mut q = Quirks::baseline();
        q.issuer_trailing_slash = true;
        let o: QuirkOverrides = serde_json::from_str(r#"{"min_state_length": 8}"#).unwrap();
        q.apply(&o);
        assert_eq!(q.min_state_length, 8);
        assert!(q.issuer_trailing_slash);
    }

    #[test]
    fn one_quirk_parses_json_or_a_bare_string_and_merges() {
        let mut o = QuirkOverrides::one("min_state_length", "0").unwrap();
        o.merge(&QuirkOverrides::one("groups_claim", "memberOf").unwrap());
        o.merge(&QuirkOverrides::one("min_state_length", "12").unwrap());
        assert_eq!(o.min_state_length, Some(12));
        assert_eq!(o.groups_claim.as_deref(), Some("memberOf"));
        assert_eq!(
            QuirkOverrides::one("groups_claim", "\"groups\"")
                .unwrap()
                .groups_claim
                .as_deref(),
            Some("groups")
        );
        let e = QuirkOverrides::one("min_state_length", "eight").unwrap_err();
        assert!(
            e.starts_with("quirk `min_state_length`: invalid type"),
            "{e}"
        );
        let e = QuirkOverrides::one("min_state", "8").unwrap_err();
        assert!(e.contains("unknown field `min_state`"), "{e}");
    }

    #[test]
    fn unknown_quirk_is_an_error() {
        let err = serde_json::from_str::<QuirkOverrides>(r#"{"min_state_lenght": 0}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `min_state_lenght`"), "{err}");
    }

    #[test]
    fn every_quirk_is_documented() {
        let q = serde_json::to_value(Quirks::baseline()).unwrap();
        assert_eq!(q.as_object().unwrap().len(), QUIRK_DOCS.len());
        assert!(QUIRK_DOCS.iter().all(|d| d.doc.trim().len() > 20));
    }
}
