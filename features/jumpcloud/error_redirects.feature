@jumpcloud @errors
Feature: The app survives JumpCloud's error redirects

  Scenario: The app shows an error, not a crash, when JumpCloud answers invalid_state
    Source: RFC 6749 §4.1.2.1; fosite authorize_error.go; quirks.md §1.4
    Level: must — RFC 6749 §4.1.2.1: the authorization server informs the client of the error by redirection; the client must handle it
    Exercised: idp_error
    Why: JumpCloud sends errors back to the app as a 303 with `error`,
    `error_description` and an always-present (possibly empty) `state`. Apps that only
    expect `code` crash or loop. Here the IdP answers every authorization request with
    invalid_state (the `authorize_error` quirk), whatever the app sends, so that every
    app receives the error.
    Fix: on the callback, check `error` before anything else, show its description,
    and create no session. Auth.js: `pages.error`; openid-client: catch the
    AuthorizationResponseError; go-oidc: read `r.URL.Query().Get("error")` first.

    Given the quirk authorize_error is "invalid_state"
    When carol signs in through the browser
    Then the IdP refused the sign-in with "invalid_state"
    And the app refuses the sign-in visibly
