@id-token
Feature: The app validates the ID token

  The IdP misbehaves on purpose; the app must refuse the sign-in on its own page, and
  must not go on to call userinfo with the access token of a refused response.

  Scenario: The app refuses an ID token from another issuer
    Source: OIDC Core §3.1.3.7 item 2; OIDF oidcc-client-test-invalid-iss (rp-id_token-iss)
    Why: an ID token whose `iss` is not the configured issuer may come from another provider the user also uses (mix-up); go-oidc says "oidc: id token issued by a different provider".
    Fix: compare `iss` with the configured issuer exactly (mozilla-django-oidc does not check it at all: validate it yourself). openid-client: use `authorizationCodeGrant` (it validates); go-oidc: `provider.Verifier(&oidc.Config{ClientID: ...}).Verify`; Auth.js/oauth4webapi: keep `processAuthorizationCodeResponse`; mozilla-django-oidc: set `OIDC_RP_SIGN_ALGO = "RS256"` and `OIDC_OP_JWKS_ENDPOINT`; Spring: the default `OidcIdTokenValidator`.

    Given the quirk id_token_misbehaviour is "wrong_iss"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token for another client
    Source: OIDC Core §3.1.3.7 item 3; OIDF oidcc-client-test-invalid-aud (rp-id_token-aud)
    Why: a token minted for another app at the same IdP can be replayed against yours if `aud` is not checked.
    Fix: require your client_id in `aud`. openid-client: use `authorizationCodeGrant` (it validates); go-oidc: `provider.Verifier(&oidc.Config{ClientID: ...}).Verify`; Auth.js/oauth4webapi: keep `processAuthorizationCodeResponse`; mozilla-django-oidc: set `OIDC_RP_SIGN_ALGO = "RS256"` and `OIDC_OP_JWKS_ENDPOINT`; Spring: the default `OidcIdTokenValidator`.

    Given the quirk id_token_misbehaviour is "wrong_aud"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token with an extra audience and no azp
    Source: OIDC Core §3.1.3.7 items 4-5; gap in the OIDF plans (oidf-rp-tests.md §8)
    Why: with several audiences and no `azp` the token was not issued to your app as the authorized party; Spring refuses it (OidcIdTokenValidator).
    Fix: accept extra audiences only if you trust them and `azp` is your client_id.

    Given the quirk id_token_misbehaviour is "extra_aud_no_azp"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token whose signature does not verify
    Source: OIDC Core §3.1.3.7 item 6; OIDF oidcc-client-test-invalid-signature (rp-id_token-bad-sig-rs256)
    Why: without the signature check anyone can forge any user's ID token.
    Fix: verify the signature against the IdP's JWKS; never decode without verifying (jwt.decode(..., verify=False), jose `decodeJwt`). openid-client: use `authorizationCodeGrant` (it validates); go-oidc: `provider.Verifier(&oidc.Config{ClientID: ...}).Verify`; Auth.js/oauth4webapi: keep `processAuthorizationCodeResponse`; mozilla-django-oidc: set `OIDC_RP_SIGN_ALGO = "RS256"` and `OIDC_OP_JWKS_ENDPOINT`; Spring: the default `OidcIdTokenValidator`.

    Given the quirk id_token_misbehaviour is "bad_signature"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an unsigned ID token (alg none)
    Source: OIDC Core §3.1.3.7 item 7; OIDF oidcc-client-test-unsigned-idtoken (rp-id_token-sig-none)
    Why: an `alg: none` token is a forgery kit: anyone can write one.
    Fix: allow only the algorithms you registered (RS256); reject `none` explicitly.

    Given the quirk id_token_misbehaviour is "alg_none"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly

  Scenario: The app refuses an ID token signed with the client secret (HS256)
    Source: OIDC Core §10.1; rp-id_token-sig-hs256 inverted: the client is registered for RS256; Authentik AK2
    Why: an app that accepts any algorithm can be fed an HS256 token made with a secret an attacker may know; go-oidc: "oidc: malformed jwt: unexpected signature algorithm \"HS256\"; expected [\"RS256\"]".
    Fix: pin the expected algorithm (RS256) instead of trusting the header's `alg`.

    Given the quirk id_token_misbehaviour is "hs256_client_secret"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token signed with a key that is not in the JWKS
    Source: OIDC Core §10.1.1; OIDF oidcc-client-test-kid-absent... (rp-id_token-bad-sig)
    Why: a `kid` the IdP does not publish means the token was not signed by the IdP.
    Fix: look the `kid` up in the JWKS (refetch once if unknown) and refuse if it is still missing.

    Given the quirk id_token_misbehaviour is "unknown_kid"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token whose nonce is not its own
    Source: OIDC Core §3.1.3.7 item 11; OIDF oidcc-client-test-invalid-nonce (rp-nonce-invalid)
    Why: the nonce binds the ID token to this sign-in; without the check a stolen ID token can be replayed.
    Fix: store the nonce you sent and compare it; go-oidc's Verify does NOT check it: compare `idToken.Nonce` yourself.

    Given the quirk id_token_misbehaviour is "wrong_nonce"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token without the nonce it sent
    Source: OIDC Core §3.1.3.7 item 11; OIDF oidcc-client-test-missing-nonce
    Why: a missing nonce is as bad as a wrong one when the app sent one.
    Fix: when you sent a nonce, require it in the ID token.

    Given the quirk id_token_misbehaviour is "missing_nonce"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an expired ID token
    Source: OIDC Core §3.1.3.7 item 9; gap in the OIDF plans (oidf-rp-tests.md §8)
    Why: an expired ID token may be a replay.
    Fix: check `exp` (with a small leeway, 60 s at most).

    Given the quirk id_token_misbehaviour is "exp_in_past"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app accepts an ID token without kid when the JWKS has one key
    Source: OIDC Core §10.1; OIDF oidcc-client-test-kid-absent-single-jwks
    Why: a `kid` is optional when the JWKS holds a single key; strict libraries that require it lock users out.
    Fix: when the header has no `kid`, use the JWKS's only key of the right type.

    Given the quirk id_token_misbehaviour is "no_kid_single_key"
    When carol signs in through the browser
    Then the app shows carol signed in
