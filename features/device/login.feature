@cli
Feature: The CLI logs in with the device authorization grant

  A CLI that logs in as a public client with the device authorization grant (RFC 8628), as
  jitsudo's does (`jitsudo-cli`, scopes `openid email profile groups offline_access`): it
  shows a verification URL and a user code, polls the token endpoint at the interval, and
  stops with a clear message when the user declines, the code expires, or the IdP has no
  device flow. A person completes each login in the browser: the verification page, the
  user code, the login form, then approve or deny.

  Scenario: The CLI logs in through the device flow
    Target: cli
    Source: RFC 8628 §3.1-§3.5; jitsudo docs; quirks.md J16 (JumpCloud: Authorization Code and Refresh Token only); openZro JumpCloud guide ("Device authorization not available")
    Level: must — RFC 8628 §3.4: after the user approves, the device code grant gives the client its tokens; an IdP without a device authorization endpoint cannot serve the CLI at all
    Exercised: discovery
    Why: this is the CLI's whole login. JumpCloud has no device authorization grant (its OIDC apps offer Authorization Code and Refresh Token only; openZro's (NetBird's) JumpCloud guide says "JumpCloud has limited device auth support" and sets `OPENZRO_AUTH_DEVICE_AUTH_PROVIDER="none"`), so a device-flow CLI cannot log in against it: the report says "the IdP has no device authorization endpoint".
    Fix: against an IdP without device flow (JumpCloud), use another IdP for the CLI (Okta, Entra ID, Keycloak, or Dex in front of the directory, which serves RFC 8628), or give the CLI a browser-based login: authorization code with PKCE and a loopback redirect (RFC 8252 §7.3). Otherwise: register the CLI as a public client with the device grant enabled (Okta: Grant type "Device Authorization"; Entra ID: "Allow public client flows"; Keycloak: "OAuth 2.0 Device Authorization Grant"). The CLI then POSTs `client_id` and `scope` to discovery's `device_authorization_endpoint`, shows `verification_uri` and `user_code`, and polls the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:device_code` and the `device_code` (RFC 8628 §3.1, §3.4). Go, golang.org/x/oauth2 v0.27.0: `Config.DeviceAuth(ctx)` makes the device authorization request and `Config.DeviceAccessToken(ctx, resp)` polls until tokens or an error; x/oauth2 reads no discovery document, so fill `Endpoint.DeviceAuthURL` and `Endpoint.TokenURL` from discovery's `device_authorization_endpoint` and `token_endpoint`, and set `Endpoint.AuthStyle: oauth2.AuthStyleInParams` for a public client.

    Given the quirk device_poll_interval_secs is 1
    When carol logs in with the CLI and approves in the browser
    Then the CLI exits as logged in

  Scenario: The CLI polls no faster than the interval
    Target: cli
    Source: RFC 8628 §3.2 (`interval`), §3.5
    Level: should — RFC 8628 §3.2: the interval is the minimum time the client SHOULD wait between polling requests
    Exercised: device_poll
    Why: a CLI that polls faster is answered `slow_down` and, on busy IdPs, rate-limited; many users polling at once load the IdP.
    Fix: sleep `interval` seconds (5 when the device authorization answer has none) before each token request (RFC 8628 §3.2, §3.5). golang.org/x/oauth2 v0.27.0's `Config.DeviceAccessToken` keeps the interval itself (5 s when the answer has none), but with `Endpoint.AuthStyle` left at its zero value (`AuthStyleAutoDetect`) every poll the IdP answers with an error is sent a second time at once, with the client id moved between the Authorization header and the body: set `AuthStyle: oauth2.AuthStyleInParams`.

    Given the quirk device_poll_interval_secs is 1
    When carol logs in with the CLI and approves in the browser
    Then the CLI polled no faster than the interval

  Scenario: The CLI slows down when the IdP answers slow_down
    Target: cli
    Source: RFC 8628 §3.5 (`slow_down`)
    Level: must — RFC 8628 §3.5: on slow_down the interval MUST be increased by 5 seconds for this and all subsequent requests
    Exercised: device_poll
    Why: an IdP under load answers `slow_down`; a CLI that keeps its pace is slowed again and again, and may be locked out.
    Fix: add 5 s to the interval on `slow_down`, for this and every later poll (RFC 8628 §3.5): in the polling loop, `if error == "slow_down": interval += 5`. golang.org/x/oauth2 v0.27.0's `Config.DeviceAccessToken` does this itself; with `Endpoint.AuthStyle` left at `AuthStyleAutoDetect` the second request it sends at once after each failed poll is itself too soon, so the IdP answers `slow_down` to every poll (in the suite's run the login never completed): set `AuthStyle: oauth2.AuthStyleInParams`.

    Given the quirk device_poll_interval_secs is 1
    And the quirk device_slow_down_first_poll is true
    When carol logs in with the CLI and approves in the browser
    Then the CLI polled no faster than the interval

  Scenario: The CLI stops when the user denies the login
    Target: cli
    Source: RFC 8628 §3.5 (`access_denied`)
    Level: should — RFC 8628 §3.5: access_denied means the authorization request was denied; no later poll can succeed
    Exercised: device_poll
    Why: a CLI that keeps polling after a denial hangs until its code expires and never tells the user why.
    Fix: stop polling on `access_denied` (RFC 8628 §3.5), print that the login was denied and exit non-zero; keep polling only on `authorization_pending` and `slow_down`. golang.org/x/oauth2 v0.27.0's `Config.DeviceAccessToken` stops by itself and returns a `*oauth2.RetrieveError` whose `ErrorCode` is `access_denied`: print it and exit non-zero. Set `Endpoint.AuthStyle: oauth2.AuthStyleInParams`: left at `AuthStyleAutoDetect`, the denied poll is sent again at once with the other client authentication, and when the IdP answers that one `slow_down` (too soon) the library keeps polling.

    Given the quirk device_poll_interval_secs is 1
    When carol logs in with the CLI and denies in the browser
    Then the CLI exits refusing the login
    And the CLI stopped polling after "access_denied"

  Scenario: The CLI stops when the device code expires
    Target: cli
    Source: RFC 8628 §3.5 (`expired_token`)
    Level: should — RFC 8628 §3.5: expired_token means the device authorization session has concluded; the client MAY start a new one
    Exercised: device_poll
    Why: an expired code never turns into tokens; polling on hides the problem from the user.
    Fix: stop polling on `expired_token` (RFC 8628 §3.5) and tell the user to run the login again (or start a new device authorization request); keep polling only on `authorization_pending` and `slow_down`. golang.org/x/oauth2 v0.27.0's `Config.DeviceAccessToken` stops by itself and returns a `*oauth2.RetrieveError` whose `ErrorCode` is `expired_token`; with `Endpoint.AuthStyle` left at `AuthStyleAutoDetect` the expired poll is sent a second time first: set `AuthStyle: oauth2.AuthStyleInParams`.

    Given the quirk device_poll_interval_secs is 1
    And the quirk device_expire_early is true
    When carol logs in with the CLI and approves in the browser
    Then the CLI exits refusing the login
    And the CLI stopped polling after "expired_token"

  Scenario: The CLI says clearly when the IdP has no device flow
    Target: cli
    Source: RFC 8628 §4 (`device_authorization_endpoint` is OPTIONAL metadata); quirks.md J16 (JumpCloud); jitsudo docs ("Device flow not supported")
    Level: should — RFC 8628 §4: device_authorization_endpoint is OPTIONAL in the server's metadata, so a client must expect its absence
    Exercised: discovery
    Why: against JumpCloud (no device flow) a CLI that assumes the endpoint dies with a stack trace or a nil dereference; the user cannot tell the IdP is the cause.
    Fix: read `device_authorization_endpoint` from discovery and, when it is absent, exit with a message that names it ("the IdP has no device authorization endpoint: use an IdP with the device flow, or the browser login"). Read it as an optional field (in Python `metadata.get("device_authorization_endpoint")`, not `metadata["..."]`, which ends in a KeyError traceback) and check it before the first request. golang.org/x/oauth2 v0.27.0 reads no discovery: check the field before filling `Endpoint.DeviceAuthURL` (left empty, `Config.DeviceAuth` fails with only "endpoint missing DeviceAuthURL").

    Given the quirk device_flow is false
    When the CLI starts a login
    Then the CLI says the IdP has no device authorization endpoint
