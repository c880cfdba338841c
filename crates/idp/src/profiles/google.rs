//! Google (quirks.md §4): `https://accounts.google.com`. Its endpoint paths are not in
//! the catalogue, so the plain layout stands in for them.

use crate::quirks::{ErrorDialect, Quirks};

/// Name on the command line and in files.
pub const NAME: &str = "google";
/// What it copies.
pub const SUMMARY: &str = "Google: no groups, unknown scopes refused on Google's page, no end-session endpoint";

/// How Google differs from the baseline.
pub fn quirks() -> Quirks {
    Quirks {
        // G3, G6 [I].
        error_style: ErrorDialect::Google,
        // G3: `groups` (any scope but openid, email, profile) refused on Google's page.
        refuse_unknown_scopes: true,
        // G3: no groups claim.
        groups_claim: String::new(),
        // G5 [I]: no RP-initiated logout.
        discovery_end_session: false,
        // G1's legacy schemeless `iss` is a switch (`id_token_iss_without_scheme`): the
        // modern value is the full URL.
        ..Quirks::baseline()
    }
}
