import type { Knex } from 'knex';
import { DomainError } from '../../domain/errors.js';
import { isMysql } from './create-knex.js';
import { realTableName } from './table-prefix.js';

/**
 * The shapes of MediaWiki's tables that differ between versions (docs/mediawiki-compat.md):
 * `user.user_is_temp` (temporary accounts, newer than 1.39), the `actor` table (1.35+), and blocks
 * in `ipblocks` (≤ 1.41) or `block` + `block_target` (1.42+).
 */
export interface MediaWikiSchema {
  /** A wiki's own database (MediaWiki database mode), not wikiauth's standalone schema. */
  readonly wiki: boolean;
  readonly userIsTemp: boolean;
  readonly actor: boolean;
  readonly blocks: 'ipblocks' | 'block' | 'wikiauth';
}

/** wikiauth's own standalone schema (migrations/): `user_is_temp`, no actor table, its own block list. */
export const STANDALONE_SCHEMA: MediaWikiSchema = Object.freeze({ wiki: false, userIsTemp: true, actor: false, blocks: 'wikiauth' });

/** Tables and columns wikiauth reads or writes in a wiki's database, by table. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  user: [
    'user_id', 'user_name', 'user_real_name', 'user_password', 'user_newpassword', 'user_email',
    'user_email_authenticated', 'user_touched', 'user_token', 'user_registration', 'user_editcount',
  ],
  user_groups: ['ug_user', 'ug_group', 'ug_expiry'],
  actor: ['actor_id', 'actor_user', 'actor_name'],
  comment: ['comment_id', 'comment_hash', 'comment_text', 'comment_data'],
  logging: ['log_id', 'log_type', 'log_action', 'log_timestamp', 'log_actor', 'log_namespace', 'log_title', 'log_page', 'log_comment_id', 'log_params', 'log_deleted'],
  log_search: ['ls_field', 'ls_value', 'ls_log_id'],
};
const IPBLOCKS: Readonly<Record<string, readonly string[]>> = {
  ipblocks: ['ipb_id', 'ipb_address', 'ipb_user', 'ipb_by_actor', 'ipb_reason_id', 'ipb_expiry', 'ipb_sitewide', 'ipb_deleted', 'ipb_anon_only', 'ipb_create_account', 'ipb_timestamp'],
};
const BLOCK_TARGET: Readonly<Record<string, readonly string[]>> = {
  block: ['bl_id', 'bl_target', 'bl_by_actor', 'bl_reason_id', 'bl_expiry', 'bl_sitewide', 'bl_deleted', 'bl_anon_only', 'bl_create_account', 'bl_timestamp'],
  block_target: ['bt_id', 'bt_user'],
};

/** Column names per existing table (real, prefixed names as keys). */
async function columnsOf(db: Knex, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  if (isMysql(db)) {
    const rows = (await db('information_schema.columns')
      .where('table_schema', db.raw('DATABASE()'))
      .whereIn('table_name', tables)
      .select({ table: 'table_name', column: 'column_name' })) as Array<{ table: string; column: string }>;
    for (const row of rows) found.set(String(row.table), (found.get(String(row.table)) ?? new Set()).add(String(row.column)));
    return found;
  }
  for (const table of tables) {
    const rows = (await db.raw('SELECT name FROM pragma_table_info(?)', [table])) as Array<{ name: string }>;
    if (rows.length) found.set(table, new Set(rows.map((r) => r.name)));
  }
  return found;
}

function missingParts(db: Knex, required: Readonly<Record<string, readonly string[]>>, columns: Map<string, Set<string>>): string[] {
  const missing: string[] = [];
  for (const [table, wanted] of Object.entries(required)) {
    const real = realTableName(db, table);
    const have = columns.get(real);
    if (!have) missing.push(`table ${real}`);
    else for (const column of wanted) if (!have.has(column)) missing.push(`column ${real}.${column}`);
  }
  return missing;
}

/**
 * Check the wiki's tables and read their version shapes. Everything missing is named in one
 * line, so an operator sees at once whether this is a MediaWiki database (and the right prefix).
 */
export async function inspectMediaWikiSchema(db: Knex): Promise<MediaWikiSchema> {
  const all = { ...REQUIRED, ...IPBLOCKS, ...BLOCK_TARGET };
  const columns = await columnsOf(db, Object.keys(all).map((table) => realTableName(db, table)));
  const missing = missingParts(db, REQUIRED, columns);
  const ipblocksMissing = missingParts(db, IPBLOCKS, columns);
  const blockMissing = missingParts(db, BLOCK_TARGET, columns);
  if (ipblocksMissing.length && blockMissing.length) {
    missing.push(`blocks (${ipblocksMissing.join(', ')}; or ${blockMissing.join(', ')})`);
  }
  if (missing.length) {
    throw new DomainError('not_a_wiki_database', `this is not a MediaWiki 1.35+ database with the configured table prefix; missing: ${missing.join(', ')}`);
  }
  return {
    wiki: true,
    userIsTemp: columns.get(realTableName(db, 'user'))!.has('user_is_temp'),
    actor: true,
    // 1.42 reads and writes `block` + `block_target`; its `ipblocks` may linger until a later update drops it.
    blocks: blockMissing.length === 0 ? 'block' : 'ipblocks',
  };
}
