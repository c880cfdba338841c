// A small Node.js web app that signs in with openid-client v6 the way its README shows:
// discovery, then the authorization code flow with PKCE (S256), state and nonce,
// authorizationCodeGrant to check the callback and the ID token, and fetchUserInfo for
// the profile. No framework: node:http and an in-memory session store.
//
// Environment:
//   OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET   the IdP app
//   OIDC_GROUPS_CLAIM                                 the groups claim's name (default groups)
//   APP_URL, PORT                                     where this app listens (127.0.0.1)
//   OPENID_CLIENT_EXAMPLE_CONFIG                      one of:
//     defaults  openid-client's defaults (client_secret_post, as the library picks it
//               when given a client secret; no signature check of a token-endpoint ID token)
//     strict    defaults + client.enableNonRepudiationChecks(config): the ID token's
//               signature is verified against the JWKS as well
//   OIDC_TOKEN_AUTH_METHOD                            optional: client_secret_post or
//               client_secret_basic, passed to discovery() as ClientSecretPost(secret) or
//               ClientSecretBasic(secret); unset, openid-client picks client_secret_post
import http from "node:http";
import crypto from "node:crypto";
import * as client from "openid-client";

const CONFIGS = {
  defaults: () => {},
  strict: (config) => client.enableNonRepudiationChecks(config),
};

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    console.error(`openid-client example: ${name} must be set`);
    process.exit(2);
  }
  return value;
};

const issuer = env("OIDC_ISSUER");
const clientId = env("OIDC_CLIENT_ID");
const clientSecret = env("OIDC_CLIENT_SECRET");
const groupsClaim = env("OIDC_GROUPS_CLAIM", "groups");
const appUrl = env("APP_URL");
const port = Number(env("PORT"));
const configName = env("OPENID_CLIENT_EXAMPLE_CONFIG", "defaults");
if (!(configName in CONFIGS)) {
  console.error(`OPENID_CLIENT_EXAMPLE_CONFIG must be one of ${Object.keys(CONFIGS).join(", ")}`);
  process.exit(2);
}
const redirectUri = `${appUrl}/callback`;
const AUTH_METHODS = {
  client_secret_post: client.ClientSecretPost,
  client_secret_basic: client.ClientSecretBasic,
};
const authMethod = process.env.OIDC_TOKEN_AUTH_METHOD || undefined;
if (authMethod && !(authMethod in AUTH_METHODS)) {
  console.error(`OIDC_TOKEN_AUTH_METHOD must be one of ${Object.keys(AUTH_METHODS).join(", ")}`);
  process.exit(2);
}
const clientAuthentication = authMethod ? AUTH_METHODS[authMethod](clientSecret) : undefined;

// Discovery on first use, not at start: an IdP whose discovery the library refuses
// then shows as a refused sign-in rather than an app that never starts.
let configPromise;
function configuration() {
  configPromise ??= client
    .discovery(new URL(issuer), clientId, clientSecret, clientAuthentication, {
      execute: [client.allowInsecureRequests], // the test IdP is plain http on loopback
    })
    .then((config) => {
      CONFIGS[configName](config);
      return config;
    })
    .catch((err) => {
      configPromise = undefined;
      throw err;
    });
  return configPromise;
}

const pending = new Map(); // login id -> { state, nonce, verifier }
const sessions = new Map(); // session id -> { email, name, groups }

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k) out[k] = v.join("=");
  }
  return out;
}

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers });
  res.end(`<!doctype html><html><head><title>openid-client example</title></head><body>${body}</body></html>`);
}

function groupsFrom(value) {
  if (value == null) return [];
  return [].concat(value).map(String);
}

async function login(req, res) {
  const config = await configuration();
  const id = crypto.randomUUID();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  pending.set(id, { state, nonce, verifier });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  res.writeHead(302, { location: url.href, "set-cookie": `login=${id}; Path=/; HttpOnly; SameSite=Lax` });
  res.end();
}

async function callback(req, res) {
  const config = await configuration();
  const flow = pending.get(cookies(req).login);
  if (!flow) throw new Error("no sign-in in progress");
  pending.delete(cookies(req).login);
  const tokens = await client.authorizationCodeGrant(config, new URL(req.url, appUrl), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  const user = {
    email: info.email ?? claims.email,
    name: info.name ?? claims.name ?? "",
    groups: groupsFrom(info[groupsClaim] ?? claims[groupsClaim]),
  };
  if (!user.email) throw new Error("the IdP released no email");
  const sid = crypto.randomUUID();
  sessions.set(sid, user);
  res.writeHead(302, { location: "/", "set-cookie": `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` });
  res.end();
}

function home(req, res) {
  const user = sessions.get(cookies(req).sid);
  if (user) {
    page(res, 200, `<p>Signed in as <span id="user">${escape(user.email)}</span> (${escape(user.name)})</p>
<p>Groups: <span id="groups">${escape(user.groups.join(", "))}</span></p><a id="logout" href="/logout">Sign out</a>`);
  } else {
    page(res, 200, `<p>Not signed in.</p><a id="login" href="/login">Sign in</a>`);
  }
}

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, appUrl).pathname;
  try {
    if (path === "/") return home(req, res);
    if (path === "/healthz") return page(res, 200, "ok");
    if (path === "/login") return await login(req, res);
    if (path === "/callback") return await callback(req, res);
    if (path === "/logout") {
      sessions.delete(cookies(req).sid);
      res.writeHead(302, { location: "/", "set-cookie": "sid=; Path=/; Max-Age=0" });
      return res.end();
    }
    page(res, 404, "not found");
  } catch (err) {
    // The app's refusal page: what the library said, with a deliberate 401.
    const detail = err.code ? `${err.code}: ${err.message}` : err.message;
    console.error(`sign-in refused: ${detail}`);
    page(res, 401, `<p id="error">Sign-in failed: ${escape(detail)}</p><a href="/">Back</a>`);
  }
});
server.listen(port, "127.0.0.1", () => console.log(`openid-client example (${configName}) on ${appUrl}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
