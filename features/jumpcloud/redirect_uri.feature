@jumpcloud @redirect-uri
Feature: The app sends its registered redirect URI byte for byte

  Scenario: The app sends the registered redirect_uri exactly
    Source: fosite authorize_helper.go; RFC 6749 §3.1.2.3, RFC 8252 §7.3; quirks.md E-REDIR-MISMATCH
    Level: must — OIDC Core §3.1.2.1: redirect_uri MUST exactly match a registered one
    Exercised: authorize
    Why: fosite compares redirect_uri with the registered ones byte for byte (only the
    port of a loopback IP may differ). On a mismatch JumpCloud does not return to the
    app at all: the user lands on JumpCloud's error page with "The 'redirect_uri'
    parameter does not match any of the OAuth 2.0 Client's pre-registered redirect
    urls."
    Fix: register exactly the URL the app sends, or make the app send exactly the
    registered one: same scheme (watch TLS-terminating proxies), host, port, path and
    trailing slash. Auth.js / next-auth: the callback is
    `<AUTH_URL>/api/auth/callback/<provider id>`; set `AUTH_URL` (v5) or
    `NEXTAUTH_URL` (v4) to the public URL. mozilla-django-oidc builds it from
    the request: behind a proxy set `SECURE_PROXY_SSL_HEADER` and
    `USE_X_FORWARDED_HOST`. go-oidc (x/oauth2): `oauth2.Config.RedirectURL`.
    openid-client: the same `redirect_uri` in the authorization URL and the code
    exchange.

    When carol signs in through the browser
    Then the app sent the registered redirect_uri byte for byte
    And the app shows carol signed in
