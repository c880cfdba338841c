@callback
Feature: The app's callback is single-use and bound to the browser that signed in

  The callback URL carries the authorization code and the state. It stays in the
  browser's history, in proxy and server logs, and can leak through a `Referer`
  header. Whoever replays it must not get the session of the person who signed in.

  Scenario: The app refuses a callback replayed in another browser session
    Source: RFC 6749 §4.1.2 and §10.5 (a code is single-use and short-lived); RFC 9700 §4.2-4.3 (codes leaked through Referer and browser history); OIDF RP plans leave it untested (oidf-rp-tests.md §8: "code replay across sessions")
    Level: must — RFC 6749 §10.12: the client MUST implement CSRF protection; §10.5: a code is single use
    Exercised: callback
    Why: a correct app binds the callback to the browser that started the sign-in (the state in its cookie or session) and forgets that state once used, so a replayed callback has nothing to match. It would never redeem the code again either: JumpCloud (fosite) answers a second redemption with invalid_grant, "The authorization code has already been used.", and revokes the tokens it issued from that code. An app that remembers each callback's result by its code, to make the callback idempotent, hands the victim's session to whoever presents the URL again.
    Fix: keep the state (and nonce, PKCE verifier) in the browser's own session, delete it when the callback arrives, and refuse a callback with no pending sign-in. Never cache sign-ins by code; to survive a double request (React strict mode, a prefetching link checker), redirect away from the callback at once so it is not loaded twice. Auth.js, openid-client (`expectedState`) and mozilla-django-oidc do this by default; with go-oidc, delete the state cookie before `Exchange`.

    When carol signs in and the callback is replayed in a new browser session
    Then the app refuses the sign-in visibly
