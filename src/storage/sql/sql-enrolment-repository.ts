import type { Knex } from 'knex';
import type { Enrolment, EnrolmentRepository } from '../../domain/accounts/two-factor-service.js';
import { formatOathData, parseOathData, type OathKey } from '../../domain/accounts/two-factor.js';
import { toMwTimestamp } from '../../domain/mw-timestamp.js';
import { realTableName } from './table-prefix.js';

/**
 * Which of Extension:OATHAuth's layouts holds enrolments (docs/sign-in.md, "Two-factor
 * authentication"): `users` = `oathauth_users` (one row per user, ≤ 1.40), `devices` =
 * `oathauth_types` + `oathauth_devices` (a row per device, 1.41+).
 */
export type EnrolmentLayout = 'users' | 'devices';

/** `oathauth_devices` wins where both exist: OATHAuth 1.41's updater moves the old rows there. */
export async function enrolmentLayout(db: Knex): Promise<EnrolmentLayout> {
  return (await db.schema.hasTable(realTableName(db, 'oathauth_devices'))) ? 'devices' : 'users';
}

const TOTP = 'totp';

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');
}

/** Enrolments in `oathauth_users`: `id` = user id, `module` = `totp`, `data` = `{"keys":[…]}`. */
export class SqlUsersEnrolmentRepository implements EnrolmentRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async find(userId: number): Promise<Enrolment | undefined> {
    const row = (await this.#db('oathauth_users').where('id', userId).first('module', 'data')) as { module: unknown; data: unknown } | undefined;
    if (!row) return undefined;
    const data = text(row.data);
    return { userId, key: text(row.module) === TOTP ? parseOathData(data) : undefined, revision: `${text(row.module)}\n${data}` };
  }

  async save(userId: number, key: OathKey): Promise<void> {
    await this.#db('oathauth_users').insert({ id: userId, module: TOTP, data: formatOathData(key) }).onConflict('id').merge(['module', 'data']);
  }

  async replace(previous: Enrolment, key: OathKey): Promise<boolean> {
    const [module, ...rest] = previous.revision.split('\n');
    const changed = await this.#db('oathauth_users')
      .where({ id: previous.userId, module, data: rest.join('\n') })
      .update({ data: formatOathData(key) });
    return changed === 1;
  }

  async delete(userId: number): Promise<boolean> {
    return (await this.#db('oathauth_users').where('id', userId).delete()) > 0;
  }
}

/**
 * Enrolments in `oathauth_devices` (OATHAuth 1.41+): the user's `totp` device, `oad_data` =
 * `{"secret":…,"scratch_tokens":[…]}`. A device of another type, or an encrypted secret (1.45+), makes
 * the user enrolled but not checkable here.
 */
export class SqlDevicesEnrolmentRepository implements EnrolmentRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async find(userId: number): Promise<Enrolment | undefined> {
    const rows = (await this.#db('oathauth_devices as d')
      .leftJoin('oathauth_types as t', 't.oat_id', 'd.oad_type')
      .where('d.oad_user', userId)
      .orderBy('d.oad_id')
      .select('d.oad_id', 't.oat_name', 'd.oad_data')) as Array<{ oad_id: number; oat_name: unknown; oad_data: unknown }>;
    if (rows.length === 0) return undefined;
    const totp = rows.find((row) => text(row.oat_name) === TOTP);
    if (!totp) return { userId, key: undefined, revision: '' };
    const data = text(totp.oad_data);
    return { userId, key: parseDeviceData(data), revision: `${totp.oad_id}\n${data}` };
  }

  async save(userId: number, key: OathKey): Promise<void> {
    await this.#db.transaction(async (trx) => {
      const type = await totpTypeId(trx);
      await trx('oathauth_devices').where({ oad_user: userId, oad_type: type }).delete();
      await trx('oathauth_devices').insert({ oad_user: userId, oad_type: type, oad_name: null, oad_created: toMwTimestamp(), oad_data: formatDeviceData(key) });
    });
  }

  async replace(previous: Enrolment, key: OathKey): Promise<boolean> {
    const [id, ...rest] = previous.revision.split('\n');
    if (!id) return false;
    const changed = await this.#db('oathauth_devices')
      .where({ oad_id: Number(id), oad_user: previous.userId, oad_data: rest.join('\n') })
      .update({ oad_data: formatDeviceData(key) });
    return changed === 1;
  }

  /**
   * Every device of the user, as OATHAuth's own disabling removes them: `find` counts any device as
   * an enrolment, so leaving a non-TOTP one behind would keep the user enrolled with no code to pass.
   */
  async delete(userId: number): Promise<boolean> {
    return (await this.#db('oathauth_devices').where({ oad_user: userId }).delete()) > 0;
  }
}

/** OATHAuth adds a module's type row on first use; so do we. */
async function totpTypeId(trx: Knex.Transaction): Promise<number> {
  const found = (await trx('oathauth_types').where('oat_name', TOTP).first('oat_id')) as { oat_id: number } | undefined;
  if (found) return Number(found.oat_id);
  const [id] = await trx('oathauth_types').insert({ oat_name: TOTP });
  return Number(id);
}

/** A device's data is one key without the `keys` wrapper; `format: encrypted` cannot be read without OATHAuth's key. */
function parseDeviceData(data: string): OathKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format === 'encrypted') return undefined;
  return parseOathData(JSON.stringify({ keys: [parsed] }));
}

function formatDeviceData(key: OathKey): string {
  return JSON.stringify({ secret: key.secret, scratch_tokens: [...key.scratchTokens] });
}

export function sqlEnrolmentRepository(db: Knex, layout: EnrolmentLayout): EnrolmentRepository {
  return layout === 'devices' ? new SqlDevicesEnrolmentRepository(db) : new SqlUsersEnrolmentRepository(db);
}
