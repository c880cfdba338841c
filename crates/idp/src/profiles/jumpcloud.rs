//! JumpCloud SSO: Ory Hydra / fosite underneath (quirks.md §1), byte for byte where the
//! catalogue has the bytes.

use crate::quirks::{
    ClaimShape, EndpointLayout, ErrorDialect, PkceRequired, Quirks, TokenAuthMethod,
};

/// Name on the command line and in files.
pub const NAME: &str = "jumpcloud";
/// What it copies.
pub const SUMMARY: &str =
    "JumpCloud SSO (Ory Hydra/fosite): strict state, client auth, PKCE and group checks";

/// How JumpCloud differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // J9: `https://oauth.id.jumpcloud.com/`.
        issuer_trailing_slash: true,
        // §1.2: Hydra's paths (`hydra:oauth2/handler.go`).
        endpoint_layout: EndpointLayout::Hydra,
        // §1.4, §1.5: fosite's delivery and wording.
        error_style: ErrorDialect::Fosite,
        // E-STATE, J1; E-NONCE, J14: fosite's MinParameterEntropy.
        min_state_length: 8,
        min_nonce_length: 8,
        // E-AUTH-*, J2; the console's default is "Client Secret POST" (sourcebot#1022).
        enforce_token_auth_method: true,
        default_token_auth_method: TokenAuthMethod::ClientSecretPost,
        // E-PKCE-1, J13: S256 only; enforcement unknown, so off (Hydra's default).
        pkce_plain_allowed: false,
        pkce_required: PkceRequired::Never,
        // J3, J6: users are implicitly denied; only the app's groups are released.
        require_group_assignment: true,
        groups_claim_only_assigned: true,
        // J4, J5: `memberOf`, a string for one group (harbor#20779, #22289).
        groups_claim: "memberOf".into(),
        groups_claim_shape: ClaimShape::StringIfSingle,
        // §1.6 "ID token": `aud` always an array; `rat`, `sid`, `jti`.
        aud_shape: ClaimShape::Array,
        hydra_claims: true,
        // §1.6 "Token response": lowercase `bearer`; J10: opaque `ory_*` tokens.
        token_type: "bearer".into(),
        hydra_token_prefixes: true,
        // J15, J7, J11, J12.
        userinfo_echoes_id_token: true,
        profile_claims_minimal: true,
        refresh_requires_offline_scope: true,
        refresh_token_rotation: true,
        // J16, §1.3: an app enables only Authorization Code and Refresh Token; no device
        // authorization endpoint, and discovery lists only those grants.
        device_flow: false,
        ..Quirks::baseline()
    }
}
