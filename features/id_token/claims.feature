@id-token
Feature: The app checks the ID token's required claims

  The ID token lacks a claim OpenID Connect requires, or carries one the app must not
  trust; the app must refuse on its own page without calling userinfo. One shape that
  is merely unusual (`email_verified` as a string) must be accepted.

  Scenario: The app refuses an expired ID token
    Source: OIDC Core §3.1.3.7 item 9; gap in the OIDF plans (oidf-rp-tests.md §8)
    Level: must — OIDC Core §3.1.3.7 item 9: the current time MUST be before `exp`
    Exercised: id_token
    Why: an expired ID token may be a replay.
    Fix: check `exp` (with a small leeway, 60 s at most).

    Given the quirk id_token_misbehaviour is "exp_in_past"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token without sub
    Source: OIDC Core §2 (sub REQUIRED) and §3.1.3.7; OIDF oidcc-client-test-missing-sub (rp-id_token-sub)
    Level: must — OIDC Core §2: `sub` is REQUIRED; OIDF oidcc-client-test-missing-sub expects a refusal
    Exercised: id_token
    Why: `sub` is the only stable identity of the user at the IdP; an app that signs in without it falls back to a default or to the email and can attach the session to the wrong account.
    Fix: refuse an ID token without `sub` and key accounts on (iss, sub). openidconnect-rs and openid-client v6 refuse it; go-oidc 2.x (`Verify`) and mozilla-django-oidc 5 do not: check `idToken.Subject != ""` (go-oidc) or that the decoded payload has a `sub` (mozilla-django-oidc: override `verify_token`) yourself. In hand-rolled code make `sub` a required field, not an Option with a default.

    Given the quirk id_token_misbehaviour is "missing_sub"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token without iat
    Source: OIDC Core §2 (iat REQUIRED) and §3.1.3.7 item 10; OIDF oidcc-client-test-missing-iat (rp-id_token-iat)
    Level: must — OIDC Core §2: `iat` is REQUIRED; OIDF oidcc-client-test-missing-iat expects a refusal
    Exercised: id_token
    Why: `iat` says when the token was made; without it the app cannot bound its age, and a decoder that defaults it to now accepts tokens of any age.
    Fix: treat `iat` as required. openidconnect-rs and openid-client v6 do; go-oidc 2.x only parses it (check `idToken.IssuedAt.IsZero()` yourself); mozilla-django-oidc 5 with PyJWT 2 requires no claim (override `verify_token`). In hand-rolled code make it a required field, not an Option with a default.

    Given the quirk id_token_misbehaviour is "missing_iat"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token issued a day in the future
    Source: OIDC Core §3.1.3.7 item 10; gap in the OIDF plans, covered by FAPI's iat tests (oidf-rp-tests.md §8)
    Level: should — OIDC Core §3.1.3.7 item 10: `iat` can be used to reject tokens issued too far from now; the acceptable range is client specific
    Exercised: id_token
    Why: an `iat` far ahead of the clock means a forged token or a badly wrong IdP clock; a token "from tomorrow" stays fresh for a day after its `exp` checks pass.
    Fix: refuse `iat` more than a few minutes ahead (300 s of skew is plenty). openidconnect-rs checks nothing by default: call `IdTokenVerifier::set_issue_time_verifier_fn`; openid-client v6 and Auth.js (oauth4webapi 3.x) check `iat` only against the past, never the future: compare `claims.iat` with the clock yourself (Auth.js: in the `jwt` callback, from `account.id_token`); go-oidc 2.x only parses `iat`: compare `idToken.IssuedAt` with the clock. mozilla-django-oidc 5 (PyJWT 2) refuses it, but with an uncaught `ImmatureSignatureError` (an HTTP 500 page): catch it in `verify_token`.

    Given the quirk id_token_misbehaviour is "iat_in_future"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token whose at_hash does not match the access token
    Source: OIDC Core §3.1.3.8 and §3.2.2.9; OIDF rp-id_token-bad-at_hash (implicit and hybrid plans; optional in the code flow)
    Level: should — OIDC Core §3.1.3.8: in the code flow, if `at_hash` is present the client MAY use it to validate the access token
    Exercised: id_token
    Why: `at_hash` binds the access token to the ID token; a mismatch means one of the two was swapped (token substitution).
    Fix: when the ID token carries `at_hash`, compute it from the access token (left half of its SHA-256, base64url) and refuse on mismatch. openidconnect-rs: compare `claims.access_token_hash()` with `AccessTokenHash::from_token`. openid-client v6 and Auth.js (oauth4webapi) do not check `at_hash` in the code flow (Core §3.1.3.8 makes it optional): compute it yourself in a callback if you rely on the access token. go-oidc: `idToken.VerifyAccessToken(accessToken)`.

    Given the quirk id_token_misbehaviour is "wrong_at_hash"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app accepts email_verified given as the string "true"
    Source: AWS Cognito sends `"email_verified": "true"`; OIDC Core §5.1 says boolean; openidconnect-rs feature `accept-string-booleans`
    Level: should — OIDC Core §5.1 makes `email_verified` a boolean; AWS Cognito sends a string, so tolerating it is compatibility, not a spec duty
    Exercised: id_token
    Why: strict typed decoders refuse the whole ID token over one claim's type ("invalid type: string \"true\", expected a boolean"), so nobody from such an IdP can sign in.
    Fix: accept both shapes. openidconnect-rs: enable the `accept-string-booleans` feature; Go: a bool type with its own UnmarshalJSON; JavaScript/Python: compare with `true` and `"true"`, never rely on truthiness (`"false"` is truthy).

    Given the quirk id_token_misbehaviour is "email_verified_string"
    When carol signs in through the browser
    Then the app shows carol signed in
