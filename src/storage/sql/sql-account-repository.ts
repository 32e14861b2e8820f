import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Account, AccountBlock, AccountRepository, NewAccount, NewBlock } from '../../domain/accounts/account.js';
import { DomainError } from '../../domain/errors.js';
import { INFINITY, toMwTimestamp } from '../../domain/mw-timestamp.js';
import { STANDALONE_SCHEMA, type MediaWikiSchema } from './mediawiki-schema.js';

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
  user_is_temp?: number;
}

interface BlockRow {
  id: number;
  expiry: string;
  sitewide: number;
  deleted: number;
  timestamp: string;
  reason: string | null;
  createAccount: number;
  byUser: number | null;
  byName: string | null;
}

/**
 * Accounts in MediaWiki's `user` and `user_groups`, on wikiauth's standalone schema or a wiki's
 * own tables (`schema` says which shapes exist: mediawiki-schema.ts).
 */
export class SqlAccountRepository implements AccountRepository {
  readonly #db: Knex;
  readonly #schema: MediaWikiSchema;

  constructor(db: Knex, schema: MediaWikiSchema = STANDALONE_SCHEMA) {
    this.#db = db;
    this.#schema = schema;
  }

  async findById(id: number): Promise<Account | undefined> {
    const row = await this.#db<UserRow>('user').where('user_id', id).first();
    return row && toAccount(row);
  }

  async findByName(name: string): Promise<Account | undefined> {
    const row = await this.#db<UserRow>('user').where('user_name', name).first();
    return row && toAccount(row);
  }

  /**
   * User::addToDatabase: the row, and on MediaWiki 1.35+ its `actor` row in the same transaction
   * (MediaWiki looks users up by actor for logs and edits). A wiki's users get a random
   * `user_token`, the secret behind its session and remember-me cookies.
   */
  async create(account: NewAccount): Promise<Account> {
    const now = toMwTimestamp();
    const id = await this.#db.transaction(async (trx) => {
      const [inserted] = await trx('user').insert({
        user_name: account.name,
        user_real_name: account.realName,
        user_password: account.passwordHash,
        user_newpassword: '',
        user_email: account.email,
        user_email_authenticated: account.emailAuthenticated,
        user_touched: now,
        user_token: this.#schema.wiki ? randomBytes(16).toString('hex') : '',
        user_registration: now,
        user_editcount: 0,
        ...(this.#schema.userIsTemp ? { user_is_temp: 0 } : {}),
      });
      if (this.#schema.actor) await trx('actor').insert({ actor_user: Number(inserted), actor_name: account.name });
      return Number(inserted);
    });
    return (await this.findById(id))!;
  }

  async setPassword(id: number, passwordHash: string): Promise<void> {
    await this.#db('user').where('user_id', id).update({ user_password: passwordHash, user_touched: toMwTimestamp() });
  }

  async setEmail(id: number, email: string, authenticated: string | null): Promise<void> {
    await this.#db('user').where('user_id', id).update({ user_email: email, user_email_authenticated: authenticated, user_touched: toMwTimestamp() });
  }

  /** Unexpired memberships (`ug_expiry` NULL = permanent, else TS_MW; past ones are ignored, as MediaWiki does). */
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
    if (this.#schema.blocks === 'wikiauth') {
      const row = await this.#db('wikiauth_user_block').leftJoin('user', 'user.user_id', 'wikiauth_user_block.wub_by').where('wub_user', id).first('wikiauth_user_block.*', 'user.user_name');
      return (
        row && {
          id: row.wub_user,
          userId: row.wub_user,
          by: row.wub_by,
          byName: row.wub_by ? String(row.user_name ?? '') : '',
          reason: String(row.wub_reason ?? ''),
          timestamp: String(row.wub_timestamp ?? ''),
          expiry: String(row.wub_expiry ?? ''),
          // One kind of block: sitewide, account creation allowed (blockUsers.php's defaults).
          sitewide: true,
          hidden: false,
          noCreate: false,
        }
      );
    }
    const rows = await this.#wikiBlocks(id);
    // Expired rows stay until MediaWiki purges them; anon-only blocks never apply to accounts.
    const now = toMwTimestamp();
    const active = rows.filter((row) => row.expiry === INFINITY || row.expiry > now);
    const block = active.find((row) => Number(row.sitewide) === 1) ?? active[0];
    return (
      block && {
        id: Number(block.id),
        userId: id,
        by: Number(block.byUser ?? 0),
        byName: String(block.byName ?? ''),
        reason: String(block.reason ?? ''),
        timestamp: String(block.timestamp ?? ''),
        expiry: String(block.expiry ?? ''),
        sitewide: Number(block.sitewide) === 1,
        hidden: Number(block.deleted) === 1,
        noCreate: Number(block.createAccount) === 1,
      }
    );
  }

  /** DatabaseBlock::newLoad for a user: ≤ 1.41 by `ipb_address` = name, 1.42+ by `bt_user` = id. */
  async #wikiBlocks(id: number): Promise<BlockRow[]> {
    const [table, p] = this.#schema.blocks === 'ipblocks' ? ['ipblocks', 'ipblocks.ipb_'] : ['block', 'block.bl_'];
    const query = this.#db(table);
    if (this.#schema.blocks === 'ipblocks') query.join('user', 'ipblocks.ipb_address', 'user.user_name').where('user.user_id', id);
    else query.join('block_target', 'block.bl_target', 'block_target.bt_id').where('block_target.bt_user', id);
    return query
      .leftJoin('comment', 'comment.comment_id', `${p}reason_id`)
      .leftJoin({ blocker: 'actor' }, 'blocker.actor_id', `${p}by_actor`)
      .andWhere(`${p}anon_only`, 0)
      .select({
        id: `${p}id`,
        expiry: `${p}expiry`,
        sitewide: `${p}sitewide`,
        deleted: `${p}deleted`,
        timestamp: `${p}timestamp`,
        reason: 'comment.comment_text',
        createAccount: `${p}create_account`,
        byUser: 'blocker.actor_user',
        byName: 'blocker.actor_name',
      });
  }

  async putBlock(block: NewBlock): Promise<void> {
    this.#ownBlocksOnly();
    await this.#db('wikiauth_user_block')
      .insert({ wub_user: block.userId, wub_by: block.by, wub_reason: block.reason, wub_timestamp: block.timestamp, wub_expiry: block.expiry })
      .onConflict('wub_user')
      .merge();
  }

  async removeBlock(id: number): Promise<boolean> {
    this.#ownBlocksOnly();
    return (await this.#db('wikiauth_user_block').where('wub_user', id).delete()) > 0;
  }

  /** A wiki's blocks are the wiki's to make: wikiauth reads them and never writes them. */
  #ownBlocksOnly(): void {
    if (this.#schema.blocks !== 'wikiauth') {
      throw new DomainError('wiki_blocks', "This wiki's blocks are managed by MediaWiki (Special:Block, blockUsers.php); wikiauth only reads them");
    }
  }
}

function toAccount(row: UserRow): Account {
  return {
    id: Number(row.user_id),
    name: row.user_name,
    realName: row.user_real_name ?? '',
    email: row.user_email ?? '',
    emailAuthenticated: row.user_email_authenticated || null,
    registration: row.user_registration || null,
    editCount: Number(row.user_editcount ?? 0),
    touched: row.user_touched,
    passwordHash: row.user_password ?? '',
    isTemp: Number(row.user_is_temp ?? 0) === 1,
  };
}
