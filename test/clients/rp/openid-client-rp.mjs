// A relying party on openid-client 6 (npm), the way its README shows a web app: discovery, PKCE +
// state + nonce, authorizationCodeGrant (id_token checked against the discovered JWKS), fetchUserInfo,
// refreshTokenGrant, buildEndSessionUrl. Plain JavaScript because it runs as its own Node process,
// trusting the test CA through NODE_EXTRA_CA_CERTS like any production Node app behind a private CA.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, RP_PORT, NODE_EXTRA_CA_CERTS.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as client from 'openid-client';

const port = Number(process.env.RP_PORT);
const base = `http://127.0.0.1:${port}`;
const config = await client.discovery(new URL(process.env.ISSUER), process.env.CLIENT_ID, process.env.CLIENT_SECRET);
const sessions = new Map();

function session(req, res) {
  const sid = /(?:^|;\s*)oc_rp=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (sid && sessions.has(sid)) return sessions.get(sid);
  const id = randomBytes(16).toString('base64url');
  const fresh = {};
  sessions.set(id, fresh);
  res.setHeader('Set-Cookie', `oc_rp=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return fresh;
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const kidOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;

createServer(async (req, res) => {
  const url = new URL(req.url, base);
  const s = session(req, res);
  try {
    if (url.pathname === '/login') {
      s.verifier = client.randomPKCECodeVerifier();
      s.state = client.randomState();
      s.nonce = client.randomNonce();
      const target = client.buildAuthorizationUrl(config, {
        redirect_uri: `${base}/callback`,
        scope: 'openid profile email offline_access',
        prompt: 'consent',
        state: s.state,
        nonce: s.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(s.verifier),
        code_challenge_method: 'S256',
      });
      res.writeHead(302, { location: target.href }).end();
      return;
    }
    if (url.pathname === '/callback') {
      const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce, idTokenExpected: true });
      const claims = tokens.claims();
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      s.idToken = tokens.id_token;
      s.refreshToken = tokens.refresh_token;
      json(res, 200, { rp: 'openid-client', claims, userinfo, kid: kidOf(tokens.id_token), refresh_token: Boolean(tokens.refresh_token) });
      return;
    }
    if (url.pathname === '/refresh') {
      const tokens = await client.refreshTokenGrant(config, s.refreshToken);
      s.refreshToken = tokens.refresh_token;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub ?? client.skipSubjectCheck);
      json(res, 200, { rp: 'openid-client', claims: tokens.claims(), userinfo, kid: tokens.id_token ? kidOf(tokens.id_token) : null, rotated: tokens.refresh_token !== undefined });
      return;
    }
    if (url.pathname === '/logout') {
      const target = client.buildEndSessionUrl(config, { id_token_hint: s.idToken, post_logout_redirect_uri: `${base}/logged-out`, state: 'openid-client-bye' });
      res.writeHead(302, { location: target.href }).end();
      return;
    }
    if (url.pathname === '/logged-out') {
      json(res, 200, { rp: 'openid-client', logged_out: true, state: url.searchParams.get('state') });
      return;
    }
    json(res, 404, { error: 'not found' });
  } catch (err) {
    json(res, 500, { error: err.name, error_description: err.message, code: err.code, cause: err.cause?.error ?? null });
  }
}).listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
