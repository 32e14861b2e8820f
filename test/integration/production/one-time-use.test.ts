import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { useSeededServer } from '../../helpers/seeded-suite.js';

const CONCURRENCY = 50;

/**
 * docs/architecture.md §3 / issue 4: an authorization code and a rotated refresh token are consumed exactly once,
 * even when 50 requests race for them; the losers get invalid_grant, never a 500 or a second token.
 */
describe.each(DIALECTS)('one-time use under concurrency on %s', (_name, makeDb) => {
  // No grace period (docs/mediawiki-compat.md, "Refresh"): a refresh token is then strictly one-time,
  // which is what the concurrency race checks.
  const suite = useSeededServer(makeDb, { REFRESH_TOKEN_GRACE_PERIOD: '0' });
  let app: SeededClient;
  let agent: HttpSession;

  beforeAll(async () => {
    app = await seedClient(suite.server.services);
    agent = new HttpSession(suite.server.issuer);
  });

  const tokenRequest = (fields: Record<string, string>) =>
    fetch(`${suite.server.issuer}/w/rest.php/oauth2/access_token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  async function race(fields: Record<string, string>) {
    const responses = await Promise.all(Array.from({ length: CONCURRENCY }, () => tokenRequest(fields)));
    const bodies = await Promise.all(responses.map(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, string> })));
    const winners = bodies.filter((r) => r.status === 200);
    const losers = bodies.filter((r) => r.status !== 200);
    return { winners, losers };
  }

  async function code(scope: string): Promise<string> {
    const url = `${suite.server.issuer}/w/rest.php/oauth2/authorize?${new URLSearchParams({ client_id: app.key, response_type: 'code', redirect_uri: app.redirectUri, scope, prompt: 'consent' })}`;
    const outcome = await authorize(agent, url, ALICE);
    return outcome.callback!.searchParams.get('code')!;
  }

  it(`redeems one authorization code once among ${CONCURRENCY} concurrent exchanges`, async () => {
    const { winners, losers } = await race({ grant_type: 'authorization_code', code: await code('openid'), redirect_uri: app.redirectUri });
    expect(winners).toHaveLength(1);
    expect(winners[0]!.body.access_token).toBeTruthy();
    expect(losers).toHaveLength(CONCURRENCY - 1);
    expect(new Set(losers.map((r) => `${r.status} ${r.body.error}`))).toEqual(new Set(['400 invalid_grant']));
  });

  it(`rotates one refresh token once among ${CONCURRENCY} concurrent refreshes`, async () => {
    const exchanged = await tokenRequest({ grant_type: 'authorization_code', code: await code('openid offline_access'), redirect_uri: app.redirectUri });
    const { refresh_token: refreshToken } = (await exchanged.json()) as { refresh_token: string };
    expect(refreshToken).toBeTruthy();
    const { winners, losers } = await race({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(winners).toHaveLength(1);
    expect(winners[0]!.body.refresh_token).toBeTruthy();
    expect(winners[0]!.body.refresh_token).not.toBe(refreshToken);
    expect(losers).toHaveLength(CONCURRENCY - 1);
    expect(new Set(losers.map((r) => `${r.status} ${r.body.error}`))).toEqual(new Set(['400 invalid_grant']));
  });
});
