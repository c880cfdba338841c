// A small bearer-token API on jose 6 (panva), written the way jose's docs show it
// (`createRemoteJWKSet`, "Verifying a JWT with a remote JWKS"): a remote JWK set on the
// jwks_uri from discovery, then per request
// `jwtVerify(token, JWKS, { issuer, audience })`, and 401 on any jose error
// (`errors.JOSEError`, the class every jose error extends).
//
// Configuration (environment): OIDC_ISSUER (exactly as discovery publishes it),
// OIDC_AUDIENCE (the API's own audience), GROUPS_CLAIM (default "groups"), ALLOWED_GROUPS
// (comma-separated, default "Engineering"), LISTEN (host:port). One setting turns on the
// fix the report names (fixed.toml): JWKS_COOLDOWN_MS sets createRemoteJWKSet's
// `cooldownDuration` (how long after a fetch an unknown kid may not fetch the JWKS again;
// 30 s by default).
//
// GET /api/whoami answers 200 with the user for a valid token of a user in an allowed
// group, 401 with WWW-Authenticate for an invalid token, 403 when the groups policy
// refuses; GET /healthz is 200. An unexpected error is a 500, as a web framework answers.
import http from "node:http";
import { createRemoteJWKSet, errors, jwtVerify } from "jose";

const ISSUER = process.env.OIDC_ISSUER;
const AUDIENCE = process.env.OIDC_AUDIENCE;
const GROUPS_CLAIM = process.env.GROUPS_CLAIM || "groups";
const ALLOWED_GROUPS = new Set((process.env.ALLOWED_GROUPS ?? "Engineering").split(","));
const [HOST, PORT] = (process.env.LISTEN ?? "127.0.0.1:8080").split(/:(?=\d+$)/);

// The JWKS URL from discovery, as OIDC Discovery §4 defines it.
const discovery = await (
  await fetch(ISSUER.replace(/\/$/, "") + "/.well-known/openid-configuration")
).json();
const JWKS = process.env.JWKS_COOLDOWN_MS
  ? createRemoteJWKSet(new URL(discovery.jwks_uri), {
      cooldownDuration: Number(process.env.JWKS_COOLDOWN_MS),
    })
  : createRemoteJWKSet(new URL(discovery.jwks_uri));

function answer(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(data);
}

// The groups claim as a list: one group may come as a string (JumpCloud).
const groupsOf = (claims) => [].concat(claims[GROUPS_CLAIM] ?? []);

async function route(req, res) {
  if (req.url === "/healthz") return answer(res, 200, { ok: true });
  if (req.url !== "/api/whoami") return answer(res, 404, { error: "not found" });
  const auth = req.headers.authorization ?? "";
  if (!auth.startsWith("Bearer ")) {
    return answer(res, 401, { error: "invalid_request" }, { "WWW-Authenticate": "Bearer" });
  }
  const token = auth.slice("Bearer ".length);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, JWKS, { issuer: ISSUER, audience: AUDIENCE }));
  } catch (e) {
    if (!(e instanceof errors.JOSEError)) throw e;
    console.error(`refused: ${e.code}: ${e.message}`);
    const challenge = `Bearer error="invalid_token", error_description="${e.message.replace(/"/g, "'")}"`;
    return answer(res, 401, { error: "invalid_token", error_description: e.message },
      { "WWW-Authenticate": challenge });
  }
  const groups = groupsOf(payload);
  if (!groups.some((g) => ALLOWED_GROUPS.has(g))) {
    return answer(res, 403, {
      error: "insufficient_scope",
      error_description: `no allowed group in the \`${GROUPS_CLAIM}\` claim`,
    });
  }
  return answer(res, 200, { sub: payload.sub, email: payload.email, groups });
}

http
  .createServer((req, res) => {
    route(req, res).catch((e) => {
      // what a web framework does with an unhandled error
      console.error(e);
      answer(res, 500, { error: "internal server error" });
    });
  })
  .listen(Number(PORT), HOST, () => {
    console.log(`listening on http://${HOST}:${PORT}/ (jwks_uri ${discovery.jwks_uri})`);
  });
