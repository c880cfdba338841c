"""A small CLI that logs in with the device authorization grant (RFC 8628) as a public
client, on `requests` with a hand-written polling loop (requests has no OAuth support of
its own): discovery, the device authorization request, then token requests every
`interval` seconds until the user approves or denies or the code expires.

    python cli.py login --issuer ISSUER --client-id CLIENT_ID

Prints "To log in, open <verification_uri> and enter the code <user_code>", then
"Logged in as <email>" (exit 0); exit 1 when the login is denied or expires, 3 when the
IdP has no device authorization endpoint.
"""

import argparse
import base64
import json
import sys
import time

import requests

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCOPES = "openid email profile groups offline_access"


def claims_of(id_token):
    """The ID token's claims. It came straight from the token endpoint (OIDC Core
    §3.1.3.7 lets a client trust the token endpoint's TLS), so the CLI only reads it."""
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def login(issuer, client_id):
    meta = requests.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=10).json()
    endpoint = meta.get("device_authorization_endpoint")
    if not endpoint:
        print(f"the IdP {issuer} has no device authorization endpoint: "
              "use an IdP with the device flow, or the browser login", file=sys.stderr)
        return 3
    r = requests.post(endpoint, data={"client_id": client_id, "scope": SCOPES}, timeout=10)
    if r.status_code != 200:
        print(f"the device authorization request failed: HTTP {r.status_code} {r.text}", file=sys.stderr)
        return 1
    device = r.json()
    print(f"To log in, open {device['verification_uri']} and enter the code {device['user_code']}",
          flush=True)
    interval = device.get("interval", 5)
    deadline = time.monotonic() + device.get("expires_in", 600)
    while time.monotonic() < deadline:
        time.sleep(interval)
        t = requests.post(meta["token_endpoint"], data={
            "grant_type": DEVICE_GRANT,
            "device_code": device["device_code"],
            "client_id": client_id,
        }, timeout=10)
        body = t.json()
        if t.status_code == 200:
            claims = claims_of(body["id_token"])
            print(f"Logged in as {claims.get('email') or claims['sub']}", flush=True)
            return 0
        error = body.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += 5
            continue
        if error == "access_denied":
            print("The login was denied in the browser.", file=sys.stderr)
            return 1
        if error == "expired_token":
            print("The code expired before the login was approved: run the login again.", file=sys.stderr)
            return 1
        print(f"The login failed: {error}: {body.get('error_description', '')}", file=sys.stderr)
        return 1
    print("The code expired before the login was approved: run the login again.", file=sys.stderr)
    return 1


def main():
    parser = argparse.ArgumentParser(prog="cli.py")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("login")
    p.add_argument("--issuer", required=True)
    p.add_argument("--client-id", required=True)
    args = parser.parse_args()
    return login(args.issuer, args.client_id)


if __name__ == "__main__":
    sys.exit(main())
