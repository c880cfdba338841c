@api
Feature: The API validates every bearer token

  An API that takes the IdP's tokens as `Authorization: Bearer` (jitsudo's server takes the
  CLI's ID token) validates signature, algorithm, iss, aud, exp and nbf on every request
  against the JWKS named by discovery, and answers a bad token with 401 (RFC 6750 §3.1),
  never with a crash (5xx) or an acceptance (2xx). Each check sends one token, bent one way,
  minted by the IdP's admin API for the scenario's `[api] audience` and user carol.

  Scenario: The API accepts a valid token
    Target: api
    Source: RFC 6750 §2.1; RFC 9068 §4
    Level: must — RFC 6750 §2.1: the resource server accepts the bearer token the authorization server issued for it
    Exercised: api_request
    Why: every other check of this file is only worth something when a good token gets in; an API that refuses its own users' tokens is misconfigured (issuer, audience, JWKS URL or allowed algorithms).
    Fix: configure the API with the issuer exactly as discovery publishes it, its own audience (`[api] audience`) and the JWKS from discovery. PyJWT 2.15.1: `jwt.decode(token, key, algorithms=["RS256"], audience=AUD, issuer=ISS)` with the key from `PyJWKClient(jwks_uri).get_signing_key_from_jwt(token)`; go-oidc 2.1.0: `provider.Verifier(&oidc.Config{ClientID: AUD}).Verify(ctx, token)`; jose 6.2.18: `jwtVerify(token, createRemoteJWKSet(new URL(jwks_uri)), { issuer: ISS, audience: AUD })`; python-jose 3.5.0: `jwt.decode(token, jwk, algorithms=["RS256"], audience=AUD, issuer=ISS)`; Authlib 1.6.12: `JsonWebToken(["RS256"]).decode(token, key_set, claims_options={"iss": {"essential": True, "value": ISS}, "aud": {"essential": True, "value": AUD}})`, then `claims.validate()`.

    When the API is called with carol's token
    Then the API accepts it

  Scenario: The API refuses a token from another issuer
    Target: api
    Source: RFC 9068 §4 item 3; OIDC Core §3.1.3.7 item 2
    Level: must — RFC 9068 §4: the issuer identifier MUST exactly match the value of the iss claim
    Exercised: api_request
    Why: without the iss check a token from any IdP whose keys the API happens to trust, or a test tenant, opens it.
    Fix: pass the issuer to the verifier. PyJWT 2.15.1 checks `iss` only when given `issuer=`; go-oidc 2.1.0's `Verify` checks it against the provider's issuer unless `SkipIssuerCheck` is set; jose 6.2.18 only with the `issuer` option, python-jose 3.5.0 only with `issuer=`; Authlib 1.6.12 only with `iss` in `claims_options`, and only in `claims.validate()`.

    When the API is called with carol's token bent by "wrong_iss"
    Then the API refuses it

  Scenario: The API refuses a token for another audience
    Target: api
    Source: RFC 9068 §4 item 4; RFC 7519 §4.1.3
    Level: must — RFC 9068 §4: the resource server MUST validate that the aud claim contains an identifier it expects for itself, and reject the token otherwise
    Exercised: api_request
    Why: a token the IdP issued to another app (any app of the same IdP) would let that app's users, or that app itself, call this API.
    Fix: pass the API's own audience to the verifier. PyJWT 2.15.1: `audience="jitsudo-server"`; go-oidc 2.1.0: `oidc.Config{ClientID: "jitsudo-server"}`, never `SkipClientIDCheck: true`; jose 6.2.18: `audience: "jitsudo-server"`; python-jose 3.5.0: `audience="jitsudo-server"`; Authlib 1.6.12: `claims_options={"aud": {"essential": True, "value": "jitsudo-server"}}`.

    When the API is called with carol's token bent by "wrong_aud"
    Then the API refuses it

  Scenario: The API refuses a token issued to the CLI when it expects its own audience
    Target: api
    Source: RFC 9068 §4 item 4; jitsudo docs (jitsudo-cli's ID token, jitsudo-server's audience)
    Level: must — RFC 9068 §4: the aud claim MUST contain an identifier the resource server expects for itself
    Exercised: api_request
    Why: an ID token's `aud` is the client it was issued to (OIDC Core §2): the CLI's login gives a token for `jitsudo-cli`, not for `jitsudo-server`. An API that takes it anyway accepts tokens of every public client of the IdP. An API that refuses it (correctly) cannot serve the CLI until the IdP puts the API's audience in the token.
    Fix: keep refusing it, and give the API a token meant for it: an ID token's `aud` is always the client it was issued to (OIDC Core §2), so either the CLI sends an access token issued for the API (Okta: a custom authorization server whose audience is the API; Entra ID: ask for the API's scope, `api://<server app id>/.default`), or the IdP adds the API to the token's audience (Keycloak: an Audience mapper on the CLI's client, with "Add to ID token" on). Only if the CLI's client id is meant to be accepted, list it explicitly as a second audience the API accepts (where the verifier takes one audience, verify against each in turn).

    When the API is called with carol's token issued to the CLI
    Then the API refuses it

  Scenario: The API refuses an expired token
    Target: api
    Source: RFC 9068 §4 item 6; RFC 7519 §4.1.4
    Level: must — RFC 7519 §4.1.4: the JWT MUST NOT be accepted on or after its exp time
    Exercised: api_request
    Why: an expired token is a stolen token's best-case lifetime; jitsudo validates exp on every call for this reason.
    Fix: keep the expiry check on and answer 401, not 500. PyJWT 2.15.1 checks `exp` unless `options={"verify_exp": False}` and raises `ExpiredSignatureError`, an `InvalidTokenError`; go-oidc 2.1.0 unless `SkipExpiryCheck`; jose 6.2.18's `jwtVerify` checks it (`ERR_JWT_EXPIRED`); python-jose 3.5.0 raises `ExpiredSignatureError`, a `JWTError`; Authlib 1.6.12's `jwt.decode` checks no claim: `claims.validate()` raises `ExpiredTokenError`. Catch the library's error and answer 401 `invalid_token`.

    When the API is called with carol's token bent by "exp_in_past"
    Then the API refuses it

  Scenario: The API refuses a token that is not valid yet
    Target: api
    Source: RFC 7519 §4.1.5
    Level: must — RFC 7519 §4.1.5: the JWT MUST NOT be accepted before its nbf time
    Exercised: api_request
    Why: a token dated in the future was minted wrongly or for later use; accepting it stretches its lifetime.
    Fix: check `nbf` with a small clock tolerance. PyJWT 2.15.1 checks it unless `options={"verify_nbf": False}`; go-oidc 2.1.0 checks it with one minute of leeway, but only while `SkipExpiryCheck` is off; jose 6.2.18, python-jose 3.5.0 and Authlib 1.6.12 (in `claims.validate()`) check it with no leeway by default; a hand-written check must compare `nbf` with the current time too.

    When the API is called with carol's token bent by "nbf_in_future"
    Then the API refuses it

  Scenario: The API refuses an unsigned token (alg none)
    Target: api
    Source: RFC 8725 §2.1, §3.1; RFC 9068 §4 item 5; CVE-2015-9235
    Level: must — RFC 9068 §4: the resource server MUST reject any JWT in which the value of alg is none
    Exercised: api_request
    Why: anyone can write an `alg: none` token with any user and any groups.
    Fix: pass an explicit allow-list of algorithms, never take the header's word, and answer every verification error with 401. PyJWT 2.15.1: `algorithms=["RS256"]`; with `PyJWKClient`, the key lookup comes first and raises `PyJWKClientError` for this token (it has no `kid`), which is a `jwt.PyJWTError` but no `jwt.InvalidTokenError`: catch `jwt.PyJWTError`, or the API answers 500. go-oidc 2.1.0 accepts only `oidc.Config.SupportedSigningAlgs`, RS256 when it is unset (not the algorithms discovery lists). jose 6.2.18's `createRemoteJWKSet` refuses it (`JOSENotSupported`), as do python-jose 3.5.0 with `algorithms=["RS256"]` and Authlib 1.6.12's `JsonWebToken(["RS256"])`.

    When the API is called with carol's token bent by "alg_none"
    Then the API refuses it

  Scenario: The API refuses a token signed with HS256 and a known secret
    Target: api
    Source: RFC 8725 §2.1, §3.1 (algorithm confusion)
    Level: must — RFC 8725 §3.1: libraries MUST enable the caller to specify the supported algorithms and MUST NOT use any other
    Exercised: api_request
    Why: an API that also accepts HS256 verifies with a shared secret; whoever knows it (here the API's client secret) mints tokens for any user.
    Fix: allow only the IdP's asymmetric algorithm (RS256/ES256) and answer every verification error with 401. PyJWT 2.15.1: `algorithms=["RS256"]` without "HS256"; with `PyJWKClient`, this kid-less token raises `PyJWKClientError` (a `jwt.PyJWTError`, no `jwt.InvalidTokenError`) before `algorithms` is consulted: catch `jwt.PyJWTError`. go-oidc 2.1.0: leave `SupportedSigningAlgs` unset (RS256 only) or list only asymmetric algorithms. jose 6.2.18's `createRemoteJWKSet` refuses symmetric algorithms (`JOSENotSupported`); python-jose 3.5.0: `algorithms=["RS256"]`; Authlib 1.6.12: `JsonWebToken(["RS256"])`, not the module's `authlib.jose.jwt`, which allows HS256 too.

    When the API is called with carol's token bent by "hs256_client_secret"
    Then the API refuses it

  Scenario: The API refuses a token whose signature does not verify
    Target: api
    Source: RFC 9068 §4 item 5; RFC 7515 §5.2
    Level: must — RFC 9068 §4: the resource server MUST validate the signature of all incoming JWT access tokens
    Exercised: api_request
    Why: without the signature check every claim is the caller's choice, groups included.
    Fix: verify against the IdP's JWKS; never decode without verifying (PyJWT 2.15.1 `options={"verify_signature": False}`, or a decode-only helper used as if it verified), and answer every verification error with 401. python-jose 3.5.0 given a JWK set tries every key in turn, and a key of another type (an EC key beside the RSA one) raises `JWKError`, a `JOSEError` but no `JWTError` (HTTP 500 behind `except JWTError`): pass `jwt.decode` only the JWK whose `kid` the token names, and catch `jose.exceptions.JOSEError`.

    When the API is called with carol's token bent by "bad_signature"
    Then the API refuses it

  Scenario: The API refuses a token signed with a key the IdP does not publish
    Target: api
    Source: RFC 7515 §4.1.4; OIDC Core §10.1.1
    Level: must — RFC 9068 §4: the signature MUST validate with the issuer's published keys; a kid absent from the JWKS has none
    Exercised: api_request
    Why: a token with an unknown `kid` cannot be verified; an API that falls back to "any key" or to no check accepts forgeries.
    Fix: look the key up by `kid` in the JWKS (fetching it again once), and answer 401 when it is still missing. PyJWT 2.15.1's `PyJWKClient.get_signing_key_from_jwt` raises `PyJWKClientError` then, a `jwt.PyJWTError` but no `jwt.InvalidTokenError`: catch `jwt.PyJWTError`, or the API answers 500. go-oidc 2.1.0's `Verify` returns an error ("failed to verify id token signature"); jose 6.2.18's `createRemoteJWKSet` throws `JWKSNoMatchingKey`. python-jose 3.5.0 ignores `kid` and tries every key of a JWK set, so it accepts a token signed by a published key under any `kid`: pick the JWK by `kid` yourself. Authlib 1.6.12's `KeySet.find_by_kid` raises `ValueError("Key not found")`, no `JoseError`: catch it too, or the API answers 500.

    When the API is called with carol's token bent by "unknown_kid"
    Then the API refuses it

  Scenario: The API accepts tokens signed after the IdP rotated its key
    Target: api
    Source: OIDC Core §10.1.1; jitsudo docs ("every request is independently verified against the live JWKS")
    Level: should — OIDC Core §10.1.1: the verifier knows to go back to the jwks_uri to re-retrieve the keys when it sees an unfamiliar kid value (no MUST)
    Exercised: api_request
    Why: IdPs rotate signing keys; an API that caches the JWKS for ever refuses every user after a rotation until it restarts.
    Fix: on an unknown `kid`, fetch the JWKS again (rate-limited). go-oidc 2.1.0's remote key set fetches again when no cached key verifies, but only once the cached set is within 30 s of the expiry the JWKS answer's `Cache-Control` gave it (none: expired at once); a long `max-age` on the IdP's JWKS delays it. PyJWT 2.15.1's `PyJWKClient` fetches again on an unknown `kid` only when `cooldown_duration` (30 s by default) has passed since its last fetch, so right after a rotation it raises `PyJWKClientError` for the new `kid`; `PyJWKClient(jwks_uri, cooldown_duration=0)` fetches at once. jose 6.2.18's `createRemoteJWKSet` likewise waits `cooldownDuration` (30 s) and refuses the new `kid` until then; `createRemoteJWKSet(url, { cooldownDuration: 0 })` fetches at once. python-jose 3.5.0 and Authlib 1.6.12 fetch no JWKS: keep the copy in the app and fetch it again for a `kid` it lacks (Authlib: pass `jwt.decode` a key function of header and payload that does). A hand-made cache must make a miss trigger a new fetch.

    When the API is called with carol's token
    And the IdP rotates its signing key
    And the API is called with carol's token
    Then the API accepts it

  Scenario: The API copes with a groups claim that is a single string
    Target: api
    Source: quirks.md (JumpCloud sends one group as a string); jitsudo docs (groups claim in policies)
    Level: must — a real provider sends it: JumpCloud's groups attribute is a string for a user in one group
    Exercised: api_request
    Why: a `[]string` field or `list[str]` model fails on `"groups": "Engineering"` with an HTTP 500 for that user.
    Fix: accept both shapes: a string is one group. Go: a custom `UnmarshalJSON` for the groups type; Python: `groups = claims.get("groups") or []; groups = [groups] if isinstance(groups, str) else groups`; JS: `[].concat(claims.groups ?? [])`.

    When the API is called with carol's token whose groups claim is "Engineering"
    Then the API answers without crashing

  Scenario: The API refuses a token without the groups claim
    Target: api
    Source: jitsudo docs ("groups claim missing": policies see no groups)
    Level: should — no spec rule: an access policy on groups must not treat a missing claim as "no restriction"
    Exercised: api_request
    Why: an IdP not configured to send groups (no groups mapper, scope not granted) must not open the API to everyone, nor crash it.
    Fix: treat a missing groups claim as "in no group" and answer 403 with a message that names the claim; check the IdP sends it (Okta: groups claim filter; Keycloak: group membership mapper; Entra ID: groups claim in token configuration).

    When the API is called with carol's token whose groups claim is missing
    Then the API refuses it

  Scenario: The API refuses a token whose groups come under another name
    Target: api
    Source: jitsudo docs; quirks.md (group attribute names configurable per IdP app)
    Level: should — no spec rule: the groups claim's name is the IdP admin's choice
    Exercised: api_request
    Why: an IdP that names the claim differently (`memberOf`, `roles`) silently empties every policy; the API must say so, not let everyone in.
    Fix: make the claim name configurable and answer 403 naming the claim it looked for; set the IdP's claim name to match (JumpCloud: the group attribute name of the app).

    When the API is called with carol's token whose groups come under another name
    Then the API refuses it
