@google @scopes
Feature: The app asks Google only for scopes Google serves

  Google has no groups. A sign-in request that asks for a scope Google does not know,
  such as `groups`, is refused on Google's own page before the user can sign in.

  Scenario: The app signs in at Google without asking for a scope Google does not serve
    Source: quirks.md G3; RFC 6749 §3.3 (the server may refuse a requested scope) and §4.1.2.1 (`invalid_scope`); OIDC Core §5.4 (the standard scopes are `profile`, `email`, `address`, `phone`); developers.google.com/identity/openid-connect/openid-connect (scopes); leg100/otf#557; juanfont/headscale#1861; goharbor/harbor#13609
    Level: must — a real provider's hard refusal: Google shows `invalid_scope` on its own page and nobody signs in
    Exercised: authorize
    Why: apps written for an IdP with groups (Dex, Keycloak, JumpCloud) often ask for a
    `groups` scope by default. Google answers such a request on its own page with `Error
    400: invalid_scope` and `Some requested scopes were invalid. {valid=[openid,
    https://www.googleapis.com/auth/userinfo.profile], invalid=[groups]}` (for `openid
    profile groups`), and never
    redirects back: the user sees Google's error, the app sees nothing.
    Fix: make the requested scopes a setting and, for Google, ask only for `openid email
    profile` (Google has no groups claim: take groups from your own directory or from
    Google Workspace's APIs). Auth.js's `type: "oidc"` provider asks for `openid
    profile email` by default (`authorization.params.scope`); mozilla-django-oidc takes
    `OIDC_RP_SCOPES`, go-oidc apps set x/oauth2's `oauth2.Config.Scopes`: the examples
    on these ask for `openid email profile` and sign in.

    Given the "google" profile
    When carol signs in through the browser
    Then the app shows carol signed in
