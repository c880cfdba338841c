//! Keycloak 17+ (quirks.md §6): `https://{host}/realms/{realm}`.

use crate::quirks::{EndpointLayout, ErrorDialect, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "keycloak";
/// What it copies.
pub const SUMMARY: &str = "Keycloak: `/realms/{realm}` paths, full-path groups, Keycloak's error texts";

/// How Keycloak differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // K1: `/realms/{realm}`.
        endpoint_layout: EndpointLayout::Keycloak,
        // K3, K4, K5, K6: Keycloak's texts.
        error_style: ErrorDialect::Keycloak,
        // K8: `"groups": ["/admin"]`; K10 (no claim without groups) is the baseline.
        groups_claim_full_path: true,
        ..Quirks::baseline()
    }
}
