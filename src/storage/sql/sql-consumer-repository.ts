import type { Knex } from 'knex';
import {
  STAGES,
  STAGE_NUMBER,
  type Consumer,
  type ConsumerChanges,
  type ConsumerQuery,
  type ConsumerRepository,
  type NewConsumer,
  type OAuth2GrantType,
} from '../../domain/consumers/consumer.js';
import { fromStoredGrantNames, toStoredGrantNames } from '../../domain/grants/catalogue.js';
import { decodeStoredList, decodeStoredObject } from './stored-json.js';

type Row = Record<string, any>;

/** `oauth_registered_consumer` + `wikiauth_consumer_meta`, in MediaWiki's encodings. */
export class SqlConsumerRepository implements ConsumerRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  #select() {
    return this.#db('oauth_registered_consumer as c')
      .leftJoin('wikiauth_consumer_meta as m', 'm.wcm_consumer_id', 'c.oarc_id')
      .select('c.*', 'm.wcm_metadata', 'm.wcm_trusted', 'm.wcm_two_factor');
  }

  async findByKey(key: string): Promise<Consumer | undefined> {
    const row = await this.#select().where('c.oarc_consumer_key', key).first();
    return row && toConsumer(row);
  }

  async findById(id: number): Promise<Consumer | undefined> {
    const row = await this.#select().where('c.oarc_id', id).first();
    return row && toConsumer(row);
  }

  async latestVersion(name: string, ownerId: number): Promise<string | undefined> {
    const row = await this.#db('oauth_registered_consumer')
      .where({ oarc_name: name, oarc_user_id: ownerId })
      .orderBy([{ column: 'oarc_registration', order: 'desc' }, { column: 'oarc_id', order: 'desc' }])
      .first('oarc_version');
    return row?.oarc_version;
  }

  async create(consumer: NewConsumer): Promise<Consumer> {
    const id = await this.#db.transaction(async (trx) => {
      const [inserted] = await trx('oauth_registered_consumer').insert(toRow(consumer));
      await trx('wikiauth_consumer_meta').insert({ wcm_consumer_id: inserted, wcm_metadata: JSON.stringify(consumer.metadata), wcm_trusted: Number(consumer.trusted ?? false), wcm_two_factor: Number(consumer.requireTwoFactor ?? false) });
      return Number(inserted);
    });
    return (await this.findById(id))!;
  }

  async update(id: number, changes: ConsumerChanges): Promise<void> {
    const { metadata, trusted, requireTwoFactor, ...columns } = changes;
    await this.#db.transaction(async (trx) => {
      const row = toRow(columns);
      if (Object.keys(row).length) await trx('oauth_registered_consumer').where('oarc_id', id).update(row);
      if (metadata) {
        await trx('wikiauth_consumer_meta')
          .insert({ wcm_consumer_id: id, wcm_metadata: JSON.stringify(metadata) })
          .onConflict('wcm_consumer_id')
          .merge(['wcm_metadata']);
      }
      if (trusted !== undefined) {
        // A consumer the wiki registered has no meta row yet.
        await trx('wikiauth_consumer_meta')
          .insert({ wcm_consumer_id: id, wcm_metadata: '{}', wcm_trusted: Number(trusted) })
          .onConflict('wcm_consumer_id')
          .merge(['wcm_trusted']);
      }
      if (requireTwoFactor !== undefined) {
        await trx('wikiauth_consumer_meta')
          .insert({ wcm_consumer_id: id, wcm_metadata: '{}', wcm_two_factor: Number(requireTwoFactor) })
          .onConflict('wcm_consumer_id')
          .merge(['wcm_two_factor']);
      }
    });
  }

  async updateIf(id: number, expected: ConsumerChanges, changes: ConsumerChanges): Promise<boolean> {
    const { metadata: _ignored, trusted: _alsoIgnored, requireTwoFactor: _meta, ...columns } = changes;
    const query = this.#db('oauth_registered_consumer').where('oarc_id', id);
    for (const [column, value] of Object.entries(toRow(expected))) {
      if (value === null) query.whereNull(column);
      else query.where(column, value);
    }
    return (await query.update(toRow(columns))) === 1;
  }

  async delete(id: number): Promise<void> {
    await this.#db.transaction(async (trx) => {
      await trx('wikiauth_consumer_meta').where('wcm_consumer_id', id).delete();
      await trx('oauth_registered_consumer').where('oarc_id', id).delete();
    });
  }

  async list(query: ConsumerQuery): Promise<{ consumers: Consumer[]; total: number }> {
    const filter = (q: Knex.QueryBuilder) => {
      if (query.ownerId !== undefined) q.where('c.oarc_user_id', query.ownerId);
      if (query.stage !== undefined) q.where('c.oarc_stage', STAGE_NUMBER[query.stage]);
      if (query.name !== undefined) q.where('c.oarc_name', query.name);
      if (query.oauthVersion !== undefined) q.where('c.oarc_oauth_version', query.oauthVersion);
      if (query.stageTimestampBefore !== undefined) q.where('c.oarc_stage_timestamp', '<', query.stageTimestampBefore);
      if (!query.includeDeleted) q.where('c.oarc_deleted', 0);
      return q;
    };
    const [{ total }] = (await filter(this.#db('oauth_registered_consumer as c')).count({ total: '*' })) as [{ total: number | string }];
    const rows = await filter(this.#select())
      .orderBy(query.order === 'id' ? [{ column: 'c.oarc_id', order: 'desc' }] : [{ column: 'c.oarc_stage_timestamp', order: 'desc' }, { column: 'c.oarc_id', order: 'desc' }])
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0);
    return { consumers: rows.map(toConsumer), total: Number(total) };
  }
}

function toRow(c: Partial<NewConsumer>): Row {
  const row: Row = {};
  const set = (column: string, value: unknown) => {
    if (value !== undefined) row[column] = value;
  };
  set('oarc_consumer_key', c.key);
  set('oarc_name', c.name);
  set('oarc_user_id', c.ownerId);
  set('oarc_version', c.version);
  set('oarc_callback_url', c.callbackUrl);
  // TINYBLOB boolean: '1' or '' (MediaWiki writes PHP's (string) of a bool).
  set('oarc_callback_is_prefix', c.callbackIsPrefix === undefined ? undefined : c.callbackIsPrefix ? '1' : '');
  set('oarc_description', c.description);
  set('oarc_email', c.email);
  set('oarc_email_authenticated', c.emailAuthenticated);
  set('oarc_developer_agreement', c.developerAgreement === undefined ? undefined : Number(c.developerAgreement));
  set('oarc_owner_only', c.ownerOnly === undefined ? undefined : Number(c.ownerOnly));
  set('oarc_wiki', c.wiki);
  set('oarc_grants', c.grants && JSON.stringify(toStoredGrantNames(c.grants)));
  set('oarc_registration', c.registration);
  set('oarc_secret_key', c.secretKey);
  set('oarc_rsa_key', c.rsaKey);
  set('oarc_restrictions', c.restrictions);
  set('oarc_stage', c.stage && STAGE_NUMBER[c.stage]);
  set('oarc_stage_timestamp', c.stageTimestamp);
  set('oarc_deleted', c.deleted === undefined ? undefined : Number(c.deleted));
  set('oarc_oauth_version', c.oauthVersion);
  set('oarc_oauth2_allowed_grants', c.oauth2AllowedGrants && JSON.stringify(c.oauth2AllowedGrants));
  set('oarc_oauth2_is_confidential', c.oauth2IsConfidential === undefined ? undefined : Number(c.oauth2IsConfidential));
  return row;
}

function toConsumer(row: Row): Consumer {
  return {
    id: Number(row.oarc_id),
    key: row.oarc_consumer_key,
    name: row.oarc_name ?? '',
    ownerId: Number(row.oarc_user_id),
    version: row.oarc_version ?? '',
    callbackUrl: row.oarc_callback_url ?? '',
    callbackIsPrefix: String(row.oarc_callback_is_prefix ?? '') === '1',
    description: row.oarc_description ?? '',
    email: row.oarc_email ?? '',
    emailAuthenticated: row.oarc_email_authenticated,
    developerAgreement: Number(row.oarc_developer_agreement) === 1,
    ownerOnly: Number(row.oarc_owner_only) === 1,
    wiki: row.oarc_wiki || '*',
    grants: fromStoredGrantNames(decodeStoredList(row.oarc_grants)),
    registration: row.oarc_registration,
    secretKey: row.oarc_secret_key,
    rsaKey: row.oarc_rsa_key,
    restrictions: row.oarc_restrictions ?? '',
    stage: STAGES[Number(row.oarc_stage)] ?? 'disabled',
    stageTimestamp: row.oarc_stage_timestamp,
    deleted: Number(row.oarc_deleted) === 1,
    oauthVersion: Number(row.oarc_oauth_version) === 2 ? 2 : 1,
    oauth2AllowedGrants: decodeStoredList(row.oarc_oauth2_allowed_grants) as OAuth2GrantType[],
    oauth2IsConfidential: Number(row.oarc_oauth2_is_confidential) === 1,
    metadata: decodeStoredObject(row.wcm_metadata),
    trusted: Number(row.wcm_trusted) === 1,
    requireTwoFactor: Number(row.wcm_two_factor) === 1,
  };
}
