@auth0 @signature
Feature: The app verifies the HS256 ID tokens of an Auth0 application that signs with its client secret

  Auth0's older applications sign ID tokens with HS256 and the client secret, and the
  discovery document then lists only `HS256`. Authentik does the same when no signing key
  is selected.

  Scenario: The app verifies an HS256 ID token with its client secret when discovery lists only HS256
    Source: quirks.md A3, AK2; OIDC Core §3.1.3.7 items 7-8 (a MAC `alg` is verified with the client secret) and §10.1; auth0-samples/auth0-golang-web-app#24; auth0/auth0-react#130; goauthentik/authentik#9250
    Level: should — OIDC Core §3.1.3.7 item 8: with a MAC-based `alg` the client secret is the key; a client need not support HS256, and Discovery §3 wants RS256 listed, so accepting it is compatibility with these providers, not a spec duty
    Exercised: id_token
    Why: the application signs every ID token with HS256 and the client secret, and
    discovery's `id_token_signing_alg_values_supported` is `["HS256"]`. An app that only
    takes RS256 refuses every sign-in: go-oidc says `oidc: id token signed with
    unsupported algorithm, expected ["RS256"] got "HS256"`, auth0-react `Signature
    algorithm of "HS256" is not supported. Expected the ID token to be signed with
    "RS256"`.
    Fix: on the IdP, prefer RS256 (Auth0: the application's Advanced Settings → OAuth →
    JSON Web Token Signature Algorithm; Authentik: select a signing key); in the app,
    accept HS256 only when discovery (or your registration) says so, and verify it with
    the client secret. go-oidc v2: `oidc.Config{SupportedSigningAlgs: []string{"HS256"}}`
    with a key set that holds the secret (`oidc.NewVerifier` with your own `KeySet`: the
    provider's remote key set holds only public keys). openidconnect-rs takes the
    algorithms discovery lists and verifies HS256 with the client secret.
    mozilla-django-oidc 5.0.2 set to `OIDC_RP_SIGN_ALGO = "RS256"` looks for the token's
    absent `kid` and fails with HTTP 500; `OIDC_RP_SIGN_ALGO = "HS256"` (its default)
    verifies with `OIDC_RP_CLIENT_SECRET`. openid-client v6 and Auth.js sign in by default
    (they do not verify a token-endpoint ID token's signature); openid-client's
    `enableNonRepudiationChecks` refuses any HS256 token (`unsupported operation`), so
    leave it off for such a provider or move the provider to RS256.

    Given the "auth0" profile
    Given the quirk id_token_hs256_client_secret is true
    When carol signs in through the browser
    Then the app shows carol signed in
