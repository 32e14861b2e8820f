import type { Knex } from 'knex';
import type { KeyRepository, KeyUse, StoredKey } from '../../domain/keys/key.js';

export class SqlKeyRepository implements KeyRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async list(use?: KeyUse): Promise<StoredKey[]> {
    const q = this.#db('wikiauth_key').orderBy('wk_id', 'asc');
    if (use) q.where('wk_use', use);
    return (await q).map((r: Record<string, any>) => ({
      kid: r.wk_kid,
      use: r.wk_use,
      alg: r.wk_alg,
      publicJwk: r.wk_public,
      encryptedPrivate: r.wk_private,
      created: r.wk_created,
      activated: r.wk_activated,
      retired: r.wk_retired,
    }));
  }

  async insert(key: StoredKey): Promise<void> {
    await this.#db('wikiauth_key').insert({
      wk_kid: key.kid,
      wk_use: key.use,
      wk_alg: key.alg,
      wk_public: key.publicJwk,
      wk_private: key.encryptedPrivate,
      wk_created: key.created,
      wk_activated: key.activated,
      wk_retired: key.retired,
    });
  }

  async setActivated(kid: string, activated: string): Promise<void> {
    await this.#db('wikiauth_key').where('wk_kid', kid).update({ wk_activated: activated });
  }

  async setRetired(kid: string, retired: string): Promise<void> {
    await this.#db('wikiauth_key').where('wk_kid', kid).update({ wk_retired: retired });
  }
}
