@cognito @userinfo
Feature: The app signs in with AWS Cognito's userinfo answer

  AWS Cognito's userinfo endpoint answers `email_verified` (and `phone_number_verified`)
  as the strings `"true"` and `"false"`, not as booleans.

  Scenario: The app signs in when Cognito's userinfo says "email_verified": "true"
    Source: quirks.md C3; OIDC Core §5.1 (`email_verified` is a boolean); coreos/go-oidc PR #249; zitadel/oidc#137; pomerium PR #792; toeverything/AFFiNE PR #14609
    Level: should — OIDC Core §5.1 makes `email_verified` a boolean; Cognito sends a string, so tolerating it is compatibility, not a spec duty
    Exercised: userinfo
    Why: every Cognito user pool answers userinfo with `{"email_verified":"true",…}`. A
    strict typed decoder refuses the whole answer over one claim's type (old go-oidc:
    `json: cannot unmarshal string into Go struct field UserInfo.email_verified of type
    bool`; zod: `Expected boolean, received string`), so nobody from Cognito can sign in.
    Fix: accept both shapes, and compare with `true` and `"true"` (never rely on
    truthiness: `"false"` is truthy). openidconnect-rs: enable its `accept-string-booleans`
    feature. openid-client v6 and mozilla-django-oidc take the answer as it is. Apps that
    take their claims from the ID token alone (Auth.js's type `"oidc"` provider, the
    go-oidc README flow) never meet it: this check is then not exercised.

    Given the "cognito" profile
    When carol signs in through the browser
    Then the app shows carol signed in
