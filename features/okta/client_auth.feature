@okta @client-auth
Feature: The app sends its client credentials one way only, as Okta requires

  Okta refuses a token request that carries the client credentials twice: in an
  `Authorization: Basic` header and in the body.

  Scenario: The app authenticates at Okta's token endpoint with one method, not two
    Source: quirks.md O7; RFC 6749 §2.3 ("MUST NOT use more than one authentication method in each request"); boylesoftware/tomcat-oidcauth#6; open-webui/open-webui#19415; backstage/backstage#8389
    Level: must — RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request; Okta answers a hard 401
    Exercised: token_request
    Why: Okta answers a token request with credentials in both places with HTTP 401
    `{"error_description":"Cannot supply multiple client credentials. Use one of the
    following: credentials in the Authorization header, credentials in the post body, or a
    client_assertion in the post body.","error":"invalid_request"}`, so the sign-in fails
    after the user typed a password. Tolerant providers accept it, which hides the mistake
    until a customer brings Okta.
    Fix: send the credentials once: either the Basic header or the two form fields, never
    both. Where the library has a client-authentication setting (Auth.js
    `client.token_endpoint_auth_method`, openid-client v6 `ClientSecretBasic` /
    `ClientSecretPost`, mozilla-django-oidc `OIDC_TOKEN_USE_BASIC_AUTH`), set it and do not
    also add `client_secret` to the token request's parameters yourself (open-webui#19415
    came from exactly that).

    Given the "okta" profile
    Given the profile's refuse_multiple_client_credentials applies
    # One check, one cause: Okta's thin ID token is userinfo.userinfo.2's subject.
    Given the quirk thin_id_token is false
    When carol signs in through the browser
    Then the app shows carol signed in
