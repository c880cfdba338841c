@jumpcloud @state
Feature: The app protects its callback with a strong state

  JumpCloud runs Ory Hydra (fosite): it refuses an authorization request whose `state`
  is missing or shorter than 8 characters, before the user even sees the login page.

  Scenario: The app sends a state of 8 or more characters
    Source: fosite authorize_request_handler.go (MinParameterEntropy = 8); quirks.md E-STATE/J1; tolgee#1830, sourcebot#1020
    Level: must — JumpCloud (fosite) refuses the whole sign-in (a real provider's hard refusal); RFC 6749 §10.12: the client MUST implement CSRF protection
    Exercised: authorize
    Why: JumpCloud (fosite's MinParameterEntropy) answers a missing or short state with a
    303 back to the app: error=invalid_state, "The state is missing or does not have
    enough characters and is therefore considered too weak. Request parameter 'state'
    must be at least be 8 characters long to ensure sufficient entropy."
    Fix: send a random state of at least 8 characters (32 is usual) and check it on the
    callback. Auth.js / next-auth v5: add `checks: ["pkce", "state"]` to the provider
    (its default is `["pkce"]`, which sends no state). openid-client: pass
    `state: client.randomState()`. go-oidc/x/oauth2: `AuthCodeURL(state)` with a random
    value, never "". mozilla-django-oidc sends one by default.

    Given the profile's min_state_length applies
    When carol signs in through the browser
    Then the app sent a state of at least 8 characters
    And the app shows carol signed in

  Scenario: The app rejects a callback whose state is not its own
    Source: RFC 6749 §10.12, OIDC Core §3.1.2.1; OIDF RP plans leave it untested (oidf-rp-tests.md §8)
    Level: must — RFC 6749 §10.12: the client MUST implement CSRF protection for its redirection URI (RFC 9700 §4.7.1: PKCE S256 may provide it, then this is a warning)
    Exercised: callback
    Why: the state binds the callback to the browser that started the sign-in. An app
    that ignores a mismatch accepts a code an attacker obtained for their own account
    (login CSRF, RFC 6749 §10.12, OIDC Core §3.1.2.7).
    Fix: store the state you sent (cookie or server session) and refuse the callback
    unless `state` equals it, then discard it, or use PKCE S256, which binds the code to
    the browser. Auth.js: its default `checks: ["pkce"]` protects the callback through
    PKCE; add "state" for JumpCloud anyway (see jumpcloud.state.1).
    openid-client: pass `expectedState` to `authorizationCodeGrant`. go-oidc: compare
    `r.URL.Query().Get("state")` with the cookie before `Exchange`.

    When carol signs in and the callback carries a forged state
    Then the app refuses the forged callback, unless PKCE binds it to the browser
