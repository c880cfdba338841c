@id-token
Feature: The app binds the ID token to its own sign-in

  The nonce ties an ID token to the sign-in that asked for it: a wrong one, a missing
  one, and a whole token replayed from an earlier sign-in must all be refused.

  Scenario: The app refuses an ID token whose nonce is not its own
    Source: OIDC Core §3.1.3.7 item 11; OIDF oidcc-client-test-invalid-nonce (rp-nonce-invalid)
    Level: must — OIDC Core §3.1.3.7 item 11: if a nonce was sent, the `nonce` claim MUST be present and equal to it
    Exercised: nonce_id_token
    Why: the nonce binds the ID token to this sign-in; without the check a stolen ID token can be replayed.
    Fix: store the nonce you sent and compare it; go-oidc's Verify does NOT check it: compare `idToken.Nonce` yourself.

    Given the quirk id_token_misbehaviour is "wrong_nonce"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token without the nonce it sent
    Source: OIDC Core §3.1.3.7 item 11; OIDF oidcc-client-test-missing-nonce
    Level: must — OIDC Core §3.1.3.7 item 11: if a nonce was sent, the `nonce` claim MUST be present and equal to it
    Exercised: nonce_id_token
    Why: a missing nonce is as bad as a wrong one when the app sent one.
    Fix: when you sent a nonce, require it in the ID token.

    Given the quirk id_token_misbehaviour is "missing_nonce"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not call userinfo

  Scenario: The app refuses an ID token replayed from an earlier sign-in
    Source: OIDC Core §3.1.3.7 item 11 (nonce) and §15.5.2 (replay); gap in the OIDF plans (oidf-rp-tests.md §8: "id_token replay across sessions")
    Level: must — OIDC Core §3.1.3.7 item 11: the nonce MUST equal the one sent in this request; §15.5.2 replay
    Exercised: nonce_id_token
    Why: the token endpoint answers with the ID token of an earlier sign-in, byte for byte: a valid signature, the right issuer and audience, not expired, but minted for another session. Only the nonce (and `at_hash`) tell it apart; an app that checks neither signs in whoever's token is replayed.
    Fix: send a fresh nonce per sign-in, keep it in the session and compare it with the ID token's; also check `at_hash` when present. go-oidc's Verify does not compare the nonce: check `idToken.Nonce` yourself.

    When carol signs in through the browser
    Then the app shows carol signed in
    When the quirk id_token_misbehaviour becomes "replay_id_token"
    And carol signs in again through the browser
    Then the app refuses the sign-in visibly
