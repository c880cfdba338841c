@jumpcloud @whole-profile
Feature: The app signs in against JumpCloud as it really is

  Every other check relaxes the quirks that would stop a sign-in before it reaches its
  subject, so that each shows one cause. This one switches every quirk of the profile
  on at once: it is the sign-in your users will see.

  Scenario: The app signs in against the whole JumpCloud profile
    Source: quirks.md §1 (every JumpCloud quirk at once)
    Level: must — JumpCloud refuses the sign-in outright when any of its rules is broken (a real provider's hard refusal)
    Exercised: discovery
    Why: JumpCloud applies all of its rules to every sign-in: a state of 8+ characters,
    the one client authentication method the app is set to, PKCE S256 if any, a nonce of
    8+ characters, the exact redirect URI, the issuer with its trailing slash, groups as
    a string or an array. The first rule the app breaks stops the sign-in.
    Fix: fix the failed checks above, each of which names one rule and its fix; this
    check passes once none is left.

    Given every quirk of the profile applies
    When carol signs in through the browser
    Then the app shows carol signed in
