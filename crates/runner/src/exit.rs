//! Exit codes of `stickler`, documented in the README.

/// Every check passed (or the command succeeded).
pub const OK: u8 = 0;
/// At least one check failed.
pub const CHECKS_FAILED: u8 = 1;
/// Usage or configuration error: a bad flag, scenario file or feature file.
pub const USAGE: u8 = 2;
/// Environment error: no browser or driver, the IdP is unreachable, or the app did not
/// build or start.
pub const ENVIRONMENT: u8 = 3;
