@jumpcloud @redirect-uri
Feature: The app sends its registered redirect URI byte for byte

  Scenario: The app sends the registered redirect_uri exactly
    Source: fosite authorize_helper.go; RFC 6749 §3.1.2.3, RFC 8252 §7.3; quirks.md E-REDIR-MISMATCH
    Why: fosite compares redirect_uri with the registered ones byte for byte (only the
    port of a loopback IP may differ). On a mismatch JumpCloud does not return to the
    app at all: the user lands on JumpCloud's error page with "The 'redirect_uri'
    parameter does not match any of the OAuth 2.0 Client's pre-registered redirect
    urls."
    Fix: register exactly the URL the app sends, or make the app send exactly the
    registered one: same scheme (watch TLS-terminating proxies: set AUTH_URL /
    NEXTAUTH_URL, `server.forward-headers-strategy`, X-Forwarded-Proto), host, port,
    path and trailing slash.

    When carol signs in through the browser
    Then the app sent the registered redirect_uri byte for byte
    And the app shows carol signed in
