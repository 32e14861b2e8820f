"""An independent check of an access token: PyJWT verifies RS256 with the PEM public key.

Usage: verify_jwt.py PUBLIC_KEY_PEM_FILE < token; prints {"header": ..., "claims": ...} as JSON,
or exits 1 with the reason on stderr.
"""
import json
import sys

import jwt

with open(sys.argv[1], encoding="utf-8") as f:
    public_key = f.read()
token = sys.stdin.read().strip()
try:
    claims = jwt.decode(token, public_key, algorithms=["RS256"], options={"verify_aud": False, "require": ["exp", "iat", "nbf"]})
except jwt.PyJWTError as err:
    print(f"{type(err).__name__}: {err}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"header": jwt.get_unverified_header(token), "claims": claims}))
