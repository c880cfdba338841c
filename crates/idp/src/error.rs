//! OAuth 2.0 errors as values: code, status, fosite description and hint (RFC 6749
//! §5.2, fosite `errors.go`). How they are worded and delivered is the dialect's
//! business (`dialect.rs`).

use axum::http::StatusCode;

/// An OAuth error, before it is rendered for a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// The `error` code, e.g. `invalid_request`.
    pub code: &'static str,
    /// fosite's base description of the code.
    pub description: &'static str,
    /// The specific reason, appended after a space in the fosite style.
    pub hint: Option<String>,
    /// HTTP status for JSON answers.
    pub status: StatusCode,
}

macro_rules! oauth_errors {
    ($( $(#[doc = $doc:literal])* $fn:ident => $code:literal, $status:ident, $desc:literal; )+) => {
        impl OAuthError {
            $(
                $(#[doc = $doc])*
                pub fn $fn() -> Self {
                    OAuthError { code: $code, description: $desc, hint: None, status: StatusCode::$status }
                }
            )+
        }
    };
}

oauth_errors! {
    /// RFC 6749 `invalid_request`.
    invalid_request => "invalid_request", BAD_REQUEST,
        "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
    /// RFC 6749 `invalid_client` (401; fosite sends no `WWW-Authenticate`).
    invalid_client => "invalid_client", UNAUTHORIZED,
        "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).";
    /// RFC 6749 `invalid_grant`.
    invalid_grant => "invalid_grant", BAD_REQUEST,
        "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
    /// fosite's non-standard `invalid_state`.
    invalid_state => "invalid_state", BAD_REQUEST,
        "The state is missing or does not have enough characters and is therefore considered too weak.";
    /// fosite's non-standard `insufficient_entropy`.
    insufficient_entropy => "insufficient_entropy", BAD_REQUEST,
        "The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy.";
    /// RFC 6749 `unauthorized_client`.
    unauthorized_client => "unauthorized_client", BAD_REQUEST,
        "The client is not authorized to request a token using this method.";
    /// RFC 6749 `access_denied`.
    access_denied => "access_denied", FORBIDDEN,
        "The resource owner or authorization server denied the request.";
    /// RFC 6749 `unsupported_response_type`.
    unsupported_response_type => "unsupported_response_type", BAD_REQUEST,
        "The authorization server does not support obtaining a token using this method.";
    /// RFC 6749 `invalid_scope`.
    invalid_scope => "invalid_scope", BAD_REQUEST,
        "The requested scope is invalid, unknown, or malformed.";
    /// RFC 6749 `temporarily_unavailable`.
    temporarily_unavailable => "temporarily_unavailable", SERVICE_UNAVAILABLE,
        "The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.";
    /// OAuth multiple response types `unsupported_response_mode`.
    unsupported_response_mode => "unsupported_response_mode", BAD_REQUEST,
        "The authorization server does not support obtaining a response using this response mode.";
    /// RFC 6749 `unsupported_grant_type`.
    unsupported_grant_type => "unsupported_grant_type", BAD_REQUEST,
        "The authorization grant type is not supported by the authorization server.";
    /// OIDC Core `registration_not_supported`.
    registration_not_supported => "registration_not_supported", BAD_REQUEST,
        "The OP does not support use of the registration parameter.";
    /// fosite's non-standard `request_unauthorized` (userinfo with a bad token).
    request_unauthorized => "request_unauthorized", UNAUTHORIZED,
        "The request could not be authorized.";
    /// RFC 6750 `invalid_token`.
    invalid_token => "invalid_token", UNAUTHORIZED,
        "The access token provided is expired, revoked, malformed, or invalid for other reasons.";
    /// Not an OAuth code: the admin API and the router's 404.
    not_found => "not_found", NOT_FOUND,
        "The requested resource does not exist.";
    /// Not an OAuth code: wrong HTTP method.
    method_not_allowed => "invalid_request", METHOD_NOT_ALLOWED,
        "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
    /// RFC 8628 §3.5 `authorization_pending` (fosite `ErrAuthorizationPending`).
    authorization_pending => "authorization_pending", BAD_REQUEST,
        "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.";
    /// RFC 8628 §3.5 `slow_down` (fosite `ErrSlowDown`).
    slow_down => "slow_down", BAD_REQUEST,
        "The authorization request was rate-limited to prevent system overload.";
    /// RFC 8628 §3.5 `expired_token` (fosite `ErrDeviceExpiredToken`).
    expired_token => "expired_token", BAD_REQUEST,
        "The device_code has expired, and the device authorization session has concluded.";
    /// RFC 6749 `server_error`.
    server_error => "server_error", INTERNAL_SERVER_ERROR,
        "The authorization server encountered an unexpected condition that prevented it from fulfilling the request.";
}

impl OAuthError {
    /// Adds the specific reason.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Overrides the HTTP status.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}
