@userinfo
Feature: The app uses userinfo safely

  Scenario: The app refuses a userinfo answer about another subject
    Source: OIDC Core §5.3.4; OIDF oidcc-client-test-userinfo-invalid-sub (rp-userinfo-bad-sub-claim)
    Level: must — OIDC Core §5.3.4: the userinfo `sub` MUST be verified to match the ID token's; if not, the values MUST NOT be used
    Exercised: userinfo
    Why: the userinfo `sub` must equal the ID token's; otherwise the app may sign the user in as someone else (token substitution).
    Fix: compare userinfo `sub` with the ID token's `sub` before using any claim. openid-client v6: pass the ID token's `sub` to `fetchUserInfo` (it then refuses another subject). mozilla-django-oidc 5 takes every claim from userinfo without comparing `sub`: override `get_userinfo` and compare it with the ID token's payload.

    Given the quirk id_token_misbehaviour is "userinfo_wrong_sub"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly

  Scenario: The app signs in with claims that only userinfo carries
    Source: OIDC Core §5.4, §5.5; OIDF oidcc-client-test-scope-userinfo-claims (rp-scope-userinfo-claims); Okta and GitLab thin ID tokens (quirks.md O4, GL1)
    Level: should — OIDC Core §5.4: in the code flow the scope claims are returned from userinfo; an IdP MAY leave them out of the ID token (Okta, GitLab)
    Exercised: id_token
    Why: some IdPs put only `sub` and the required claims in the ID token; email, name and groups come from userinfo.
    Fix: read profile claims from userinfo when the ID token lacks them instead of leaving them empty. Auth.js (@auth/core 0.41) builds the user from the ID token only for a `type: "oidc"` provider and calls userinfo only when the provider sets `idToken: false`; go-oidc 2.x: call `provider.UserInfo` when a claim is missing; mozilla-django-oidc 5 and openid-client v6 (`fetchUserInfo`) read userinfo already.

    Given the quirk id_token_misbehaviour is "thin_id_token"
    When carol signs in through the browser
    Then the app shows carol signed in
    And the app asked for the profile or email scope
