"""A small bearer-token API on Authlib's JOSE module, written the way Authlib's docs show it
("JSON Web Token (JWT)", "JSON Web Key (JWK)"): the JWKS fetched from the jwks_uri that
discovery names and loaded with `JsonWebKey.import_key_set(jwks)`, a
`JsonWebToken(["RS256"])` (the algorithms it may accept), then per request
`claims = jwt.decode(token, key_set, claims_options={"iss": {"essential": True, "value":
ISSUER}, "aud": {"essential": True, "value": AUDIENCE}})` and `claims.validate()` (exp,
nbf, iat and the options), and 401 on `JoseError` (authlib.jose.errors, the class every
Authlib JOSE error extends). Authlib fetches nothing itself: the JWKS is fetched once, at
start-up, as an app that follows these docs does.

Configuration (environment): OIDC_ISSUER (exactly as discovery publishes it),
OIDC_AUDIENCE (the API's own audience), GROUPS_CLAIM (default "groups"),
ALLOWED_GROUPS (comma-separated, default "Engineering"), LISTEN (host:port).
Two settings turn on the fixes the report names (fixed.toml): CATCH_VALUE_ERROR=1 answers
401 on ValueError too (KeySet.find_by_kid raises ValueError("Key not found"), no
JoseError, for a kid the set lacks), and JWKS_COOLDOWN_SECS passes jwt.decode a key
function (`key` may be a callable of header and payload) that fetches the JWKS again for
a kid the set lacks, when that many seconds have passed since the last fetch.

GET /api/whoami answers 200 with the user for a valid token of a user in an allowed
group, 401 with WWW-Authenticate for an invalid token, 403 when the groups policy
refuses; GET /healthz is 200. An unexpected error is a 500, as a web framework answers.
"""

import json
import os
import sys
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError

ISSUER = os.environ["OIDC_ISSUER"]
AUDIENCE = os.environ["OIDC_AUDIENCE"]
GROUPS_CLAIM = os.environ.get("GROUPS_CLAIM") or "groups"
ALLOWED_GROUPS = set(os.environ.get("ALLOWED_GROUPS", "Engineering").split(","))

# The JWKS URL from discovery, as OIDC Discovery §4 defines it.
with urllib.request.urlopen(ISSUER.rstrip("/") + "/.well-known/openid-configuration") as r:
    JWKS_URI = json.load(r)["jwks_uri"]


def fetch_key_set():
    with urllib.request.urlopen(JWKS_URI) as r:
        return JsonWebKey.import_key_set(json.load(r))


key_set = fetch_key_set()
key_set_fetched_at = time.monotonic()
key_set_lock = threading.Lock()
REFUSED = (JoseError, ValueError) if os.environ.get("CATCH_VALUE_ERROR") == "1" else JoseError


def load_key(header, payload):
    """With JWKS_COOLDOWN_SECS: the key for the token's kid, fetching the JWKS again for
    a kid the set lacks (at most every JWKS_COOLDOWN_SECS)."""
    global key_set, key_set_fetched_at
    kid = header.get("kid")
    cooldown = float(os.environ["JWKS_COOLDOWN_SECS"])
    with key_set_lock:
        if kid is not None and all(k.kid != kid for k in key_set.keys) \
                and time.monotonic() - key_set_fetched_at >= cooldown:
            key_set, key_set_fetched_at = fetch_key_set(), time.monotonic()
        return key_set.find_by_kid(kid)


jwt = JsonWebToken(["RS256"])
CLAIMS_OPTIONS = {
    "iss": {"essential": True, "value": ISSUER},
    "aud": {"essential": True, "value": AUDIENCE},
}


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
            key = load_key if os.environ.get("JWKS_COOLDOWN_SECS") else key_set
            claims = jwt.decode(token, key, claims_options=CLAIMS_OPTIONS)
            claims.validate()
        except REFUSED as e:
            print(f"refused: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
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
