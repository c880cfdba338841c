//! Okta, custom authorization server `default` (quirks.md §2): the layout most apps
//! use, `https://{org}.okta.com/oauth2/default`.

use crate::quirks::{EndpointLayout, ErrorDialect, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "okta";
/// What it copies.
pub const SUMMARY: &str = "Okta, custom authorization server `default`: thin ID tokens, no groups claim, one credential per request";

/// How Okta differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // O1: issuer `/oauth2/default`, endpoints `/oauth2/default/v1/…`.
        endpoint_layout: EndpointLayout::OktaCustom,
        // O5, O6, O7: Okta's texts and JSON order.
        error_style: ErrorDialect::Okta,
        // O7: Basic header and body credentials → 401 `Cannot supply multiple client credentials…`.
        refuse_multiple_client_credentials: true,
        // O4: thin ID token whenever an access token is returned.
        thin_id_token: true,
        // O3: no groups claim unless an admin adds one.
        groups_claim: String::new(),
        // O5: users not assigned to the app (directly or by group) get `access_denied`.
        require_group_assignment: true,
        // §12 rank 11: a refresh token needs `offline_access` [I for Okta's exact rule].
        refresh_requires_offline_scope: true,
        ..Quirks::baseline()
    }
}
