@jumpcloud @issuer
Feature: The app uses the issuer exactly as JumpCloud publishes it

  Scenario: The app works with an issuer that has a path and ends with a slash
    Source: OIDC Discovery §4.3, OIDC Core §3.1.3.7 item 2; quirks.md J9; NetBird JumpCloud docs
    Level: must — OIDC Discovery §4.3: the issuer returned MUST be identical to the Issuer URL used; Core §3.1.3.7 item 2: `iss` MUST exactly match
    Exercised: discovery
    Why: JumpCloud's issuer is `https://oauth.id.jumpcloud.com/`, with a trailing slash,
    in discovery and in every ID token's `iss`. An app configured without the slash
    fails discovery or token validation: go-oidc says "oidc: issuer did not match the
    issuer returned by provider, expected "https://oauth.id.jumpcloud.com" got
    "https://oauth.id.jumpcloud.com/""; Spring says "The Issuer ... provided in the
    configuration metadata did not match the requested issuer". Stickler's tenants add
    a path (`/t/<name>/`) so that apps that rebuild URLs from the host also fail here.
    Fix: configure the issuer byte for byte as discovery publishes it, slash included
    (`https://oauth.id.jumpcloud.com/`), and never trim or normalise it. go-oidc:
    `oidc.NewProvider(ctx, "https://oauth.id.jumpcloud.com/")`. Auth.js / next-auth: `issuer` on the provider
    (`AUTH_<PROVIDER>_ISSUER`), as published. openid-client: discover from that exact
    URL (`discovery(new URL(...), ...)` in v6).
    mozilla-django-oidc does no discovery: copy each `OIDC_OP_*_ENDPOINT` from the
    discovery document rather than building them from a base URL.

    When carol signs in through the browser
    Then the app shows carol signed in
