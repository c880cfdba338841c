//! Every cap that keeps the IdP's memory bounded by configuration rather than traffic,
//! in one place (README "Limits"). Values are per tenant unless they say otherwise.

/// Tenants one server holds; creating one more is refused with 507 `too_many_tenants`.
pub const MAX_TENANTS: usize = 1_000;

/// Clients one tenant may register (config file and admin API).
pub const MAX_CLIENTS: usize = 1_000;

/// Users one tenant may hold.
pub const MAX_USERS: usize = 10_000;

/// Authorization requests waiting for the login form. Expired ones go on every insert;
/// past the cap the oldest goes.
pub const MAX_PENDING_LOGINS: usize = 1_000;

/// Bytes (approximate) of pending logins: a few huge `state` values evict older logins
/// rather than grow memory.
pub const MAX_PENDING_LOGIN_BYTES: usize = 4 * 1024 * 1024;

/// Authorization codes kept (issued, redeemed or not: a redeemed one must stay to
/// catch its replay); the oldest go first.
pub const MAX_CODES: usize = 4_096;

/// Access tokens kept; the oldest go first (and then fail at userinfo as unknown).
pub const MAX_ACCESS_TOKENS: usize = 4_096;

/// Refresh tokens kept; the oldest go first.
pub const MAX_REFRESH_TOKENS: usize = 4_096;

/// Bytes (approximate) of codes, and again of access tokens and of refresh tokens:
/// a grant carries the scope and nonce as sent, which may be long.
pub const MAX_GRANT_BYTES: usize = 4 * 1024 * 1024;

/// Device codes kept (pending, approved, denied or redeemed: a redeemed one must stay
/// to answer `invalid_grant`). Expired ones go on every insert; past the cap the oldest.
pub const MAX_DEVICE_CODES: usize = 1_000;

/// Bytes (approximate) of device codes: a device request carries its scope as sent.
pub const MAX_DEVICE_CODE_BYTES: usize = 1024 * 1024;

/// Journal entries kept; the oldest go first (`seq` keeps counting).
pub const MAX_JOURNAL_ENTRIES: usize = 10_000;

/// Bytes (approximate) of journal kept; the oldest entries go first.
pub const MAX_JOURNAL_BYTES: usize = 2 * 1024 * 1024;

/// A parameter value (or name) the journal keeps whole; longer ones are cut to this
/// many bytes and marked `…(N bytes)` with the original length.
pub const MAX_JOURNAL_VALUE: usize = 256;

/// Parameters one journal entry keeps; the rest are counted under the name `…`.
pub const MAX_JOURNAL_PARAMS: usize = 64;
