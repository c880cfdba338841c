"""A small bearer-token API on PyJWT, written the way PyJWT's docs show it
("Retrieve RSA signing keys from a JWKS endpoint"): a PyJWKClient on the jwks_uri
from discovery, get_signing_key_from_jwt(token), then
jwt.decode(token, key, algorithms=["RS256"], audience=..., issuer=...), and 401 on
jwt.InvalidTokenError.

Configuration (environment): OIDC_ISSUER (exactly as discovery publishes it),
OIDC_AUDIENCE (the API's own audience), GROUPS_CLAIM (default "groups"),
ALLOWED_GROUPS (comma-separated, default "Engineering"), LISTEN (host:port).
Two settings turn on the fixes the report names (fixed.toml): CATCH_PYJWT_ERROR=1 answers
401 on every jwt.PyJWTError (PyJWKClient's PyJWKClientError is one, but no
InvalidTokenError), and JWKS_COOLDOWN_SECS sets PyJWKClient's cooldown_duration (the
wait before an unknown kid fetches the JWKS again; 30 s by default).

GET /api/whoami answers 200 with the user for a valid token of a user in an allowed
group, 401 with WWW-Authenticate for an invalid token, 403 when the groups policy
refuses; GET /healthz is 200. An unexpected error is a 500, as a web framework answers.
"""

import json
import os
import sys
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

ISSUER = os.environ["OIDC_ISSUER"]
AUDIENCE = os.environ["OIDC_AUDIENCE"]
GROUPS_CLAIM = os.environ.get("GROUPS_CLAIM") or "groups"
ALLOWED_GROUPS = set(os.environ.get("ALLOWED_GROUPS", "Engineering").split(","))

# The JWKS URL from discovery, as OIDC Discovery §4 defines it.
with urllib.request.urlopen(ISSUER.rstrip("/") + "/.well-known/openid-configuration") as r:
    JWKS_URI = json.load(r)["jwks_uri"]
if os.environ.get("JWKS_COOLDOWN_SECS"):
    jwks_client = jwt.PyJWKClient(JWKS_URI, cooldown_duration=float(os.environ["JWKS_COOLDOWN_SECS"]))
else:
    jwks_client = jwt.PyJWKClient(JWKS_URI)
REFUSED = jwt.PyJWTError if os.environ.get("CATCH_PYJWT_ERROR") == "1" else jwt.InvalidTokenError


def groups_of(claims):
    """The groups claim as a list: one group may come as a string (JumpCloud)."""
    groups = claims.get(GROUPS_CLAIM) or []
    return [groups] if isinstance(groups, str) else list(groups)


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            self.route()
        except Exception:  # what a web framework does with an unhandled error
            traceback.print_exc()
            self.answer(500, {"error": "internal server error"})

    def route(self):
        if self.path == "/healthz":
            return self.answer(200, {"ok": True})
        if self.path != "/api/whoami":
            return self.answer(404, {"error": "not found"})
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return self.answer(401, {"error": "invalid_request"}, [("WWW-Authenticate", "Bearer")])
        token = auth[len("Bearer "):]
        try:
            signing_key = jwks_client.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
            )
        except REFUSED as e:
            challenge = f'Bearer error="invalid_token", error_description="{e}"'
            return self.answer(401, {"error": "invalid_token", "error_description": str(e)},
                               [("WWW-Authenticate", challenge)])
        groups = groups_of(claims)
        if not ALLOWED_GROUPS.intersection(groups):
            return self.answer(403, {
                "error": "insufficient_scope",
                "error_description": f"no allowed group in the `{GROUPS_CLAIM}` claim",
            })
        return self.answer(200, {"sub": claims["sub"], "email": claims.get("email"), "groups": groups})

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


if __name__ == "__main__":
    host, port = os.environ.get("LISTEN", "127.0.0.1:8080").rsplit(":", 1)
    print(f"listening on http://{host}:{port}/ (jwks_uri {JWKS_URI})", flush=True)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
