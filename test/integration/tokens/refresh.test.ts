import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ALICE, seedClient, type SeededClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { verifyWithPython } from '../../helpers/mediawiki-jwt.js';
import { startKeyedServer, type KeyedServer } from '../../helpers/oauth2-keys.js';

/** Refresh as MediaWiki does it (docs/mediawiki-compat.md "Refresh"). */
describe.each(DIALECTS)('refresh tokens on %s', (_name, makeDb) => {
  let keyed: KeyedServer;
  let app: SeededClient;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
    app = await seedClient(keyed.server.services, { grants: ['basic', 'editpage'] });
  });

  afterAll(() => keyed?.close());

  async function token(body: Record<string, string>): Promise<{ status: number; json: Record<string, any> }> {
    const res = await fetch(`${keyed.base}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  const profileStatus = async (value: string) => (await fetch(`${keyed.base}/resource/profile`, { headers: { authorization: `Bearer ${value}` } })).status;
  const revoked = async (value: string) =>
    Number((await keyed.server.services.db('oauth2_access_tokens').where('oaat_identifier', verifyWithPython(keyed.keys.publicFile, value).claims.jti).first()).oaat_revoked);

  /** Time passing for one refresh token: its first use moves back by `seconds` (no waiting). */
  const ageUse = (refreshToken: string, seconds: number) =>
    keyed.server.services.db('wikiauth_artifact')
      .where({ wa_model: 'RefreshToken', wa_id: createHash('sha256').update(refreshToken).digest('base64url') })
      .update({ wa_consumed: keyed.server.services.db.raw('wa_consumed - ?', [seconds]) });

  it('a refresh token used again within the grace period still works; after it, a reuse revokes the chain', async () => {
    const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, state: 's' });
    const outcome = await authorize(new HttpSession(keyed.server.issuer), `${keyed.base}/authorize?${query}`, ALICE);
    const first = await token({ grant_type: 'authorization_code', code: outcome.callback!.searchParams.get('code')!, redirect_uri: app.redirectUri });
    expect(first.status).toBe(200);

    const second = await token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expect(second.status).toBe(200);
    expect(await revoked(first.json.access_token)).toBe(1);

    // The response was lost: the client retries with the same refresh token, 590 s later.
    await ageUse(first.json.refresh_token, 590);
    const retry = await token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expect(retry.status, JSON.stringify(retry.json)).toBe(200);
    expect(await profileStatus(retry.json.access_token)).toBe(200);
    expect(await profileStatus(second.json.access_token)).toBe(200);

    // Past the grace period a reuse is a replay: every token of the chain stops working.
    await ageUse(first.json.refresh_token, 11);
    const replay = await token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    for (const value of [retry.json.access_token, second.json.access_token]) {
      expect(await profileStatus(value)).toBe(401);
      expect(await revoked(value)).toBe(1);
    }
    expect((await token({ grant_type: 'refresh_token', refresh_token: retry.json.refresh_token })).status).toBe(400);
    // The user's authorization itself stays (a replay ends the chain, not the consent).
    const consumer = (await keyed.server.services.consumers.findByKey(app.key))!;
    const alice = (await keyed.server.services.accounts.findByName(ALICE.name))!;
    expect(await keyed.server.services.authorizations.find(alice.id, consumer.id, consumer.wiki)).toBeDefined();
  });
});
