//! The identity provider as the app sees it through openidconnect: discovery (with the
//! JWKS), the authorization URL, the code exchange, ID token and userinfo validation,
//! and the bug switches that weaken each step.

use crate::bugs::Bug;
use crate::flow::{Flow, Pkce};
use crate::groups::{GroupsError, read_groups};
use crate::http_client::{adapter, error_chain};
use crate::pages::User;
use crate::refusal::Refusal;
use crate::settings::{AuthMethod, Settings};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode,
    ClaimsVerificationError, Client, CsrfToken, DiscoveryError, EmptyExtraTokenFields,
    EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IdTokenVerifier,
    IssuerUrl, JsonWebKey, JwsSigningAlgorithm, Nonce, NonceVerifier, OAuth2TokenResponse,
    ProviderMetadataWithLogout, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Claims beyond the standard ones, kept as JSON: the groups claim's name is
/// configurable (OIDC Core §5.1.2, additional claims).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OtherClaims {
    /// Every claim openidconnect does not model itself.
    #[serde(flatten)]
    pub claims: Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

/// Discovery, with the `end_session_endpoint` of RP-Initiated Logout.
pub type Metadata = ProviderMetadataWithLogout;
/// An ID token with [`OtherClaims`].
pub type IdToken = openidconnect::IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type IdTokenClaims = openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>;
type TokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<TokenFields, CoreTokenType>;

/// The client discovery gives: authorization endpoint set, token and userinfo maybe.
pub type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovery did not succeed in time.
#[derive(Debug, thiserror::Error)]
#[error("discovery at {url} failed: {reason}")]
pub struct DiscoveryFailure {
    /// The discovery document's URL.
    pub url: String,
    /// The last error.
    pub reason: String,
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// What the home page shows.
    pub user: User,
    /// The ID token, kept as `id_token_hint` for logout.
    pub id_token: IdToken,
}

/// The IdP: its discovered metadata (refreshed when a signing key is unknown) and the
/// HTTP client to reach it.
pub struct Provider {
    http: reqwest::Client,
    metadata: RwLock<Arc<Metadata>>,
}

/// The discovery URL openidconnect fetches for `issuer` (Discovery §4).
pub fn discovery_url(issuer: &IssuerUrl) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    )
}

async fn discover_once(
    issuer: &IssuerUrl,
    http: &reqwest::Client,
) -> Result<Metadata, DiscoveryError<crate::http_client::HttpError>> {
    Metadata::discover_async(issuer.clone(), &adapter(http.clone())).await
}

impl Provider {
    /// Fetches discovery and the JWKS, retrying transport failures for `patience` (the
    /// IdP may still be starting). A document that fails validation (e.g. an `issuer`
    /// that is not exactly `issuer`, Discovery §4.3) is not retried.
    pub async fn discover(
        issuer: &IssuerUrl,
        http: reqwest::Client,
        patience: Duration,
    ) -> Result<Provider, DiscoveryFailure> {
        let deadline = Instant::now() + patience;
        let failure = |e: &DiscoveryError<_>| DiscoveryFailure {
            url: discovery_url(issuer),
            reason: error_chain(e),
        };
        loop {
            match discover_once(issuer, &http).await {
                Ok(metadata) => {
                    return Ok(Provider {
                        http,
                        metadata: RwLock::new(Arc::new(metadata)),
                    });
                }
                Err(e @ DiscoveryError::Validation(_)) => return Err(failure(&e)),
                Err(e) if Instant::now() >= deadline => return Err(failure(&e)),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    fn metadata(&self) -> Arc<Metadata> {
        self.metadata
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Refetches discovery and the JWKS (a signing key the app does not know: the IdP
    /// rotated its keys, OIDC Core §10.1.1).
    async fn refresh(&self, issuer: &IssuerUrl) -> Result<(), String> {
        let fresh = discover_once(issuer, &self.http)
            .await
            .map_err(|e| error_chain(&e))?;
        *self.metadata.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
        Ok(())
    }

    /// The IdP's `end_session_endpoint`, if it publishes one.
    pub fn end_session_url(&self) -> Option<EndSessionUrl> {
        self.metadata()
            .additional_metadata()
            .end_session_endpoint
            .clone()
    }

    /// A client configured as the settings (and bugs) say.
    pub fn client(&self, s: &Settings) -> OidcClient {
        let metadata = Metadata::clone(&self.metadata());
        OidcClient::from_provider_metadata(metadata, s.client_id.clone(), s.client_secret.clone())
            .set_auth_type(match s.auth_method {
                AuthMethod::ClientSecretBasic => AuthType::BasicAuth,
                // Without a secret, oauth2 sends `client_id` in the body: method `none`.
                AuthMethod::ClientSecretPost | AuthMethod::None => AuthType::RequestBody,
            })
            .set_redirect_uri(s.redirect_url.clone())
    }

    /// The authorization request for `flow` (OIDC Core §3.1.2.1).
    pub fn authorization_url(&self, s: &Settings, flow: &Flow) -> url::Url {
        let client = self.client(s);
        let state = flow.state.clone().unwrap_or_default();
        let nonce = flow.nonce.clone();
        let mut req = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(state),
            move || nonce,
        );
        for scope in &s.extra_scopes {
            req = req.add_scope(Scope::new(scope.clone()));
        }
        req = match &flow.pkce {
            Pkce::S256(challenge) => req.set_pkce_challenge(challenge.clone()),
            // openidconnect does not offer `plain` (oauth2 hides it behind a feature).
            Pkce::Plain => req
                .add_extra_param("code_challenge", flow.verifier.secret().clone())
                .add_extra_param("code_challenge_method", "plain"),
        };
        let (mut url, _, _) = req.url();
        if flow.state.is_none() {
            // openidconnect always sends a state; `no-state` drops it from the URL.
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .into_owned()
                .filter(|(k, _)| k != "state")
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url
    }

    /// Finishes a sign-in: exchanges `code`, validates the ID token, calls userinfo.
    pub async fn sign_in(
        &self,
        s: &Settings,
        flow: Flow,
        code: String,
    ) -> Result<SignedIn, Refusal> {
        let http = adapter(self.http.clone());
        let client = self.client(s);
        let tokens: Tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Refusal::Token(e.to_string()))?
            .set_pkce_verifier(flow.verifier)
            .request_async(&http)
            .await
            .map_err(|e| Refusal::Token(describe_token_error(&e)))?;
        let id_token = tokens.id_token().ok_or(Refusal::NoIdToken)?.clone();
        let claims = self
            .validate_id_token(s, &id_token, &flow.nonce, tokens.access_token())
            .await?;

        let mut info: Option<UserInfoClaims<OtherClaims, CoreGenderClaim>> = None;
        if self.metadata().userinfo_endpoint().is_some() {
            let expected =
                (!s.bugs.has(Bug::IgnoreUserinfoSubMismatch)).then(|| claims.subject().clone());
            let answer = self
                .client(s)
                .user_info(tokens.access_token().clone(), expected)
                .map_err(|e| Refusal::UserInfo(e.to_string()))?
                .request_async(&http)
                .await
                .map_err(|e| Refusal::UserInfo(error_chain(&e)))?;
            info = Some(answer);
        }
        let user = user_from(s, &claims, info.as_ref())?;
        Ok(SignedIn { user, id_token })
    }

    /// Validates the ID token (OIDC Core §3.1.3.7); an unknown signing key makes the app
    /// refetch the JWKS once and retry, unless `cache-jwks-forever`.
    async fn validate_id_token(
        &self,
        s: &Settings,
        id_token: &IdToken,
        nonce: &Nonce,
        access_token: &AccessToken,
    ) -> Result<IdTokenClaims, Refusal> {
        let first = self.validate_with_current_keys(s, id_token, nonce, access_token);
        let result = match first {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) if !s.bugs.has(Bug::CacheJwksForever) => {
                tracing::info!(
                    "no JWKS key matches the ID token; refetching discovery and the JWKS"
                );
                self.refresh(&s.issuer).await.map_err(|e| {
                    Refusal::IdToken(format!(
                        "no known key signed it, and refetching the JWKS failed: {e}"
                    ))
                })?;
                self.validate_with_current_keys(s, id_token, nonce, access_token)
            }
            other => other,
        };
        result.map_err(|e| Refusal::IdToken(error_chain(&e)))
    }

    fn validate_with_current_keys(
        &self,
        s: &Settings,
        id_token: &IdToken,
        nonce: &Nonce,
        access_token: &AccessToken,
    ) -> Result<IdTokenClaims, ClaimsVerificationError> {
        let client = self.client(s);
        let verifier = weakened(client.id_token_verifier(), s);
        let ignore_nonce = s.bugs.has(Bug::IgnoreNonce);
        match id_token.claims(&verifier, nonce_check(nonce, ignore_nonce)) {
            Ok(claims) => {
                // openidconnect leaves `azp` to the app (OIDC Core §3.1.3.7 item 5).
                if let Some(azp) = claims.authorized_party()
                    && **azp != *s.client_id
                    && !s.bugs.has(Bug::SkipAudienceCheck)
                {
                    return Err(ClaimsVerificationError::InvalidAudience(format!(
                        "azp must be `{}` (found `{}`)",
                        *s.client_id, **azp
                    )));
                }
                if !s.bugs.has(Bug::SkipSignatureCheck) {
                    check_at_hash(s, id_token, &verifier, claims, access_token)?;
                }
                Ok(claims.clone())
            }
            // openidconnect refuses `alg: none` even with `allow_any_alg`; the bug takes
            // the claims unsigned (still checking iss, aud, exp and nonce).
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoSignature,
            )) if s.bugs.has(Bug::AcceptAlgNone) => {
                let unsigned = verifier.insecure_disable_signature_check();
                id_token
                    .claims(&unsigned, nonce_check(nonce, ignore_nonce))
                    .cloned()
            }
            Err(e) => Err(e),
        }
    }
}

/// The openidconnect verifier with the bug switches' weakenings.
fn weakened<'a>(
    mut v: IdTokenVerifier<'a, CoreJsonWebKey>,
    s: &Settings,
) -> IdTokenVerifier<'a, CoreJsonWebKey> {
    let bugs = &s.bugs;
    if bugs.has(Bug::SkipIssuerCheck) {
        v = v.require_issuer_match(false);
    }
    if bugs.has(Bug::SkipAudienceCheck) {
        v = v.require_audience_match(false);
    }
    if bugs.has(Bug::SkipSignatureCheck) {
        v = v.insecure_disable_signature_check();
    }
    if bugs.has(Bug::AcceptAlgNone) {
        v = v.allow_any_alg();
    }
    if bugs.has(Bug::IgnoreExp) {
        // Every `exp` is in the future of 1970.
        v = v.set_time_fn(|| chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    }
    v
}

/// The nonce comparison (OIDC Core §3.1.3.7 step 11), or none under `ignore-nonce`.
fn nonce_check(nonce: &Nonce, ignore: bool) -> impl NonceVerifier + '_ {
    move |got: Option<&Nonce>| if ignore { Ok(()) } else { nonce.verify(got) }
}

/// `at_hash`, when present, must hash the access token (OIDC Core §3.1.3.8 / §3.2.2.9).
fn check_at_hash(
    s: &Settings,
    id_token: &IdToken,
    verifier: &IdTokenVerifier<'_, CoreJsonWebKey>,
    claims: &IdTokenClaims,
    access_token: &AccessToken,
) -> Result<(), ClaimsVerificationError> {
    let Some(expected) = claims.access_token_hash() else {
        return Ok(());
    };
    let sig = ClaimsVerificationError::SignatureVerification;
    let alg = id_token.signing_alg().map_err(sig)?;
    let shared;
    let key = if alg.uses_shared_secret() {
        let secret = s
            .client_secret
            .as_ref()
            .map(|c| c.secret().as_bytes().to_vec())
            .unwrap_or_default();
        shared = CoreJsonWebKey::new_symmetric(secret);
        &shared
    } else {
        id_token.signing_key(verifier).map_err(sig)?
    };
    let actual = AccessTokenHash::from_token(access_token, alg, key).map_err(|e| {
        ClaimsVerificationError::Other(format!("cannot hash the access token: {e}"))
    })?;
    if &actual != expected {
        return Err(ClaimsVerificationError::Other(
            "the at_hash claim does not match the access token".into(),
        ));
    }
    Ok(())
}

fn describe_token_error<E: std::error::Error + 'static>(
    e: &RequestTokenError<E, StandardErrorResponse<CoreErrorResponseType>>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error_description() {
            Some(d) => format!("{}: {d}", r.error()),
            None => r.error().to_string(),
        },
        RequestTokenError::Parse(err, body) => format!(
            "the token response is not valid JSON for OAuth 2.0: {err} (body: {})",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ),
        other => error_chain(other),
    }
}

/// What the home page shows, from the ID token first and userinfo second.
fn user_from(
    s: &Settings,
    claims: &IdTokenClaims,
    info: Option<&UserInfoClaims<OtherClaims, CoreGenderClaim>>,
) -> Result<User, Refusal> {
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string())
        .or_else(|| {
            info.and_then(|i| i.name())
                .and_then(|n| n.get(None))
                .map(|n| n.to_string())
        });
    let username = claims
        .preferred_username()
        .or_else(|| info.and_then(|i| i.preferred_username()))
        .map(|u| u.to_string());
    let email = claims
        .email()
        .or_else(|| info.and_then(|i| i.email()))
        .map(|e| e.to_string())
        .unwrap_or_default();
    let claim = &s.groups_claim;
    let raw_groups = claims
        .additional_claims()
        .claims
        .get(claim)
        .or_else(|| info.and_then(|i| i.additional_claims().claims.get(claim)));
    let groups =
        read_groups(claim, raw_groups, s.bugs.has(Bug::GroupsArrayOnly)).map_err(|e| match e {
            GroupsError::Strict(text) => Refusal::Crash(text),
            shape => Refusal::Claims(shape.to_string()),
        })?;
    Ok(User {
        name: name.or(username).unwrap_or_else(|| email.clone()),
        email,
        sub: claims.subject().to_string(),
        groups,
    })
}
