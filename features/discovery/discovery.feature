@discovery
Feature: The app trusts only the issuer it was configured with

  Scenario: The app refuses a discovery document that names another issuer
    Source: OIDC Discovery §4.3; OIDF oidcc-client-test-discovery-issuer-mismatch (rp-discovery-issuer-not-matching-config)
    Level: must — OIDC Discovery §4.3: the issuer value returned MUST be identical to the Issuer URL, else the configuration MUST NOT be used
    Exercised: discovery
    Why: the discovery document's `issuer` must equal the issuer URL it was fetched for; otherwise the endpoints and keys may belong to another provider (mix-up, tenant confusion at multi-tenant IdPs), and every ID token would later fail the `iss` check anyway.
    Fix: compare the document's `issuer` with the configured one exactly and stop before the authorization request. openidconnect-rs and openid-client v6 (`discovery()`) do it on discovery; go-oidc 2.x's `NewProvider` does ("oidc: issuer did not match the issuer returned by provider"). mozilla-django-oidc has no discovery: copy each `OIDC_OP_*_ENDPOINT` from the document you checked.

    Given the quirk id_token_misbehaviour is "discovery_wrong_issuer"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
    And the app did not send the browser to the authorization endpoint
