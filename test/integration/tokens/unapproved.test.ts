import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ADMIN, BOB, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { startKeyedServer, type KeyedServer } from '../../helpers/oauth2-keys.js';
import { signIn } from '../../helpers/site.js';

/** Only approved consumers are clients; a proposed one serves its owner only (docs/mediawiki-compat.md). */
describe.each(DIALECTS)('unapproved consumers on %s', (_name, makeDb) => {
  let keyed: KeyedServer;
  let proposed: SeededClient;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
    proposed = await seedClient(keyed.server.services, { approve: false, grants: ['basic', 'editpage'], owner: ADMIN.name });
  });

  afterAll(() => keyed?.close());

  const authorizeUrl = (extra: Record<string, string> = {}) =>
    `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: proposed.key, redirect_uri: proposed.redirectUri, state: 's', ...extra })}`;

  it('anonymous visitors and other users get an error page, never a redirect to the consumer', async () => {
    expect((await keyed.server.services.consumers.findByKey(proposed.key))!.stage).toBe('proposed');
    const anonymous = new HttpSession(keyed.server.issuer);
    const bob = await signIn(keyed.server.issuer, BOB);
    for (const agent of [anonymous, bob]) {
      const variants: Array<Record<string, string>> = [{}, { prompt: 'none' }, { response_type: 'token' }, { scope: 'openid', prompt: 'none', response_mode: 'form_post' }];
      for (const extra of variants) {
        const res = await agent.get(authorizeUrl(extra));
        expect(res.status, JSON.stringify(extra)).toBe(403);
        expect(res.headers.get('location')).toBeNull();
        const html = await res.text();
        expect(html).toContain('only its owner may use it');
        expect(html).not.toContain(proposed.redirectUri);
      }
    }
  });

  it('refuses its client_credentials token requests', async () => {
    const res = await fetch(`${keyed.base}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${proposed.key}:${proposed.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(body.access_token).toBeUndefined();
    expect(body.error_description).toBe('requested grant type is not allowed for this client');
  });

  it('its owner can still use it', async () => {
    const owner = await signIn(keyed.server.issuer, ADMIN);
    const outcome = await authorize(owner, authorizeUrl(), ADMIN);
    const code = outcome.callback?.searchParams.get('code');
    expect(code, await outcome.lastResponse.clone().text()).toBeTruthy();
    const res = await fetch(`${keyed.base}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${proposed.key}:${proposed.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: proposed.redirectUri }),
    });
    const tokens = (await res.json()) as Record<string, string>;
    expect(res.status, JSON.stringify(tokens)).toBe(200);
    const profile = await fetch(`${keyed.base}/resource/profile`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await profile.json()) as Record<string, unknown>).username).toBe(ADMIN.name);
  });
});
