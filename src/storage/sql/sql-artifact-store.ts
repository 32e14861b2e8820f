import type { Knex } from 'knex';
import type { ArtifactIndex } from '../../domain/artifacts/provider-artifacts.js';
import type { ArtifactTable } from '../artifact-table.js';

const now = () => Math.floor(Date.now() / 1000);

/** `wikiauth_artifact`: short-lived artifacts in SQL, for embedded mode or without Redis. */
export class SqlArtifactStore implements ArtifactTable {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async upsert(model: string, id: string, payload: object, expiresIn: number | undefined, index: ArtifactIndex = {}): Promise<void> {
    const values = {
      wa_payload: JSON.stringify(payload),
      wa_grant_id: index.grantId ?? null,
      wa_uid: index.uid ?? null,
      wa_user_code: index.userCode ?? null,
      wa_expires: expiresIn === undefined ? null : now() + expiresIn,
      wa_consumed: null,
    };
    await this.#db('wikiauth_artifact').insert({ wa_model: model, wa_id: id, ...values }).onConflict(['wa_model', 'wa_id']).merge(values);
  }

  find(model: string, id: string) {
    return this.#findWhere(model, 'wa_id', id);
  }

  findByUid(model: string, uid: string) {
    return this.#findWhere(model, 'wa_uid', uid);
  }

  findByUserCode(model: string, userCode: string) {
    return this.#findWhere(model, 'wa_user_code', userCode);
  }

  async #findWhere(model: string, column: string, value: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.#db('wikiauth_artifact')
      .where({ wa_model: model, [column]: value })
      .andWhere((q) => q.whereNull('wa_expires').orWhere('wa_expires', '>', now()))
      .first('wa_payload', 'wa_consumed');
    if (!row) return undefined;
    const payload = JSON.parse(row.wa_payload) as Record<string, unknown>;
    return row.wa_consumed === null ? payload : { ...payload, consumed: Number(row.wa_consumed) };
  }

  async consume(model: string, id: string): Promise<boolean> {
    // One conditional update: of concurrent callers exactly one sees a changed row (docs/architecture.md §3).
    const changed = await this.#db('wikiauth_artifact')
      .where({ wa_model: model, wa_id: id })
      .whereNull('wa_consumed')
      .update({ wa_consumed: now() });
    return changed === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#db('wikiauth_artifact').where({ wa_model: model, wa_id: id }).delete();
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    await this.#db('wikiauth_artifact').where({ wa_model: model, wa_grant_id: grantId }).delete();
  }

  async idsByGrantId(model: string, grantId: string): Promise<string[]> {
    const ids: unknown[] = await this.#db('wikiauth_artifact').where({ wa_model: model, wa_grant_id: grantId }).pluck('wa_id');
    return ids.map(String);
  }

  async addOnce(model: string, id: string, expiresIn: number): Promise<boolean> {
    // An expired leftover must not block a new entry.
    await this.#db('wikiauth_artifact').where({ wa_model: model, wa_id: id }).where('wa_expires', '<=', now()).delete();
    try {
      await this.#db('wikiauth_artifact').insert({ wa_model: model, wa_id: id, wa_payload: '{}', wa_expires: now() + expiresIn });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async increment(model: string, id: string, windowSeconds: number): Promise<number> {
    // Compare-and-set instead of a locking transaction: SELECT … FOR UPDATE on a missing row
    // deadlocks on MariaDB (gap locks) and SQLite answers SQLITE_BUSY to a read lock upgraded to a
    // write, as soon as two connections count the same key.
    const key = { wa_model: model, wa_id: id };
    for (;;) {
      const row = await this.#db('wikiauth_artifact').where(key).first('wa_payload', 'wa_expires');
      if (row && (row.wa_expires === null || Number(row.wa_expires) > now())) {
        const count = Number(JSON.parse(row.wa_payload).count ?? 0) + 1;
        const changed = await this.#db('wikiauth_artifact')
          .where({ ...key, wa_payload: row.wa_payload })
          .update({ wa_payload: JSON.stringify({ count }) });
        if (changed === 1) return count;
        continue;
      }
      if (row) await this.#db('wikiauth_artifact').where(key).where('wa_expires', '<=', now()).delete();
      try {
        await this.#db('wikiauth_artifact').insert({ ...key, wa_payload: JSON.stringify({ count: 1 }), wa_expires: now() + windowSeconds });
        return 1;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  }

  async decrement(model: string, id: string): Promise<void> {
    const key = { wa_model: model, wa_id: id };
    for (;;) {
      const row = await this.#db('wikiauth_artifact').where(key).first('wa_payload', 'wa_expires');
      if (!row || (row.wa_expires !== null && Number(row.wa_expires) <= now())) return;
      const count = Number(JSON.parse(row.wa_payload).count ?? 0);
      if (count <= 0) return;
      const changed = await this.#db('wikiauth_artifact')
        .where({ ...key, wa_payload: row.wa_payload })
        .update({ wa_payload: JSON.stringify({ count: count - 1 }) });
      if (changed === 1) return;
    }
  }

  async collectGarbage(): Promise<number> {
    return this.#db('wikiauth_artifact').whereNotNull('wa_expires').where('wa_expires', '<=', now()).delete();
  }
}

export function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
