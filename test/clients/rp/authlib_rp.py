"""A relying party on Authlib 1.2 (Debian python3-authlib), as a Flask app would use it.

Authlib's OpenID client is its framework integration (flask_client.FlaskOAuth2App); this is the same
mixins with a plain http.server instead of Flask (not packaged here): oauth.register() with
server_metadata_url, create_authorization_url() with state and nonce, fetch_access_token(),
parse_id_token() (signature against the discovered JWKS, iss, aud, exp, nonce), userinfo().
Authlib has no RP-initiated logout; /logout builds the end-session URL the way a Flask app does.

Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, RP_PORT; REQUESTS_CA_BUNDLE trusts the test CA.
"""
import json
import os
import secrets
import sys
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.integrations.base_client import BaseApp, BaseOAuth, FrameworkIntegration, OAuth2Mixin, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from authlib.common.encoding import urlsafe_b64decode

ISSUER = os.environ["ISSUER"]
PORT = int(os.environ["RP_PORT"])
BASE = f"http://127.0.0.1:{PORT}"


class ScriptApp(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = OAuth2Session


class ScriptIntegration(FrameworkIntegration):
    def update_token(self, token, refresh_token=None, access_token=None):
        pass

    @staticmethod
    def load_config(oauth, name, params):
        return {}


class ScriptOAuth(BaseOAuth):
    oauth2_client_cls = ScriptApp
    framework_integration_cls = ScriptIntegration


oauth = ScriptOAuth()
wiki = oauth.register(
    "wiki",
    client_id=os.environ["CLIENT_ID"],
    client_secret=os.environ["CLIENT_SECRET"],
    server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
    client_kwargs={"scope": "openid email profile"},
)
sessions = {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("rp: " + fmt % args + "\n")

    def session(self):
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        sid = cookie["authlib_rp"].value if "authlib_rp" in cookie else None
        if sid not in sessions:
            sid = secrets.token_urlsafe(16)
            sessions[sid] = {}
        return sid, sessions[sid]

    def answer(self, status, body, headers=None, sid=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if sid:
            self.send_header("Set-Cookie", f"authlib_rp={sid}; Path=/; HttpOnly")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location, sid):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Set-Cookie", f"authlib_rp={sid}; Path=/; HttpOnly")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        sid, session = self.session()
        try:
            if url.path == "/login":
                # FlaskAppMixin.authorize_redirect
                rv = wiki.create_authorization_url(redirect_uri=f"{BASE}/callback")
                wiki.framework.set_state_data(session, rv["state"], {"redirect_uri": f"{BASE}/callback", "nonce": rv["nonce"]})
                return self.redirect(rv["url"], sid)
            if url.path == "/callback":
                # FlaskOAuth2App.authorize_access_token
                if "error" in query:
                    return self.answer(400, {"error": query["error"], "error_description": query.get("error_description")}, sid=sid)
                state_data = wiki.framework.get_state_data(session, query.get("state"))
                wiki.framework.clear_state_data(session, query.get("state"))
                params = wiki._format_state_params(state_data, {"code": query["code"], "state": query.get("state")})
                token = wiki.fetch_access_token(**params)
                claims = wiki.parse_id_token(token, nonce=state_data["nonce"])
                userinfo = wiki.userinfo(token=token)
                header = json.loads(urlsafe_b64decode(token["id_token"].split(".")[0].encode()))
                session["id_token"] = token["id_token"]
                return self.answer(200, {"rp": "authlib", "claims": dict(claims), "userinfo": dict(userinfo), "kid": header.get("kid")}, sid=sid)
            if url.path == "/logout":
                metadata = wiki.load_server_metadata()
                end = metadata["end_session_endpoint"]
                params = urlencode({"id_token_hint": session.get("id_token", ""), "post_logout_redirect_uri": f"{BASE}/logged-out", "state": "authlib-bye"})
                return self.redirect(f"{end}?{params}", sid)
            if url.path == "/logged-out":
                return self.answer(200, {"rp": "authlib", "logged_out": True, "state": query.get("state")}, sid=sid)
            return self.answer(404, {"error": "not found"})
        except Exception as err:  # the test reads the error from the page
            return self.answer(500, {"error": type(err).__name__, "error_description": str(err)}, sid=sid)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(f"listening {PORT}", flush=True)
server.serve_forever()
