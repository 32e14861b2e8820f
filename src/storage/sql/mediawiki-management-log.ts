import { crc32 } from 'node:zlib';
import type { Knex } from 'knex';
import type { ConsumerLogAction, ConsumerLogEntry, ManagementLog } from '../../domain/consumers/management-log.js';

/** MediaWiki's `NS_USER`: consumer log entries are about `User:<owner>`. */
const NS_USER = 2;
const LOG_TYPE = 'mwoauthconsumer';
const SEARCH_FIELD = 'OAuthConsumer';

/**
 * The consumer management log in a wiki's own `logging` table (MediaWiki database mode), written
 * as Extension:OAuth's ConsumerSubmitControl::makeLogEntry does, so Special:Log shows wikiauth's
 * reviews beside the wiki's (docs/mediawiki-compat.md): type `mwoauthconsumer`, the action, the
 * performer's actor, the owner's user page as target, params `4:consumer` = key, the reason in
 * `comment`, and a `log_search` row (`OAuthConsumer` = key) to find a consumer's entries.
 */
export class MediaWikiManagementLog implements ManagementLog {
  readonly #db: Knex;
  /** The user id that stands for the command line (MediaWiki's "Maintenance script" system user). */
  readonly #commandLineUser: () => Promise<number>;

  constructor(db: Knex, commandLineUser: () => Promise<number>) {
    this.#db = db;
    this.#commandLineUser = commandLineUser;
  }

  async append(entry: ConsumerLogEntry): Promise<void> {
    const performer = entry.actor === 0 ? await this.#commandLineUser() : entry.actor;
    await this.#db.transaction(async (trx) => {
      const actorId = await actorFor(trx, performer);
      const owner = (await trx('user').where('user_id', entry.targetUser).first('user_name')) as { user_name: string } | undefined;
      const commentId = await commentFor(trx, entry.comment);
      const [logId] = await trx('logging').insert({
        log_type: LOG_TYPE,
        log_action: entry.action,
        log_timestamp: entry.timestamp,
        log_actor: actorId,
        log_namespace: NS_USER,
        log_title: (owner?.user_name ?? '').replace(/ /g, '_'),
        log_page: 0,
        log_comment_id: commentId,
        log_params: phpSerializeStrings({ '4:consumer': entry.consumerKey }),
        log_deleted: 0,
      });
      await trx('log_search').insert({ ls_field: SEARCH_FIELD, ls_value: entry.consumerKey, ls_log_id: Number(logId) });
    });
  }

  async forConsumer(consumerKey: string): Promise<ConsumerLogEntry[]> {
    const rows = (await this.#db('log_search')
      .join('logging', 'logging.log_id', 'log_search.ls_log_id')
      .leftJoin('comment', 'comment.comment_id', 'logging.log_comment_id')
      .leftJoin('actor', 'actor.actor_id', 'logging.log_actor')
      .where({ 'log_search.ls_field': SEARCH_FIELD, 'log_search.ls_value': consumerKey, 'logging.log_type': LOG_TYPE })
      .orderBy('logging.log_id', 'desc')
      .select({
        id: 'logging.log_id',
        action: 'logging.log_action',
        actorUser: 'actor.actor_user',
        title: 'logging.log_title',
        comment: 'comment.comment_text',
        timestamp: 'logging.log_timestamp',
      })) as Array<{ id: number; action: string; actorUser: number | null; title: string; comment: string | null; timestamp: string }>;
    const owners = await this.#userIds(rows.map((row) => row.title.replace(/_/g, ' ')));
    return rows.map((row) => ({
      id: Number(row.id),
      action: row.action as ConsumerLogAction,
      actor: Number(row.actorUser ?? 0),
      targetUser: owners.get(row.title.replace(/_/g, ' ')) ?? 0,
      consumerKey,
      comment: row.comment ?? '',
      timestamp: row.timestamp,
      params: {},
    }));
  }

  async #userIds(names: readonly string[]): Promise<Map<string, number>> {
    if (!names.length) return new Map();
    const rows = (await this.#db('user').whereIn('user_name', [...new Set(names)]).select('user_id', 'user_name')) as Array<{ user_id: number; user_name: string }>;
    return new Map(rows.map((row) => [row.user_name, Number(row.user_id)]));
  }
}

/** ActorStore::acquireActorId: the user's `actor` row, made when missing. */
async function actorFor(db: Knex, userId: number): Promise<number> {
  const existing = (await db('actor').where('actor_user', userId).first('actor_id')) as { actor_id: number } | undefined;
  if (existing) return Number(existing.actor_id);
  const user = (await db('user').where('user_id', userId).first('user_name')) as { user_name: string } | undefined;
  if (!user) throw new TypeError(`no user ${userId} to log as`);
  const [id] = await db('actor').insert({ actor_user: userId, actor_name: user.user_name });
  return Number(id);
}

/** CommentStore::createComment: an identical comment row is shared, else a new one. */
async function commentFor(db: Knex, text: string): Promise<number> {
  const hash = commentHash(text);
  const existing = (await db('comment').where({ comment_hash: hash, comment_text: text }).whereNull('comment_data').first('comment_id')) as { comment_id: number } | undefined;
  if (existing) return Number(existing.comment_id);
  const [id] = await db('comment').insert({ comment_hash: hash, comment_text: text, comment_data: null });
  return Number(id);
}

/** CommentStore::hash: crc32(text) XOR crc32(data) as a signed 32-bit number; no data = crc32('') = 0. */
export function commentHash(text: string): number {
  return crc32(Buffer.from(text, 'utf8')) | 0;
}

/** PHP `serialize()` of an array of strings, as LogEntry params are stored. */
function phpSerializeStrings(values: Readonly<Record<string, string>>): string {
  const str = (s: string) => `s:${Buffer.byteLength(s, 'utf8')}:"${s}";`;
  const entries = Object.entries(values);
  return `a:${entries.length}:{${entries.map(([k, v]) => str(k) + str(v)).join('')}}`;
}
