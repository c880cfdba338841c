// Auth.js (next-auth v5) configuration: one generic OIDC provider, configured the way
// Sourcebot configures JumpCloud (packages/web/src/ee/features/sso/sso.ts,
// createJumpCloudProvider): `type: "oidc"` with an issuer, client id and secret.
//
// NEXTAUTH_EXAMPLE_CONFIG picks one of two configurations of the same app:
//   defaults  the library's defaults, as Sourcebot shipped it first: Auth.js sends
//             checks ["pkce"] (no state) and authenticates with client_secret_basic
//   state     the seed's middle step: checks ["pkce", "state"] added (sourcebot PR
//             #1020), token auth still Auth.js's default client_secret_basic
//   fixed     what Sourcebot ended with (sourcebot PR #1020 and the seed
//             conversation): checks ["pkce", "state"] and client_secret_post, plus
//             "nonce" in checks, as Stickler's jumpcloud.pkce_nonce.3 Fix says
//             (examples/nextauth/fixed.verdicts.toml proves that Fix)
import NextAuth from "next-auth";

const CONFIGS = {
  defaults: {},
  state: { checks: ["pkce", "state"] },
  fixed: {
    checks: ["pkce", "state", "nonce"],
    client: { token_endpoint_auth_method: "client_secret_post" },
  },
};

// JumpCloud admins choose the groups claim's name (often `memberOf`), and JumpCloud
// sends a string for one group and an array for several: accept both.
function groupsFrom(profile) {
  const name = process.env.AUTH_GROUPS_CLAIM || "groups";
  const value = profile?.[name];
  if (value == null) return [];
  return [].concat(value).map(String);
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const configName = process.env.NEXTAUTH_EXAMPLE_CONFIG || "defaults";
  const extra = CONFIGS[configName];
  if (!extra) throw new Error(`NEXTAUTH_EXAMPLE_CONFIG must be one of ${Object.keys(CONFIGS).join(", ")}`);
  return {
    providers: [
      {
        id: "jumpcloud",
        name: "JumpCloud",
        type: "oidc",
        clientId: process.env.AUTH_JUMPCLOUD_ID,
        clientSecret: process.env.AUTH_JUMPCLOUD_SECRET,
        issuer: process.env.AUTH_JUMPCLOUD_ISSUER,
        ...extra,
      },
    ],
    // Auth.js sends sign-in errors (OAuthCallbackError: an `error` from the IdP, a bad
    // state) to pages.signIn and the others (Configuration, AccessDenied, ...) to
    // pages.error, each with ?error=<type>. Sourcebot has its own /login page too.
    pages: { signIn: "/login", error: "/auth-error" },
    callbacks: {
      // `profile` holds the ID token's claims on the sign-in request only.
      jwt({ token, profile }) {
        if (profile) token.groups = groupsFrom(profile);
        return token;
      },
      session({ session, token }) {
        session.groups = token.groups ?? [];
        return session;
      },
    },
  };
});
