@jumpcloud @client-auth
Feature: The app authenticates at the token endpoint the way its registration says

  A JumpCloud OIDC app accepts exactly one client authentication method: "Client Secret
  POST" (the default) or "Client Secret Basic". fosite refuses the other with a 401.

  Scenario: The app signs in when it may only use client_secret_post
    Source: fosite client_authentication.go; quirks.md E-AUTH-BASIC/J2; sourcebot#1022
    Level: must — JumpCloud (fosite) answers any other method 401 invalid_client (a real provider's hard refusal)
    Exercised: token_request
    Why: JumpCloud apps default to client_secret_post. An app that sends Basic gets 401
    invalid_client: "The OAuth 2.0 Client supports client authentication method
    'client_secret_post', but method 'client_secret_basic' was requested. You must
    configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept
    'client_secret_basic'."
    Fix: make the app send client_id and client_secret in the form body.
    Auth.js: `client: { token_endpoint_auth_method: "client_secret_post" }` on the
    provider. openid-client v6: `ClientSecretPost(secret)` (its default when given a
    secret). Or switch the JumpCloud app to
    "Client Secret Basic".

    Given the profile's enforce_token_auth_method applies
    Given the app is registered with the token auth method "client_secret_post"
    When carol signs in through the browser
    Then the app authenticated at the token endpoint as registered
    And the app shows carol signed in

  Scenario: The app signs in when it may only use client_secret_basic
    Source: fosite client_authentication.go; quirks.md E-AUTH-POST/J2; OIDC Core §9
    Level: must — JumpCloud (fosite) answers any other method 401 invalid_client; OIDC Core §9: a client registered for client_secret_basic authenticates with it
    Exercised: token_request
    Why: an app set to "Client Secret Basic" in JumpCloud refuses secrets in the body
    with 401 invalid_client: "The OAuth 2.0 Client supports client authentication
    method 'client_secret_basic', but method 'client_secret_post' was requested. ..."
    Fix: make the app send `Authorization: Basic base64(urlencode(id):urlencode(secret))`.
    mozilla-django-oidc: `OIDC_TOKEN_USE_BASIC_AUTH = True`. openid-client v6:
    `ClientSecretBasic(secret)`. Or switch the JumpCloud app to "Client Secret POST".

    Given the profile's enforce_token_auth_method applies
    Given the app is registered with the token auth method "client_secret_basic"
    When carol signs in through the browser
    Then the app authenticated at the token endpoint as registered
    And the app shows carol signed in
