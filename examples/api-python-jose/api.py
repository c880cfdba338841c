"""A small bearer-token API on python-jose, written the way python-jose's docs show it:
`jwt.decode(token, key, algorithms=["RS256"], audience=..., issuer=...)`, where `key` may
be "a dict for a JWK set as defined by RFC 7517" (jose/jwt.py decode's docstring), here
the JWKS fetched from the jwks_uri that discovery names, and 401 on `JWTError` (the error
decode "Raises" for an invalid token; ExpiredSignatureError and JWTClaimsError subclass it).
python-jose fetches nothing itself: the JWKS is fetched once, at start-up, as an app
that follows these docs does.

Configuration (environment): OIDC_ISSUER (exactly as discovery publishes it),
OIDC_AUDIENCE (the API's own audience), GROUPS_CLAIM (default "groups"),
ALLOWED_GROUPS (comma-separated, default "Engineering"), LISTEN (host:port).
Three settings turn on the fixes the report names (fixed.toml): KEY_BY_KID=1 passes
jwt.decode only the JWKS key whose `kid` the token names (python-jose itself ignores
`kid` and tries every key of the set), refusing a `kid` the JWKS does not have after
fetching it again when JWKS_COOLDOWN_SECS (default 30) have passed since the last fetch;
CATCH_JOSE_ERROR=1 answers 401 on every jose.exceptions.JOSEError (a JWK that does not fit
the token's algorithm raises JWKError, which is no JWTError).

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

from jose import jwt
from jose.exceptions import JOSEError, JWTError

ISSUER = os.environ["OIDC_ISSUER"]
AUDIENCE = os.environ["OIDC_AUDIENCE"]
GROUPS_CLAIM = os.environ.get("GROUPS_CLAIM") or "groups"
ALLOWED_GROUPS = set(os.environ.get("ALLOWED_GROUPS", "Engineering").split(","))
KEY_BY_KID = os.environ.get("KEY_BY_KID") == "1"
JWKS_COOLDOWN_SECS = float(os.environ.get("JWKS_COOLDOWN_SECS") or 30)
REFUSED = JOSEError if os.environ.get("CATCH_JOSE_ERROR") == "1" else JWTError

# The JWKS URL from discovery, as OIDC Discovery §4 defines it.
with urllib.request.urlopen(ISSUER.rstrip("/") + "/.well-known/openid-configuration") as r:
    JWKS_URI = json.load(r)["jwks_uri"]


def fetch_jwks():
    with urllib.request.urlopen(JWKS_URI) as r:
        return json.load(r)


jwks = fetch_jwks()
jwks_fetched_at = time.monotonic()
jwks_lock = threading.Lock()


def key_for(token):
    """What jwt.decode verifies `token` with. As the docs show: the whole JWK set fetched at
    start-up. With KEY_BY_KID=1: the one key whose kid the token names, fetching the set
    again for a kid it lacks (at most every JWKS_COOLDOWN_SECS); a kid still unknown is
    refused."""
    global jwks, jwks_fetched_at
    if not KEY_BY_KID:
        return jwks
    kid = jwt.get_unverified_header(token).get("kid")
    with jwks_lock:
        known = any(k.get("kid") == kid for k in jwks["keys"])
        if not known and time.monotonic() - jwks_fetched_at >= JWKS_COOLDOWN_SECS:
            jwks, jwks_fetched_at = fetch_jwks(), time.monotonic()
        keys = [k for k in jwks["keys"] if k.get("kid") == kid]
    if not keys:
        raise JWTError(f"no key with kid {kid!r} in the JWKS")
    return keys[0]


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
            claims = jwt.decode(
                token,
                key_for(token),
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
            )
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
