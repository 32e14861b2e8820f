import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { KeyService } from '../../src/domain/keys/key-service.js';
import { SqlKeyRepository } from '../../src/storage/sql/sql-key-repository.js';
import { TEST_SECRET_KEY } from '../helpers/config.js';
import { SQL_DIALECTS } from '../helpers/databases.js';
import { useMigratedDatabase } from '../helpers/migrated.js';

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).code;
}

describe.each(SQL_DIALECTS)('KeyService over SqlKeyRepository on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);
  const service = () => new KeyService(new SqlKeyRepository(ctx.db), TEST_SECRET_KEY);

  it('creates one signing, one cookie and one access-token key on first start, and only then', async () => {
    await service().ensureKeys();
    await service().ensureKeys();
    const keys = await service().list();
    expect(keys.map((k) => [k.use, k.alg, k.state])).toEqual([['sig', 'RS256', 'signing'], ['cookie', 'HS256', 'published'], ['oauth2', 'RS256', 'published']]);
    expect(keys[0]!.created).toMatch(/^\d{14}$/);
  });

  it('keeps private parts encrypted at rest and opens them with SECRET_KEY only', async () => {
    const set = await service().keySet();
    const [signing] = set.signing;
    expect(signing).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), d: expect.any(String) });
    expect(set.cookie).toHaveLength(1);
    const rows = await ctx.db('wikiauth_key').select('wk_kid', 'wk_public', 'wk_private');
    for (const row of rows) {
      expect(row.wk_private).toMatch(/^v1:/);
      expect(row.wk_private).not.toContain(signing!.d);
      expect(row.wk_private).not.toContain(set.cookie[0]);
      expect(row.wk_private).not.toContain(set.accessToken.d);
    }
    const publicJwk = JSON.parse(rows.find((r) => r.wk_kid === signing!.kid).wk_public);
    expect(publicJwk).toMatchObject({ kid: signing!.kid, n: signing!.n, e: signing!.e });
    expect(publicJwk.d).toBeUndefined();
    await expect(new KeyService(new SqlKeyRepository(ctx.db), 'another-secret-key-0123456789abcdef').keySet()).rejects.toThrow();
  });

  it('uses the configured OAuth 2 key pair (the wiki\'s $wgOAuth2PrivateKey) instead of storing one', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const configured = new KeyService(new SqlKeyRepository(ctx.db), TEST_SECRET_KEY, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const stored = (await service().keySet()).accessToken;
    const set = await configured.keySet();
    expect(set.accessToken).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', n: privateKey.export({ format: 'jwk' }).n });
    expect(set.accessToken.kid).not.toBe(stored.kid);
    expect(set.version).not.toBe((await service().keySet()).version);
  });

  it('publishes a rotated key at once and signs with it from its activation time', async () => {
    const before = await service().keySet();
    const old = before.signing[0]!.kid;
    const rotated = await service().rotate(60);
    expect(rotated.activated! > rotated.created).toBe(true);

    const now = await service().keySet();
    expect(now.signing.map((k) => k.kid)).toEqual([old, rotated.kid]);
    expect(now.version).not.toBe(before.version);
    expect((await service().list()).find((k) => k.kid === rotated.kid)!.state).toBe('pending');

    const afterActivation = await service().keySet(later(120));
    expect(afterActivation.signing.map((k) => k.kid)).toEqual([rotated.kid, old]);
    expect(await codeOf(service().rotate(-1))).toBe('invalid_delay');
  });

  it('retires a superseded key only once its tokens have expired, unless forced', async () => {
    const keys = (await service().list(later(120))).filter((k) => k.use === 'sig');
    const [old, current] = keys.map((k) => k.kid) as [string, string];
    expect(keys.map((k) => k.state)).toEqual(['published', 'signing']);

    expect(await codeOf(service().retire(current, {}, later(120)))).toBe('key_in_use');
    expect(await codeOf(service().retire(old, { minAgeSeconds: 3600 }, later(120)))).toBe('key_still_needed');
    expect(await codeOf(service().retire('no-such-kid'))).toBe('unknown_key');
    await service().retire(old, { minAgeSeconds: 3600 }, later(3800));
    expect(await codeOf(service().retire(old, { force: true }))).toBe('already_retired');

    expect((await service().keySet(later(3800))).signing.map((k) => k.kid)).toEqual([current]);
    expect((await service().list()).find((k) => k.kid === old)!.retired).toMatch(/^\d{14}$/);
  });

});

describe.each(SQL_DIALECTS)('key rotation without delay on %s', (_dialect, open) => {
  const ctx = useMigratedDatabase(open);

  it('signs with the new key at once, even within the same second as the old one', async () => {
    const service = new KeyService(new SqlKeyRepository(ctx.db), TEST_SECRET_KEY);
    await service.ensureKeys();
    const rotated = await service.rotate(0);
    // TS_MW has whole seconds: make the old key's times equal the new one's.
    await ctx.db('wikiauth_key').whereNot('wk_kid', rotated.kid).update({ wk_created: rotated.created, wk_activated: rotated.activated });
    expect((await service.keySet()).signing[0]!.kid).toBe(rotated.kid);
    expect((await service.list()).find((k) => k.kid === rotated.kid)!.state).toBe('signing');
    const old = (await service.list()).find((k) => k.use === 'sig' && k.kid !== rotated.kid)!.kid;
    expect(await codeOf(service.retire(old, { minAgeSeconds: 3600 }))).toBe('key_still_needed');
  });
});
