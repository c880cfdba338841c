@sign-in @whole-profile
Feature: The app signs in against the IdP profile as it really is

  Every other check relaxes the quirks that would stop a sign-in before it reaches its
  subject, so that each shows one cause. This one switches every quirk of the run's
  profile on at once: the sign-in your users will see with that IdP. It is what
  `stickler run --profiles` asks of each profile first.

  Scenario: The app signs in against the whole profile
    Source: docs/quirks.md (every quirk of the profile at once; each quirk's catalogue id is in the quirk reference)
    Level: must — a real provider refuses the sign-in outright when the app breaks one of its rules
    Exercised: discovery
    Why: each provider applies all of its rules to every sign-in: its issuer form
    (JumpCloud's and Auth0's trailing slash, Entra's `{tenantid}` template, Keycloak's
    realm path), its client authentication rules, its state, nonce and PKCE policy, its
    groups claim name and shape, its thin ID tokens. The first rule the app breaks stops
    the sign-in.
    Fix: fix the failed checks of that profile, each of which names one rule and its fix;
    where none failed, the check's evidence (journal, page, app log) shows the step that
    stopped: usually the issuer (configure it byte for byte as the provider's discovery
    document publishes it) or the client authentication method.

    Given every quirk of the profile applies
    When carol signs in through the browser
    Then the app shows carol signed in
