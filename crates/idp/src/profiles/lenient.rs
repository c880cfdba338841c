//! The lenient profile: the baseline itself, a tolerant and spec-correct provider.

use crate::quirks::Quirks;

/// Name on the command line and in files.
pub const NAME: &str = "lenient";
/// What it copies.
pub const SUMMARY: &str = "a tolerant, spec-correct OpenID Provider";

/// No differences: every quirk at its default.
pub fn quirks() -> Quirks {
    Quirks::baseline()
}
