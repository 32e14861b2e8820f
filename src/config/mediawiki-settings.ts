import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { MEDIAWIKI_GROUP_PERMISSIONS } from '../domain/accounts/mediawiki-rights.js';
import { IMPLICIT_GROUPS, STANDALONE_RIGHTS, type RightsPolicy } from '../domain/accounts/rights.js';
import { ConfigError, type DatabaseConfig, type MediaWikiMode } from './config.js';
import { parseBoolean, value, type Env } from './env.js';

/**
 * MEDIAWIKI_DB=1: wikiauth runs on the wiki's database; MEDIAWIKI_TABLE_PREFIX is its
 * `$wgDBprefix`. The wiki id follows WikiMap::getCurrentWikiId (`<dbname>[-<prefix>]`; a SQLite
 * wiki's database name is its file name without `.sqlite`).
 */
export function parseMediaWikiMode(env: Env, database: DatabaseConfig): MediaWikiMode | undefined {
  const prefix = value(env, 'MEDIAWIKI_TABLE_PREFIX') ?? '';
  if (!parseBoolean(env, 'MEDIAWIKI_DB', false)) {
    if (prefix !== '') throw new ConfigError('MEDIAWIKI_TABLE_PREFIX', 'only applies with MEDIAWIKI_DB=1');
    return undefined;
  }
  // MediaWiki's installer allows letters, digits and underscores (DatabaseInstaller::checkPrefix).
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new ConfigError('MEDIAWIKI_TABLE_PREFIX', `expected letters, digits and _ (the wiki's $wgDBprefix), got "${prefix}"`);
  const dbName = database.client === 'mysql' ? decodeURIComponent(new URL(database.url).pathname.slice(1)) : basename(database.filename).replace(/\.sqlite$/, '');
  return { tablePrefix: prefix, wikiId: prefix === '' ? dbName : `${dbName}-${prefix}` };
}

/** The wiki's rights settings plus `$wgBlockDisablesLogin` when the file gives it. */
export interface RightsSettings {
  readonly policy: RightsPolicy;
  readonly blockDisablesLogin: boolean | undefined;
}

const FILE_VARIABLE = 'MEDIAWIKI_RIGHTS_FILE';

/**
 * MEDIAWIKI_RIGHTS_FILE: JSON with the wiki's `GroupPermissions`, `RevokePermissions`,
 * `ImplicitGroups`, `AutoConfirmAge`, `AutoConfirmCount` and `BlockDisablesLogin` (each optional),
 * as `json_encode` prints the PHP settings (docs/mediawiki-compat.md shows the one-line export).
 * Without a file: MediaWiki 1.39's defaults in MediaWiki mode, wikiauth's own table standalone.
 */
export function parseRightsSettings(env: Env, cwd: string, mediawikiMode: boolean): RightsSettings {
  const defaults: RightsPolicy = mediawikiMode
    ? { groupPermissions: MEDIAWIKI_GROUP_PERMISSIONS, revokePermissions: {}, implicitGroups: IMPLICIT_GROUPS, autoConfirmAge: 0, autoConfirmCount: 0 }
    : STANDALONE_RIGHTS;
  const path = value(env, FILE_VARIABLE);
  if (path === undefined) return { policy: defaults, blockDisablesLogin: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(cwd, path), 'utf8'));
  } catch (err) {
    throw new ConfigError(FILE_VARIABLE, `cannot read JSON from "${path}" (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(parsed)) throw new ConfigError(FILE_VARIABLE, 'expected a JSON object such as {"GroupPermissions": {"user": {"edit": true}}}');
  const known = ['GroupPermissions', 'RevokePermissions', 'ImplicitGroups', 'AutoConfirmAge', 'AutoConfirmCount', 'BlockDisablesLogin'];
  const unknown = Object.keys(parsed).find((key) => !known.includes(key.replace(/^wg/, '')));
  if (unknown !== undefined) throw new ConfigError(FILE_VARIABLE, `unknown setting "${unknown}"; expected ${known.join(', ')}`);
  const setting = (name: string): unknown => parsed[name] ?? parsed[`wg${name}`];
  const blockDisablesLogin = setting('BlockDisablesLogin');
  if (blockDisablesLogin !== undefined && typeof blockDisablesLogin !== 'boolean') throw new ConfigError(FILE_VARIABLE, 'BlockDisablesLogin must be true or false');
  return {
    policy: {
      groupPermissions: permissionMap(setting('GroupPermissions'), 'GroupPermissions') ?? defaults.groupPermissions,
      revokePermissions: permissionMap(setting('RevokePermissions'), 'RevokePermissions') ?? defaults.revokePermissions,
      implicitGroups: nameList(setting('ImplicitGroups'), 'ImplicitGroups') ?? defaults.implicitGroups,
      autoConfirmAge: count(setting('AutoConfirmAge'), 'AutoConfirmAge') ?? defaults.autoConfirmAge,
      autoConfirmCount: count(setting('AutoConfirmCount'), 'AutoConfirmCount') ?? defaults.autoConfirmCount,
    },
    blockDisablesLogin,
  };
}

/** `{group: {right: true|false}}` (PHP's shape; an empty PHP array encodes as `[]`) → rights set to true. */
function permissionMap(raw: unknown, name: string): Record<string, string[]> | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw) && raw.length === 0) return {};
  if (!isObject(raw)) throw new ConfigError(FILE_VARIABLE, `${name} must map groups to {"right": true} objects`);
  const map: Record<string, string[]> = {};
  for (const [group, rights] of Object.entries(raw)) {
    if (Array.isArray(rights) && rights.length === 0) {
      map[group] = [];
      continue;
    }
    if (!isObject(rights) || !Object.values(rights).every((v) => typeof v === 'boolean')) {
      throw new ConfigError(FILE_VARIABLE, `${name}["${group}"] must map rights to true or false`);
    }
    map[group] = Object.entries(rights).filter(([, granted]) => granted).map(([right]) => right);
  }
  return map;
}

function nameList(raw: unknown, name: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = isObject(raw) ? Object.values(raw) : raw;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) throw new ConfigError(FILE_VARIABLE, `${name} must be a list of group names`);
  return list;
}

function count(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) throw new ConfigError(FILE_VARIABLE, `${name} must be a whole number ≥ 0`);
  return raw;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
