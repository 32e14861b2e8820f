import type { Knex } from 'knex';
import type { Account, AccountBlock, AccountRepository, NewAccount } from '../../domain/accounts/account.js';
import { toMwTimestamp } from '../../domain/mw-timestamp.js';

interface UserRow {
  user_id: number;
  user_name: string;
  user_real_name: string;
  user_password: string;
  user_email: string;
  user_email_authenticated: string | null;
  user_registration: string | null;
  user_editcount: number | null;
  user_touched: string;
  user_is_temp: number;
}

export class SqlAccountRepository implements AccountRepository {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async findById(id: number): Promise<Account | undefined> {
    const row = await this.#db<UserRow>('user').where('user_id', id).first();
    return row && toAccount(row);
  }

  async findByName(name: string): Promise<Account | undefined> {
    const row = await this.#db<UserRow>('user').where('user_name', name).first();
    return row && toAccount(row);
  }

  async create(account: NewAccount): Promise<Account> {
    const now = toMwTimestamp();
    const [id] = await this.#db('user').insert({
      user_name: account.name,
      user_real_name: account.realName,
      user_password: account.passwordHash,
      user_newpassword: '',
      user_email: account.email,
      user_email_authenticated: account.emailAuthenticated,
      user_touched: now,
      user_token: '',
      user_registration: now,
      user_editcount: 0,
      user_is_temp: 0,
    });
    return (await this.findById(Number(id)))!;
  }

  async setPassword(id: number, passwordHash: string): Promise<void> {
    await this.#db('user').where('user_id', id).update({ user_password: passwordHash, user_touched: toMwTimestamp() });
  }

  async setEmail(id: number, email: string, authenticated: string | null): Promise<void> {
    await this.#db('user').where('user_id', id).update({ user_email: email, user_email_authenticated: authenticated, user_touched: toMwTimestamp() });
  }

  async groups(id: number): Promise<string[]> {
    const now = toMwTimestamp();
    const rows = await this.#db('user_groups')
      .where('ug_user', id)
      .andWhere((q) => q.whereNull('ug_expiry').orWhere('ug_expiry', '>', now))
      .select<{ ug_group: string }[]>('ug_group');
    return rows.map((r) => r.ug_group);
  }

  async addGroups(id: number, groups: readonly string[]): Promise<void> {
    if (!groups.length) return;
    await this.#db('user_groups')
      .insert(groups.map((g) => ({ ug_user: id, ug_group: g, ug_expiry: null })))
      .onConflict(['ug_user', 'ug_group'])
      .ignore();
  }

  async findBlock(id: number): Promise<AccountBlock | undefined> {
    const row = await this.#db('wikiauth_user_block').where('wub_user', id).first();
    return row && { userId: row.wub_user, by: row.wub_by, reason: row.wub_reason, timestamp: row.wub_timestamp, expiry: row.wub_expiry };
  }

  async putBlock(block: AccountBlock): Promise<void> {
    await this.#db('wikiauth_user_block')
      .insert({ wub_user: block.userId, wub_by: block.by, wub_reason: block.reason, wub_timestamp: block.timestamp, wub_expiry: block.expiry })
      .onConflict('wub_user')
      .merge();
  }

  async removeBlock(id: number): Promise<boolean> {
    return (await this.#db('wikiauth_user_block').where('wub_user', id).delete()) > 0;
  }
}

function toAccount(row: UserRow): Account {
  return {
    id: Number(row.user_id),
    name: row.user_name,
    realName: row.user_real_name,
    email: row.user_email,
    emailAuthenticated: row.user_email_authenticated,
    registration: row.user_registration,
    editCount: Number(row.user_editcount ?? 0),
    touched: row.user_touched,
    passwordHash: row.user_password,
    isTemp: Number(row.user_is_temp) === 1,
  };
}
