import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../helpers/fixtures.js';
import { HttpSession } from '../helpers/http-session.js';
import { journey } from './helpers/journey.js';
import { startRelyingParty, type RelyingParty } from './helpers/relying-party.js';
import { publishedKids, rotateKeys, startRpEnvironment, type RpEnvironment } from './helpers/rp-setup.js';

// openid-client 6 in its own Node process, trusting the test CA through NODE_EXTRA_CA_CERTS.
describe('openid-client 6 relying party (child process)', () => {
  let env: RpEnvironment;
  let rp: RelyingParty;

  beforeAll(async () => {
    env = await startRpEnvironment({ callbackPath: '/callback' });
    rp = await startRelyingParty(env.rpPort, process.execPath, ['openid-client-rp.mjs'], {
      ISSUER: env.server.issuer,
      CLIENT_ID: env.client.key,
      CLIENT_SECRET: env.client.secret,
      NODE_EXTRA_CA_CERTS: env.tls.caFile,
    });
  });

  afterAll(async () => {
    await rp?.stop();
    await env?.close();
  });

  it('signs in with PKCE, refreshes, keeps working across a key rotation, and logs out with buildEndSessionUrl', async () => {
    const alice = (await env.server.services.accounts.findByName(ALICE.name))!;
    const browser = new HttpSession(rp.origin, { fetch: env.tls.fetch });

    const first = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(first.result, rp.log()).toMatchObject({ rp: 'openid-client', claims: { sub: String(alice.id), iss: env.server.issuer }, refresh_token: true });
    expect(first.result.userinfo).toMatchObject({ sub: String(alice.id), email: ALICE.email, email_verified: true });
    const [oldKid] = await publishedKids(env);
    expect(first.result.kid).toBe(oldKid);

    const refreshed = await journey(browser, `${rp.origin}/refresh`, ALICE);
    expect(refreshed.result, rp.log()).toMatchObject({ rp: 'openid-client', claims: { sub: String(alice.id) }, kid: oldKid, rotated: true });

    // After the rotation, refreshed and new id_tokens carry the new kid; openid-client fetches the JWKS again.
    const newKid = await rotateKeys(env);
    const afterRotation = await journey(browser, `${rp.origin}/refresh`, ALICE);
    expect(afterRotation.result, rp.log()).toMatchObject({ claims: { sub: String(alice.id) }, kid: newKid });
    const second = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(second.result, rp.log()).toMatchObject({ claims: { sub: String(alice.id) }, kid: newKid });

    const logout = await journey(browser, `${rp.origin}/logout`, ALICE);
    expect(logout.result).toEqual({ rp: 'openid-client', logged_out: true, state: 'openid-client-bye' });
    expect(logout.logoutConfirmed).toBe(true);
  });
});
