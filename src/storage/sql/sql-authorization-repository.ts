import type { Knex } from 'knex';
import type { Authorization, AuthorizationRepository } from '../../domain/grants/authorization.js';
import { fromStoredGrantNames, toStoredGrantNames } from '../../domain/grants/catalogue.js';
import { toMwTimestamp } from '../../domain/mw-timestamp.js';
import { generateHex32 } from '../../domain/random.js';
import { decodeStoredList } from './stored-json.js';

type Row = Record<string, any>;

/** `oauth_accepted_consumer` and everything durable that hangs off a row. */
export class SqlAuthorizationRepository implements AuthorizationRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async findById(id: number): Promise<Authorization | undefined> {
    const row = await this.#db('oauth_accepted_consumer').where('oaac_id', id).first();
    return row && toAuthorization(row);
  }

  async findByAccessToken(token: string): Promise<Authorization | undefined> {
    const row = await this.#db('oauth_accepted_consumer').where('oaac_access_token', token).first();
    return row && toAuthorization(row);
  }

  async find(userId: number, consumerId: number, wiki: string): Promise<Authorization | undefined> {
    const row = await this.#db('oauth_accepted_consumer')
      .where({ oaac_user_id: userId, oaac_consumer_id: consumerId, oaac_wiki: wiki })
      .first();
    return row && toAuthorization(row);
  }

  async listByUser(userId: number): Promise<Authorization[]> {
    const rows = await this.#db('oauth_accepted_consumer').where('oaac_user_id', userId).orderBy('oaac_id', 'desc');
    return rows.map(toAuthorization);
  }

  async countByConsumer(consumerId: number): Promise<number> {
    const [{ total }] = (await this.#db('oauth_accepted_consumer').where('oaac_consumer_id', consumerId).count({ total: '*' })) as [{ total: number | string }];
    return Number(total);
  }

  async upsert(input: Omit<Authorization, 'id' | 'accessToken' | 'accessSecret' | 'accepted'>, opts: { renewCredentials?: boolean } = {}): Promise<Authorization> {
    const credentials = { oaac_access_token: generateHex32(), oaac_access_secret: generateHex32() };
    const grants = { oaac_grants: JSON.stringify(toStoredGrantNames(input.grants)), oaac_oauth_version: input.oauthVersion };
    await this.#db('oauth_accepted_consumer')
      .insert({ oaac_wiki: input.wiki, oaac_user_id: input.userId, oaac_consumer_id: input.consumerId, ...credentials, ...grants, oaac_accepted: toMwTimestamp() })
      .onConflict(['oaac_user_id', 'oaac_consumer_id', 'oaac_wiki'])
      .merge(opts.renewCredentials ? { ...credentials, ...grants } : grants);
    return (await this.find(input.userId, input.consumerId, input.wiki))!;
  }

  async delete(where: { id?: number; userId?: number; consumerId?: number }): Promise<{ count: number; grantIds: string[] }> {
    if (where.id === undefined && where.userId === undefined && where.consumerId === undefined) {
      throw new TypeError('delete needs a condition');
    }
    return this.#db.transaction(async (trx) => {
      const q = trx('oauth_accepted_consumer');
      if (where.id !== undefined) q.where('oaac_id', where.id);
      if (where.userId !== undefined) q.where('oaac_user_id', where.userId);
      if (where.consumerId !== undefined) q.where('oaac_consumer_id', where.consumerId);
      const ids = (await q.clone().select('oaac_id')).map((r: Row) => Number(r.oaac_id));
      if (!ids.length) return { count: 0, grantIds: [] };
      const grantIds = (await trx('wikiauth_grant').whereIn('wg_acceptance_id', ids).select('wg_id')).map((r: Row) => String(r.wg_id));
      if (grantIds.length) {
        await trx('wikiauth_artifact').whereIn('wa_grant_id', grantIds).delete();
        await trx('wikiauth_grant').whereIn('wg_id', grantIds).delete();
      }
      // Marked revoked rather than deleted (either means revoked to MediaWiki): the row records that
      // the token existed and why it stopped working (docs/mediawiki-compat.md "Access tokens").
      await trx('oauth2_access_tokens').whereIn('oaat_acceptance_id', ids).update({ oaat_revoked: 1 });
      await trx('oauth_accepted_consumer').whereIn('oaac_id', ids).delete();
      return { count: ids.length, grantIds };
    });
  }
}

function toAuthorization(row: Row): Authorization {
  return {
    id: Number(row.oaac_id),
    wiki: row.oaac_wiki,
    userId: Number(row.oaac_user_id),
    consumerId: Number(row.oaac_consumer_id),
    accessToken: row.oaac_access_token,
    accessSecret: row.oaac_access_secret,
    grants: fromStoredGrantNames(decodeStoredList(row.oaac_grants)),
    accepted: row.oaac_accepted,
    oauthVersion: Number(row.oaac_oauth_version) === 2 ? 2 : 1,
  };
}
