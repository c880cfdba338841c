@id-token
Feature: The app checks who issued the ID token and for whom

  The IdP misbehaves on purpose; the app must refuse the sign-in on its own page, and
  must not go on to call userinfo with the access token of a refused response.

  Scenario: The app refuses an ID token from another issuer
    Source: OIDC Core §3.1.3.7 item 2; OIDF oidcc-client-test-invalid-iss (rp-id_token-iss)
    Level: must — OIDC Core §3.1.3.7 item 2: `iss` MUST exactly match the issuer
    Exercised: id_token
    Why: an ID token whose `iss` is not the configured issuer may come from another provider the user also uses (mix-up); go-oidc says "oidc: id token issued by a different provider".
    Fix: compare `iss` with the configured issuer exactly. openid-client v6, Auth.js (oauth4webapi 3) and go-oidc 2.x (`provider.Verifier(&oidc.Config{ClientID: ...}).Verify`) check it by default. mozilla-django-oidc 5 does not and has no setting for it: override `verify_token` and call `jwt.decode` with `issuer=` your issuer.

    Given the quirk id_token_misbehaviour is "wrong_iss"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token for another client
    Source: OIDC Core §3.1.3.7 item 3; OIDF oidcc-client-test-invalid-aud (rp-id_token-aud)
    Level: must — OIDC Core §3.1.3.7 item 3: the ID token MUST be rejected if it does not list the client in `aud`
    Exercised: id_token
    Why: a token minted for another app at the same IdP can be replayed against yours if `aud` is not checked.
    Fix: require your client_id in `aud`. openid-client v6, Auth.js (oauth4webapi 3) and go-oidc 2.x (`provider.Verifier(&oidc.Config{ClientID: ...}).Verify`) check it by default. mozilla-django-oidc 5 decodes with `verify_aud` off and has no setting for it: override `verify_token` and call `jwt.decode` with `audience=` your client id.

    Given the quirk id_token_misbehaviour is "wrong_aud"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token with an extra audience and no azp
    Source: OIDC Core §3.1.3.7 items 4-5; gap in the OIDF plans (oidf-rp-tests.md §8)
    Level: must — OIDC Core §3.1.3.7 item 3: the ID token MUST be rejected if it contains additional audiences not trusted by the client
    Exercised: id_token
    Why: with several audiences and no `azp` the token was not issued to your app as the authorized party; Spring refuses it (OidcIdTokenValidator).
    Fix: accept extra audiences only if you trust them and `azp` is your client_id.

    Given the quirk id_token_misbehaviour is "extra_aud_no_azp"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token whose azp names another client
    Source: OIDC Core §3.1.3.7 items 4-5; gap in the OIDF plans (oidf-rp-tests.md §8)
    Level: should — OIDC Core §3.1.3.7 items 4-5: the client SHOULD verify that `azp` is its client_id (MAY include)
    Exercised: id_token
    Why: `azp` says which client the token was issued to; when it names another client, the token was meant for that client even though `aud` also lists yours.
    Fix: when `azp` is present, require it to be your client_id. openidconnect-rs leaves `azp` to you (compare `claims.authorized_party()`); go-oidc does not check it: compare `idToken.AuthorizedParty` yourself; openid-client v6 and Auth.js (oauth4webapi 3) check it; mozilla-django-oidc 5 reads neither `aud` nor `azp`.

    Given the quirk id_token_misbehaviour is "extra_aud_wrong_azp"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo
