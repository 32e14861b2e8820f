import type { Knex } from 'knex';
import type { AccessTokenRegistry, GrantRecordRepository, RegisteredAccessToken } from '../../domain/grants/access-token-registry.js';
import { INFINITY, toMwTimestamp } from '../../domain/mw-timestamp.js';

export class SqlAccessTokenRegistry implements AccessTokenRegistry {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async register(identifier: string, expiresAt: number | undefined, acceptanceId: number): Promise<void> {
    const values = { oaat_expires: expiresAt === undefined ? INFINITY : toMwTimestamp(new Date(expiresAt * 1000)), oaat_acceptance_id: acceptanceId, oaat_revoked: 0 };
    await this.#db('oauth2_access_tokens').insert({ oaat_identifier: identifier, ...values }).onConflict('oaat_identifier').merge(values);
  }

  async find(identifier: string): Promise<RegisteredAccessToken | undefined> {
    const row = await this.#db('oauth2_access_tokens').where('oaat_identifier', identifier).first('oaat_acceptance_id', 'oaat_revoked');
    return row && { acceptanceId: Number(row.oaat_acceptance_id), revoked: Number(row.oaat_revoked) !== 0 };
  }

  async revoke(identifier: string): Promise<void> {
    await this.#db('oauth2_access_tokens').where('oaat_identifier', identifier).update({ oaat_revoked: 1 });
  }

  async revokeAll(identifiers: readonly string[]): Promise<void> {
    if (identifiers.length) await this.#db('oauth2_access_tokens').whereIn('oaat_identifier', identifiers).update({ oaat_revoked: 1 });
  }

  async revokeByAcceptance(acceptanceId: number): Promise<void> {
    await this.#db('oauth2_access_tokens').where('oaat_acceptance_id', acceptanceId).update({ oaat_revoked: 1 });
  }

  /** Expired rows (MediaWiki keeps them; we drop them with the artifacts they describe). */
  async collectGarbage(): Promise<number> {
    return this.#db('oauth2_access_tokens').whereNot('oaat_expires', INFINITY).where('oaat_expires', '<', toMwTimestamp()).delete();
  }
}

export class SqlGrantRecordRepository implements GrantRecordRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async save(id: string, acceptanceId: number, payload: object, expiresAt: number | undefined): Promise<void> {
    const values = { wg_acceptance_id: acceptanceId, wg_payload: JSON.stringify(payload), wg_expires: expiresAt ?? null };
    await this.#db('wikiauth_grant').insert({ wg_id: id, ...values }).onConflict('wg_id').merge(values);
  }

  async find(id: string): Promise<{ payload: Record<string, unknown>; acceptanceId: number } | undefined> {
    const row = await this.#db('wikiauth_grant')
      .where('wg_id', id)
      .andWhere((q) => q.whereNull('wg_expires').orWhere('wg_expires', '>', Math.floor(Date.now() / 1000)))
      .first('wg_payload', 'wg_acceptance_id');
    return row && { payload: JSON.parse(row.wg_payload), acceptanceId: Number(row.wg_acceptance_id) };
  }

  async destroy(id: string): Promise<void> {
    await this.#db('wikiauth_grant').where('wg_id', id).delete();
  }

  async collectGarbage(): Promise<number> {
    return this.#db('wikiauth_grant').whereNotNull('wg_expires').where('wg_expires', '<=', Math.floor(Date.now() / 1000)).delete();
  }
}
