import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../helpers/fixtures.js';
import { HttpSession } from '../helpers/http-session.js';
import { journey } from './helpers/journey.js';
import { startRelyingParty, type RelyingParty } from './helpers/relying-party.js';
import { publishedKids, rotateKeys, startRpEnvironment, type RpEnvironment } from './helpers/rp-setup.js';

const ID_TOKEN_TTL = 5;

// Ruby omniauth-openid-connect (Debian ruby-omniauth-openid-connect), configured like Discourse.
describe('omniauth-openid-connect relying party, configured like Discourse (child process)', () => {
  let env: RpEnvironment;
  let rp: RelyingParty;

  beforeAll(async () => {
    // Short-lived id_tokens, so Discourse's logout sends an expired id_token_hint, as it does in practice.
    env = await startRpEnvironment({ callbackPath: '/auth/oidc/callback', env: { ID_TOKEN_TTL: String(ID_TOKEN_TTL) } });
    rp = await startRelyingParty(env.rpPort, 'ruby', ['omniauth_rp.rb'], {
      ISSUER: env.server.issuer,
      CLIENT_ID: env.client.key,
      CLIENT_SECRET: env.client.secret,
      SSL_CERT_FILE: env.tls.caFile,
    });
  });

  afterAll(async () => {
    await rp?.stop();
    await env?.close();
  });

  it('signs in over https discovery (nonce, client_secret_basic, userinfo), again across a key rotation, and logs out with an expired id_token_hint', async () => {
    const alice = (await env.server.services.accounts.findByName(ALICE.name))!;
    const browser = new HttpSession(rp.origin, { fetch: env.tls.fetch });

    const first = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(first.result, rp.log()).toMatchObject({ rp: 'omniauth', uid: String(alice.id), kid: (await publishedKids(env))[0] });
    expect(first.loginShown && first.consentShown).toBe(true);
    // What Discourse reads: name, email (verified), nickname from preferred_username.
    expect(first.result.info).toMatchObject({ name: 'Alice Liddell', email: ALICE.email, email_verified: true, nickname: 'Alice' });
    expect(first.result.raw_info).toMatchObject({ sub: String(alice.id), email_verified: true, preferred_username: 'Alice' });
    // Discourse's authorize scope.
    const authorize = first.steps.find((s) => s.url.includes('/oauth2/authorize?'))!;
    expect(new URL(authorize.url).searchParams.get('scope')).toBe('openid profile email');

    const newKid = await rotateKeys(env);
    const second = await journey(browser, `${rp.origin}/login`, ALICE);
    expect(second.result, rp.log()).toMatchObject({ rp: 'omniauth', uid: String(alice.id), kid: newKid });

    // Discourse logs out much later than the id_token lives.
    const session = browser.cookie('omniauth_rp');
    expect(session).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, (ID_TOKEN_TTL + 1) * 1000));
    const logout = await journey(browser, `${rp.origin}/logout`, ALICE);
    expect(logout.result, rp.log()).toMatchObject({ rp: 'omniauth', logged_out: true, query: {} });
    expect(logout.logoutConfirmed).toBe(true);
    const hint = new URL(logout.steps.find((s) => s.url.includes('/oauth2/logout?'))!.url).searchParams;
    expect([...hint.keys()].sort()).toEqual(['id_token_hint', 'post_logout_redirect_uri']);
    expect(jose.decodeJwt(hint.get('id_token_hint')!).exp!).toBeLessThan(Date.now() / 1000);
  });
});
