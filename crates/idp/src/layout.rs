//! Where a vendor puts its issuer, its discovery document and its endpoints below the
//! tenant's base URL (the `endpoint_layout` quirk). Each path cites the catalogue entry
//! it comes from; paths the catalogue does not give are marked inferred ([I]).

use serde::{Deserialize, Serialize};

/// The tenant id the Entra layouts use (a made-up GUID; quirks.md E1 `{tid}`).
pub const ENTRA_TENANT_ID: &str = "5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
/// The Keycloak layout's realm (quirks.md K1 `{realm}`).
pub const KEYCLOAK_REALM: &str = "stickler";
/// The Cognito layout's user pool id (quirks.md C1 `{userPoolId}`).
pub const COGNITO_POOL: &str = "us-east-1_Stickler";
/// The Authentik layout's application slug (quirks.md AK1 `{slug}`).
pub const AUTHENTIK_SLUG: &str = "stickler";

/// Where the endpoints live below the tenant's base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointLayout {
    /// Ory Hydra's paths: `/oauth2/auth`, `/oauth2/token`, `/userinfo`,
    /// `/.well-known/jwks.json`, `/oauth2/revoke`, `/oauth2/sessions/logout`
    /// (quirks.md §1.2, `hydra:oauth2/handler.go`); the issuer is the base URL.
    Hydra,
    /// Plain paths: `/authorize`, `/token`, `/userinfo`, `/jwks`, `/revoke`, `/logout`;
    /// the issuer is the base URL.
    Generic,
    /// Okta's org authorization server (quirks.md O1): the issuer is the base URL,
    /// endpoints under `/oauth2/v1/` (`authorize`, `token`, `userinfo`, `keys`;
    /// `revoke` and `logout` [I]).
    OktaOrg,
    /// Okta's custom authorization server `default` (quirks.md O1): issuer
    /// `/oauth2/default`, endpoints under `/oauth2/default/v1/`, discovery below the
    /// issuer.
    OktaCustom,
    /// Entra ID, single tenant (quirks.md E1, E6): issuer `/{tid}/v2.0`, keys at
    /// `/{tid}/discovery/v2.0/keys`; userinfo at `/oidc/userinfo` (E4: Graph's path; the
    /// real one is on another host); `oauth2/v2.0/{authorize,token,logout}` [I]. ID tokens
    /// carry the tenant as `tid` too (Microsoft's ID token claims reference).
    Entra,
    /// Entra ID, multi-tenant `/common` (quirks.md E2): the app is configured with
    /// `/common/v2.0`, whose discovery document says
    /// `"issuer": "<base>/{tenantid}/v2.0"` literally, while ID tokens carry the real
    /// tenant's `iss` (`<base>/{tid}/v2.0`) and `tid`, which fills the template.
    /// Endpoints as `entra`, under `/common`.
    EntraCommon,
    /// Keycloak 17+ (quirks.md K1): issuer `/realms/{realm}`; the endpoint names below
    /// it, `protocol/openid-connect/{auth,token,userinfo,certs,revoke,logout}`, are [I]
    /// (not in the catalogue).
    Keycloak,
    /// AWS Cognito (quirks.md C1, C4): issuer `/{userPoolId}`, but authorize, token and
    /// userinfo on the hosted-UI paths `/oauth2/authorize`, `/oauth2/token`,
    /// `/oauth2/userInfo` (another host on the real service), logout at `/logout`; keys
    /// at `/{userPoolId}/.well-known/jwks.json` and `/oauth2/revoke` [I].
    Cognito,
    /// Authentik (quirks.md AK1): per-application issuer `/application/o/{slug}` with
    /// discovery below it; the endpoint paths (`/application/o/authorize/` ...) are [I].
    Authentik,
}

/// Endpoint paths below the tenant's base URL, per layout.
#[derive(Debug, Clone, Copy)]
pub struct EndpointPaths {
    /// The issuer, below the base URL (`""`: the base URL itself), without a trailing
    /// slash (that is the `issuer_trailing_slash` quirk).
    pub issuer: &'static str,
    /// The discovery document.
    pub discovery: &'static str,
    /// Authorization endpoint.
    pub authorize: &'static str,
    /// Token endpoint.
    pub token: &'static str,
    /// Userinfo endpoint.
    pub userinfo: &'static str,
    /// JWKS.
    pub jwks: &'static str,
    /// Revocation endpoint.
    pub revoke: &'static str,
    /// End-session endpoint.
    pub end_session: &'static str,
    /// Where the login form posts (the provider's own UI).
    pub login: &'static str,
    /// The provider's error page.
    pub error_page: &'static str,
    /// Device authorization endpoint (RFC 8628 §3.1), where the profile has one.
    pub device_authorization: &'static str,
    /// The device verification page (RFC 8628 §3.3): `verification_uri`.
    pub device_verify: &'static str,
}

const WELL_KNOWN: &str = "/.well-known/openid-configuration";

macro_rules! paths {
    ($issuer:literal, $discovery:expr, $authorize:literal, $token:literal, $userinfo:literal,
     $jwks:literal, $revoke:literal, $end_session:literal, $device:literal) => {
        EndpointPaths {
            issuer: $issuer,
            discovery: $discovery,
            authorize: $authorize,
            token: $token,
            userinfo: $userinfo,
            jwks: $jwks,
            revoke: $revoke,
            end_session: $end_session,
            login: "/login",
            error_page: "/error",
            device_authorization: $device,
            // The IdP's own UI, like the login form.
            device_verify: "/device",
        }
    };
}

impl EndpointPaths {
    /// The paths of a layout.
    pub fn of(layout: EndpointLayout) -> Self {
        match layout {
            EndpointLayout::Hydra => EndpointPaths {
                error_page: "/oauth2/fallbacks/error",
                // Hydra's verification UI lives in the login app, here at
                // `/oauth2/device/verify`.
                device_verify: "/oauth2/device/verify",
                ..paths!(
                    "",
                    WELL_KNOWN,
                    "/oauth2/auth",
                    "/oauth2/token",
                    "/userinfo",
                    "/.well-known/jwks.json",
                    "/oauth2/revoke",
                    "/oauth2/sessions/logout",
                    "/oauth2/device/auth"
                )
            },
            EndpointLayout::Generic => paths!(
                "",
                WELL_KNOWN,
                "/authorize",
                "/token",
                "/userinfo",
                "/jwks",
                "/revoke",
                "/logout",
                "/device_authorization"
            ),
            EndpointLayout::OktaOrg => paths!(
                "",
                WELL_KNOWN,
                "/oauth2/v1/authorize",
                "/oauth2/v1/token",
                "/oauth2/v1/userinfo",
                "/oauth2/v1/keys",
                "/oauth2/v1/revoke",
                "/oauth2/v1/logout",
                "/oauth2/v1/device/authorize"
            ),
            EndpointLayout::OktaCustom => paths!(
                "/oauth2/default",
                "/oauth2/default/.well-known/openid-configuration",
                "/oauth2/default/v1/authorize",
                "/oauth2/default/v1/token",
                "/oauth2/default/v1/userinfo",
                "/oauth2/default/v1/keys",
                "/oauth2/default/v1/revoke",
                "/oauth2/default/v1/logout",
                "/oauth2/default/v1/device/authorize"
            ),
            EndpointLayout::Entra => paths!(
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/v2.0",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/v2.0/.well-known/openid-configuration",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/authorize",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/token",
                "/oidc/userinfo",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/discovery/v2.0/keys",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/revoke",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/logout",
                "/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/devicecode"
            ),
            EndpointLayout::EntraCommon => paths!(
                "/common/v2.0",
                "/common/v2.0/.well-known/openid-configuration",
                "/common/oauth2/v2.0/authorize",
                "/common/oauth2/v2.0/token",
                "/oidc/userinfo",
                "/common/discovery/v2.0/keys",
                "/common/oauth2/v2.0/revoke",
                "/common/oauth2/v2.0/logout",
                "/common/oauth2/v2.0/devicecode"
            ),
            EndpointLayout::Keycloak => paths!(
                "/realms/stickler",
                "/realms/stickler/.well-known/openid-configuration",
                "/realms/stickler/protocol/openid-connect/auth",
                "/realms/stickler/protocol/openid-connect/token",
                "/realms/stickler/protocol/openid-connect/userinfo",
                "/realms/stickler/protocol/openid-connect/certs",
                "/realms/stickler/protocol/openid-connect/revoke",
                "/realms/stickler/protocol/openid-connect/logout",
                "/realms/stickler/protocol/openid-connect/auth/device"
            ),
            EndpointLayout::Cognito => paths!(
                "/us-east-1_Stickler",
                "/us-east-1_Stickler/.well-known/openid-configuration",
                "/oauth2/authorize",
                "/oauth2/token",
                "/oauth2/userInfo",
                "/us-east-1_Stickler/.well-known/jwks.json",
                "/oauth2/revoke",
                "/logout",
                "/oauth2/device_authorization"
            ),
            EndpointLayout::Authentik => paths!(
                "/application/o/stickler",
                "/application/o/stickler/.well-known/openid-configuration",
                "/application/o/authorize/",
                "/application/o/token/",
                "/application/o/userinfo/",
                "/application/o/stickler/jwks/",
                "/application/o/revoke/",
                "/application/o/stickler/end-session/",
                "/application/o/device/"
            ),
        }
    }

    /// The issuer the discovery document publishes, when it is not the issuer tokens
    /// carry: Entra's multi-tenant template (quirks.md E2).
    pub fn published_issuer(layout: EndpointLayout) -> Option<&'static str> {
        match layout {
            EndpointLayout::EntraCommon => Some("/{tenantid}/v2.0"),
            _ => None,
        }
    }

    /// The issuer ID tokens carry, below the base URL, when it is not the configured
    /// one: the signed-in user's tenant under Entra's `/common` (quirks.md E2).
    pub fn token_issuer(layout: EndpointLayout) -> Option<&'static str> {
        match layout {
            EndpointLayout::EntraCommon => Some("/5f2b6c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/v2.0"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_ids_are_the_ones_in_the_paths() {
        let e = EndpointPaths::of(EndpointLayout::Entra);
        assert!(e.issuer.contains(ENTRA_TENANT_ID) && e.jwks.contains(ENTRA_TENANT_ID));
        assert_eq!(
            EndpointPaths::token_issuer(EndpointLayout::EntraCommon),
            Some(e.issuer)
        );
        assert!(
            EndpointPaths::of(EndpointLayout::Keycloak)
                .issuer
                .ends_with(KEYCLOAK_REALM)
        );
        assert!(
            EndpointPaths::of(EndpointLayout::Cognito)
                .issuer
                .ends_with(COGNITO_POOL)
        );
        assert!(
            EndpointPaths::of(EndpointLayout::Authentik)
                .issuer
                .ends_with(AUTHENTIK_SLUG)
        );
    }

    #[test]
    fn discovery_sits_below_the_issuer() {
        for l in [
            EndpointLayout::Hydra,
            EndpointLayout::Generic,
            EndpointLayout::OktaOrg,
            EndpointLayout::OktaCustom,
            EndpointLayout::Entra,
            EndpointLayout::EntraCommon,
            EndpointLayout::Keycloak,
            EndpointLayout::Cognito,
            EndpointLayout::Authentik,
        ] {
            let p = EndpointPaths::of(l);
            assert_eq!(p.discovery, format!("{}{WELL_KNOWN}", p.issuer), "{l:?}");
        }
    }
}
