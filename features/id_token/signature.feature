@id-token
Feature: The app verifies the ID token's signature

  Forged, unsigned and wrongly signed ID tokens; the app must refuse each on its own page.

  Scenario: The app refuses an ID token whose signature does not verify
    Source: OIDC Core §3.1.3.7 item 6; OIDF oidcc-client-test-invalid-signature (rp-id_token-bad-sig-rs256)
    Level: should — OIDC Core §3.1.3.7 item 6: for an ID token from the token endpoint, TLS server validation MAY replace the signature check; the OIDF suite marks it SKIPPED, not FAILED
    Exercised: id_token
    Why: without the signature check anyone can forge any user's ID token.
    Fix: verify the signature against the IdP's JWKS; never decode a token without verifying it. Auth.js / next-auth v5 and openid-client v6 (both on oauth4webapi 3) do NOT verify the signature of an ID token that comes from the token endpoint (Core §3.1.3.7 item 6 allows it): openid-client v6 verifies it after `client.enableNonRepudiationChecks(config)`; Auth.js has no setting for it: verify `account.id_token` against the JWKS yourself in the `signIn` callback if you need it. go-oidc: `provider.Verifier(&oidc.Config{ClientID: ...}).Verify` verifies it; mozilla-django-oidc: set `OIDC_RP_SIGN_ALGO = "RS256"` and `OIDC_OP_JWKS_ENDPOINT`.

    Given the quirk id_token_misbehaviour is "bad_signature"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an unsigned ID token (alg none)
    Source: OIDC Core §3.1.3.7 item 7; OIDF oidcc-client-test-unsigned-idtoken (rp-id_token-sig-none)
    Level: should — OIDC Core §3.1.3.7 item 7: `alg` SHOULD be RS256 or the registered algorithm; item 6 lets token-endpoint ID tokens skip the signature; OIDF oidcc-client-test-idtoken-sig-none accepts either
    Exercised: id_token
    Why: an `alg: none` token is a forgery kit: anyone can write one.
    Fix: allow only the algorithms you registered (RS256) and pass that list to your JWT library's verify call; never take the algorithm from the token's header. openid-client v6, Auth.js (oauth4webapi 3) and go-oidc 2.x refuse it by default; mozilla-django-oidc 5 refuses it too, with an HTTP 500 page (a `KeyError` on the missing `kid`). Do not decode the token yourself.

    Given the quirk id_token_misbehaviour is "alg_none"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly

  Scenario: The app refuses an ID token signed with the client secret (HS256)
    Source: OIDC Core §10.1; rp-id_token-sig-hs256 inverted: the client is registered for RS256; Authentik AK2
    Level: should — OIDC Core §3.1.3.7 items 6-8: a token-endpoint ID token MAY go unverified (OIDF: SKIPPED); `alg` SHOULD be the registered one
    Exercised: id_token
    Why: an app that accepts any algorithm can be fed an HS256 token made with a secret an attacker may know; go-oidc: "oidc: malformed jwt: unexpected signature algorithm \"HS256\"; expected [\"RS256\"]".
    Fix: pin the expected algorithm (RS256) instead of trusting the header's `alg`; a verifier that picks the key type from the header uses the client secret as an HMAC key. mozilla-django-oidc: `OIDC_RP_SIGN_ALGO = "RS256"` with `OIDC_OP_JWKS_ENDPOINT`; openid-client v6, Auth.js and go-oidc 2.x refuse it by default.

    Given the quirk id_token_misbehaviour is "hs256_client_secret"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token signed with a key that is not in the JWKS
    Source: OIDC Core §10.1.1; OIDF oidcc-client-test-kid-absent... (rp-id_token-bad-sig)
    Level: should — OIDC Core §3.1.3.7 item 6: for an ID token from the token endpoint, TLS MAY replace the signature check (OIDF: SKIPPED)
    Exercised: id_token
    Why: a `kid` the IdP does not publish means the token was not signed by the IdP.
    Fix: look the `kid` up in the JWKS (refetch once if unknown) and refuse if it is still missing.

    Given the quirk id_token_misbehaviour is "unknown_kid"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo
