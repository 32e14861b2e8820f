import type { Knex } from 'knex';
import type { ConsumerLogEntry, ManagementLog } from '../../domain/consumers/management-log.js';

export class SqlManagementLog implements ManagementLog {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async append(entry: ConsumerLogEntry): Promise<void> {
    await this.#db('wikiauth_log').insert({
      wl_type: 'mwoauthconsumer',
      wl_action: entry.action,
      wl_actor: entry.actor,
      wl_target_user: entry.targetUser,
      wl_consumer_key: entry.consumerKey,
      wl_comment: entry.comment,
      wl_params: JSON.stringify(entry.params ?? {}),
      wl_timestamp: entry.timestamp,
    });
  }

  async forConsumer(consumerKey: string): Promise<ConsumerLogEntry[]> {
    const rows = await this.#db('wikiauth_log').where('wl_consumer_key', consumerKey).orderBy('wl_id', 'desc');
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.wl_id),
      action: r.wl_action,
      actor: Number(r.wl_actor),
      targetUser: Number(r.wl_target_user),
      consumerKey: r.wl_consumer_key,
      comment: r.wl_comment,
      timestamp: r.wl_timestamp,
      params: JSON.parse(r.wl_params),
    }));
  }
}
