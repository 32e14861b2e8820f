import type { Knex } from 'knex';

/**
 * MediaWiki's `$wgDBprefix` goes before every table name (Database::tableName), and in MediaWiki
 * database mode wikiauth's own tables take it too. Queries name tables plainly ('user'); knex's
 * identifier hook adds the prefix to exactly these names, so `user.user_id` becomes
 * `mw_user`.`user_id` while columns and aliases stay as written.
 */
const MEDIAWIKI_TABLES = new Set([
  'user', 'user_groups', 'actor', 'comment', 'logging', 'log_search', 'ipblocks', 'ipblocks_restrictions',
  'block', 'block_target', 'oauth_registered_consumer', 'oauth_accepted_consumer', 'oauth2_access_tokens',
  'oathauth_users', 'oathauth_types', 'oathauth_devices', 'objectcache',
]);

/** The name a table has in the database. */
export function prefixedTable(prefix: string, table: string): string {
  return prefix !== '' && (MEDIAWIKI_TABLES.has(table) || table.startsWith('wikiauth_')) ? `${prefix}${table}` : table;
}

/** knex `wrapIdentifier` adding the prefix; undefined when there is none. */
export function prefixingIdentifiers(prefix: string): Knex.Config['wrapIdentifier'] {
  if (prefix === '') return undefined;
  return (value, origImpl) => origImpl(prefixedTable(prefix, value));
}

/** What a connection was opened for: its table prefix, and whether it is a MediaWiki wiki's database. */
export interface DatabaseShape {
  readonly prefix: string;
  readonly mediawiki: boolean;
}

/**
 * Kept on the connection's client configuration under a symbol: knex copies that object (with its
 * symbol properties) into the clones it makes for migrations and their transactions, which must see
 * the same shape as the connection they came from.
 */
const SHAPE = Symbol('wikiauth database shape');

function shapeOf(db: Knex): DatabaseShape | undefined {
  return (db.client.config as { [SHAPE]?: DatabaseShape })[SHAPE];
}

export function rememberShape(db: Knex, shape: DatabaseShape): Knex {
  (db.client.config as { [SHAPE]?: DatabaseShape })[SHAPE] = shape;
  return db;
}

export function isMediaWikiDatabase(db: Knex): boolean {
  return shapeOf(db)?.mediawiki ?? false;
}

/**
 * For schema introspection (hasTable, information_schema), which takes table names as values that
 * the identifier hook never sees: the real name of a table on this connection.
 */
export function realTableName(db: Knex, table: string): string {
  return prefixedTable(shapeOf(db)?.prefix ?? '', table);
}
