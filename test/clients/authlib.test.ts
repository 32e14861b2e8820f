import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../helpers/fixtures.js';
import { HttpSession } from '../helpers/http-session.js';
import { journey } from './helpers/journey.js';
import { startRelyingParty, type RelyingParty } from './helpers/relying-party.js';
import { publishedKids, rotateKeys, startRpEnvironment, type RpEnvironment } from './helpers/rp-setup.js';

// Authlib 1.2 (Debian python3-authlib) with server_metadata_url, as a Flask app configures it.
describe('Authlib 1.2 relying party (child process)', () => {
  let env: RpEnvironment;
  let rp: RelyingParty;

  beforeAll(async () => {
    env = await startRpEnvironment({ callbackPath: '/callback' });
    rp = await startRelyingParty(env.rpPort, '/usr/bin/python3', ['authlib_rp.py'], {
      ISSUER: env.server.issuer,
      CLIENT_ID: env.client.key,
      CLIENT_SECRET: env.client.secret,
      REQUESTS_CA_BUNDLE: env.tls.caFile,
    });
  });

  afterAll(async () => {
    await rp?.stop();
    await env?.close();
  });

  it('signs in (discovery, login + consent, id_token, userinfo), again across a key rotation, and logs out', async () => {
    const alice = (await env.server.services.accounts.findByName(ALICE.name))!;
    const browser = new HttpSession(rp.origin, { fetch: env.tls.fetch });

    const first = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(first.result, rp.log()).toMatchObject({ rp: 'authlib', claims: { sub: String(alice.id), iss: env.server.issuer, aud: env.client.key } });
    expect(first.loginShown && first.consentShown).toBe(true);
    expect(first.result.userinfo).toMatchObject({ sub: String(alice.id), email: ALICE.email, email_verified: true, name: 'Alice Liddell', preferred_username: 'Alice' });
    const [oldKid] = await publishedKids(env);
    expect(first.result.kid).toBe(oldKid);

    // Authlib cached the JWKS at the first login; the new kid makes it fetch it again.
    const newKid = await rotateKeys(env);
    const second = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(second.result, rp.log()).toMatchObject({ rp: 'authlib', claims: { sub: String(alice.id) }, kid: newKid });
    expect(second.loginShown || second.consentShown).toBe(false);

    const logout = await journey(browser, `${rp.origin}/logout`, ALICE);
    expect(logout.result).toEqual({ rp: 'authlib', logged_out: true, state: 'authlib-bye' });
    expect(logout.logoutConfirmed).toBe(true);

    // Signed out of the wiki too: signing in again asks for the password.
    const third = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(third.loginShown).toBe(true);
    expect(third.result).toMatchObject({ claims: { sub: String(alice.id) }, kid: newKid });
  });
});
