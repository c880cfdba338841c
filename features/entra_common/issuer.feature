@entra_common @issuer
Feature: The app signs in through Microsoft Entra ID's multi-tenant endpoint

  A multi-tenant Entra app is configured with `https://login.microsoftonline.com/common/v2.0`.
  Its discovery document names the issuer as a template,
  `https://login.microsoftonline.com/{tenantid}/v2.0`, and each ID token's `iss` carries
  the user's own tenant, which is also its `tid` claim.

  Scenario: The app accepts Entra's {tenantid} issuer template, filled with the token's tid
    Source: quirks.md E2; OIDC Discovery §4.3 and OIDC Core §3.1.3.7 item 2 (the issuer must be identical); Microsoft identity platform, "Validate tokens" / "ID token claims reference" (`tid`; for multi-tenant apps, substitute `tid` into the templated issuer); coreos/go-oidc#344; nextauthjs/next-auth#6138
    Level: should — OIDC Discovery §4.3 wants discovery's `issuer` identical to the configured one, and Entra's template is not; accepting it is a vendor accommodation Microsoft documents, not a spec duty
    Exercised: discovery
    Why: Entra's `/common` (and `/organizations`) discovery document says `"issuer":
    "https://login.microsoftonline.com/{tenantid}/v2.0"` literally, while the app is
    configured for `…/common/v2.0` and each ID token says `…/<the user's tenant>/v2.0`. An
    app that compares the three byte for byte cannot sign anyone in through the
    multi-tenant endpoint: go-oidc says `oidc: issuer did not match the issuer returned by
    provider, expected ".../common/v2.0" got ".../{tenantid}/v2.0"`, Auth.js `"response"
    body "issuer" property does not match the expected value`.
    Fix: take the template from discovery only for the configured `/common` (or
    `/organizations`) issuer, and check each ID token's `iss` against the template with
    the token's `tid` claim in place of `{tenantid}` (then allow only the tenants you
    serve). openid-client v6 does this itself, but only for an issuer whose origin is
    `https://login.microsoftonline.com` (`handleEntraId` in `build/index.js`), so against
    Stickler's fake IdP it refuses the template as any other issuer mismatch. go-oidc 2.1.0's
    `oidc.NewProvider` refuses the document: build the provider from a single tenant's
    issuer (`…/<tenant id>/v2.0`), or read the document yourself and verify with
    `oidc.NewVerifier` over `oidc.NewRemoteKeySet` on its `jwks_uri`, with
    `SkipIssuerCheck` and your own `iss`-against-`tid` check. Auth.js: its generic `type: "oidc"` provider compares the
    issuer exactly; use a single tenant's issuer. mozilla-django-oidc does not compare the
    issuer at all.

    Given the "entra_common" profile
    When carol signs in through the browser
    Then the app shows carol signed in

  Scenario: The app refuses an ID token whose iss names another tenant than its tid
    Source: quirks.md E2; OIDC Core §3.1.3.7 item 2 (`iss` MUST exactly match the issuer); Microsoft identity platform, "Validate tokens" (for multi-tenant apps the issuer is the template with the token's `tid`)
    Level: must — OIDC Core §3.1.3.7 item 2: `iss` MUST exactly match the issuer, and under the template the issuer is the one `tid` names
    Exercised: id_token
    Why: under `/common` the issuer an ID token must carry is the template with that
    token's own `tid`. A token whose `iss` names one tenant while `tid` names another
    (here the `/consumers` tenant `9188040d-…`) was not issued as the template says; an
    app that only checks `iss` against a pattern such as
    `https://login.microsoftonline.com/*/v2.0`, or turns issuer validation off for
    `/common`, takes it and trusts whichever tenant it reads.
    Fix: fill the template with the token's `tid` and compare `iss` with the result byte
    for byte; never match `iss` against a wildcard, and never switch issuer validation
    off for the multi-tenant endpoint. Then allow only the tenants you serve, by `tid`.
    mozilla-django-oidc does not compare the issuer at all, so it takes such a token.

    Given the "entra_common" profile
    Given the quirk id_token_misbehaviour is "tid_mismatch"
    When carol signs in through the browser
    Then the app refuses the sign-in visibly
