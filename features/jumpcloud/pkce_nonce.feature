@jumpcloud @pkce @nonce
Feature: PKCE and nonce meet JumpCloud's rules

  Scenario: The app uses PKCE with S256 when it uses PKCE
    Source: RFC 7636 §4.2; hydra fositex/config.go:160; quirks.md E-PKCE-1/J13
    Why: JumpCloud's discovery lists `plain` in code_challenge_methods_supported, but
    Hydra refuses it after the user typed their password: 303 back to the app with
    invalid_request, "... Clients must use code_challenge_method=S256, plain is not
    allowed." A challenge without a method counts as plain.
    Fix: always send `code_challenge_method=S256` with a SHA-256 challenge. Never
    pick the method from discovery's list. openid-client: `calculatePKCECodeChallenge`
    + `code_challenge_method: "S256"`. Spring: PKCE is S256.

    When carol signs in through the browser
    Then the app used PKCE with S256, if at all
    And the app shows carol signed in

  Scenario: The app sends a nonce of 8 or more characters when it sends one
    Source: fosite strategy_jwt.go; OIDC Core §3.1.2.1; quirks.md E-NONCE/J14
    Why: fosite refuses a nonce shorter than 8 characters. In the code flow this only
    shows at the token endpoint, after the user signed in: 400 insufficient_entropy,
    "The request used a security parameter (e.g., anti-replay, anti-csrf) with
    insufficient entropy. Parameter 'nonce' is set but does not satisfy the minimum
    entropy of 8 characters."
    Fix: generate the nonce like the state: random, 32 characters. openid-client:
    `randomNonce()`; Auth.js: add "nonce" to `checks`; go-oidc: `oidc.Nonce(random)`.

    When carol signs in through the browser
    Then the app sent a nonce of at least 8 characters, if any
    And the app shows carol signed in
