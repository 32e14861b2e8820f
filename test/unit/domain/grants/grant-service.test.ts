import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../../../src/domain/consumers/consumer.js';
import { DomainError } from '../../../../src/domain/errors.js';
import { GrantService } from '../../../../src/domain/grants/grant-service.js';
import { MemoryAccessTokens, MemoryAuthorizations, MemoryGrantRecords } from '../../../helpers/in-memory.js';

const APP = { id: 7, key: 'a'.repeat(32), wiki: '*', grants: ['basic', 'editpage', 'privateinfo'] } as unknown as Consumer;
const ALICE = 3;

function setUp() {
  const authorizations = new MemoryAuthorizations();
  const grantRecords = new MemoryGrantRecords();
  const accessTokens = new MemoryAccessTokens();
  const grants = new GrantService({ authorizations, grantRecords, accessTokens, consumers: { get: async (key) => (key === APP.key ? APP : undefined) } });
  return { authorizations, grantRecords, accessTokens, grants };
}

describe('GrantService', () => {
  it('stores consent as the asked grants plus the irrevocable ones; OAuth 1.0a authorize with all of them', async () => {
    const { grants } = setUp();
    expect(await grants.consent(APP, ALICE, ['openid', 'editpage'])).toMatchObject({ userId: ALICE, consumerId: 7, grants: ['basic', 'editpage'], oauthVersion: 2 });
    const again = await grants.authorizeOAuth1(APP, ALICE);
    expect(again).toMatchObject({ grants: ['basic', 'editpage', 'privateinfo'], oauthVersion: 1 });
  });

  it('rebuilds the scopes of an existing authorization, email only behind the private-info gate', async () => {
    const { grants } = setUp();
    expect(await grants.existingScopes(APP, ALICE)).toBeUndefined();
    await grants.consent(APP, ALICE, ['editpage']);
    expect(await grants.existingScopes(APP, ALICE)).toEqual(['openid', 'profile', 'basic', 'editpage']);
    await grants.consent(APP, ALICE, ['privateinfo']);
    expect(await grants.existingScopes(APP, ALICE)).toEqual(['openid', 'profile', 'email', 'basic', 'privateinfo']);
  });

  it('saves a provider Grant under the authorization of its client and registers its access tokens there, with no state of its own', async () => {
    const { grants, grantRecords, accessTokens } = setUp();
    await expect(grants.saveGrant('g1', APP.key, ALICE, { scope: 'openid' }, 60)).rejects.toMatchObject({ code: 'not_authorized' });
    const authorization = await grants.consent(APP, ALICE, ['openid']);
    await grants.saveGrant('g1', APP.key, ALICE, { scope: 'openid' }, 60);
    expect(grantRecords.rows.get('g1')?.acceptanceId).toBe(authorization.id);
    expect(await grants.findGrant('g1')).toEqual({ scope: 'openid' });

    // A second service over the same stores (another request, another instance) finds the link.
    const other = new GrantService({ authorizations: new MemoryAuthorizations(), grantRecords, accessTokens, consumers: { get: async () => undefined } });
    await other.registerAccessToken('at1', { grantId: 'g1' }, 1_900_000_000);
    await other.registerAccessToken('cc1', { clientId: APP.key }, undefined);
    await other.registerAccessToken('orphan', { grantId: 'gone' }, undefined);
    expect(Object.fromEntries(accessTokens.rows)).toEqual({
      at1: { expiresAt: 1_900_000_000, acceptanceId: authorization.id },
      cc1: { expiresAt: undefined, acceptanceId: 0 },
      orphan: { expiresAt: undefined, acceptanceId: 0 },
    });
    expect(await grants.acceptanceOfGrant('g1')).toBe(authorization.id);
    await grants.destroyGrant('g1');
    expect([await grants.acceptanceOfGrant('g1'), await grants.findGrant('g1')]).toEqual([undefined, undefined]);
  });

  it('registers an owner-only consumer\'s client_credentials token under its owner\'s authorization', async () => {
    const owned = { ...APP, key: 'b'.repeat(32), id: 9, ownerId: ALICE, ownerOnly: true } as Consumer;
    const authorizations = new MemoryAuthorizations();
    const accessTokens = new MemoryAccessTokens();
    const grants = new GrantService({ authorizations, grantRecords: new MemoryGrantRecords(), accessTokens, consumers: { get: async (key) => [APP, owned].find((c) => c.key === key) } });
    const ownerAuthorization = await grants.authorizeOAuth1(owned, ALICE);
    await grants.registerAccessToken('owner', { clientId: owned.key }, undefined);
    await grants.registerAccessToken('machine', { clientId: APP.key }, undefined);
    expect([accessTokens.rows.get('owner')?.acceptanceId, accessTokens.rows.get('machine')?.acceptanceId]).toEqual([ownerAuthorization.id, 0]);
  });

  it('a password change revokes every authorization of the user', async () => {
    const { grants, authorizations } = setUp();
    await grants.consent(APP, ALICE, ['openid']);
    await grants.authorizeOAuth1({ ...APP, id: 8 } as Consumer, ALICE);
    await grants.consent(APP, ALICE + 1, ['openid']);
    expect(await grants.passwordChanged(ALICE)).toBe(2);
    expect(authorizations.rows.map((a) => a.userId)).toEqual([ALICE + 1]);
  });

  it('throws DomainErrors, for the adapter to word', async () => {
    const { grants } = setUp();
    await expect(grants.saveGrant('g', 'unknown', ALICE, {}, undefined)).rejects.toBeInstanceOf(DomainError);
  });
});
