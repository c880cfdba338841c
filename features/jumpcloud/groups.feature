@jumpcloud @groups
Feature: Group assignment and the groups claim

  JumpCloud denies users who are in no group bound to the app, and sends the groups
  claim under an admin-chosen name (here `memberOf`): a string for one group, an array
  for several.

  Scenario: A user outside the app's groups is refused without a crash or a session
    Source: JumpCloud 'Authorize users to an SSO application'; RFC 6749 §4.1.2.1; quirks.md J3
    Level: must — RFC 6749 §4.1.2.1: the IdP answers access_denied and the client gets no authorization; JumpCloud denies users outside the app's groups
    Exercised: idp_error
    Why: "Users are implicitly denied access to applications" in JumpCloud; after the
    password, the user is sent back to the app with error=access_denied.
    Fix: handle `error` on the callback: show a readable message ("your account is not
    allowed to use this app; ask your admin to add you to a group bound to it"),
    create no session, never a 500. Auth.js: set `pages.error`. openid-client: catch
    the AuthorizationResponseError. On the IdP side: bind a group containing the user
    to the app (User Groups tab of the SSO app).

    When bob signs in through the browser
    Then the IdP refused the sign-in with "access_denied"
    And the app refuses the sign-in visibly

  Scenario: A user in one assigned group gets in and the app sees that group
    Source: goharbor/harbor#22289, #20779; quirks.md J4/J5
    Level: must — JumpCloud sends a single group as a JSON string (a real provider's behaviour the app must take)
    Exercised: id_token
    Why: with one bound group JumpCloud sends the claim as a JSON string
    (`"memberOf": "Engineering"`), not an array; apps that decode it as a list fail
    (Harbor: "Unable to get groups from claims"; Go `[]string`: "cannot unmarshal
    string into Go value of type []string"; zod arrays: "Expected array, received
    string").
    Fix: accept both shapes. Auth.js / next-auth and openid-client: in the provider's
    `profile(profile)` callback (or after `claims()`),
    `[].concat(profile.memberOf ?? [])`. go-oidc: `idToken.Claims(&c)` into a
    `json.RawMessage` field, then try a string, then `[]string`. mozilla-django-oidc:
    in your `OIDCAuthenticationBackend.create_user`/`update_user`,
    `[g] if isinstance(g, str) else g or []`. Read the claim name from
    configuration, since JumpCloud admins choose it.

    When alice signs in through the browser
    Then the app shows alice signed in
    And the app shows the group "Engineering"

  Scenario: A user in several assigned groups gets in and the app sees all of them
    Source: goharbor/harbor#22289; quirks.md J5/J6
    Level: must — JumpCloud sends several groups as a JSON array (a real provider's behaviour the app must take)
    Exercised: id_token
    Why: with several bound groups the same claim is an array
    (`"memberOf": ["Engineering", "Admins"]`).
    Fix: as above: normalise the claim to a list whatever its shape; code written for
    the single-string case (`groups.split(",")`, a Go `string` field) loses or breaks
    on the array.

    When carol signs in through the browser
    Then the app shows carol signed in
    And the app shows the groups "Engineering, Admins"
