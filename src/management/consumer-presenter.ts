import type { Actor } from '../domain/accounts/actor.js';
import type { Consumer, Stage } from '../domain/consumers/consumer.js';
import { consumerVisibility } from '../domain/consumers/consumer-visibility.js';
import type { ConsumerLogAction, ConsumerLogEntry } from '../domain/consumers/management-log.js';
import { GRANTS } from '../domain/grants/catalogue.js';
import { formatTimestamp } from '../http/format-timestamp.js';

export { formatTimestamp };

export const HIDDEN = '(this information is hidden)';
export const PRIVATE = '(this information is private)';

export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  proposed: 'Proposed',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  disabled: 'Disabled',
};

/** A consumer as a page shows it to one viewer: hidden and private fields replaced by a notice. */
export interface ConsumerView {
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly owner: string;
  readonly description: string;
  readonly callbackUrl: string;
  readonly callbackIsPrefix: boolean;
  readonly email: string;
  readonly restrictions: string;
  readonly rsaKey: string;
  readonly stage: Stage;
  readonly stageLabel: string;
  readonly suppressed: boolean;
  readonly ownerOnly: boolean;
  readonly trusted: boolean;
  readonly requireTwoFactor: boolean;
  readonly oauthVersion: string;
  readonly wiki: string;
  readonly grants: ReadonlyArray<{ name: string; description: string; risk: string }>;
  readonly oauth2IsConfidential: boolean;
  readonly oauth2GrantTypes: readonly string[];
  readonly registered: string;
  readonly lastChange: string;
  readonly warnings: readonly string[];
}

export function presentConsumer(consumer: Consumer, viewer: Actor | undefined, ownerName: string): ConsumerView {
  const { details, security } = consumerVisibility(consumer, viewer);
  const shown = (value: string) => (details ? value : HIDDEN);
  const secure = (value: string) => (security ? value : details ? PRIVATE : HIDDEN);
  return {
    key: consumer.key,
    name: shown(consumer.name),
    version: shown(consumer.version),
    owner: shown(ownerName),
    description: shown(consumer.description),
    callbackUrl: shown(consumer.callbackUrl),
    callbackIsPrefix: consumer.callbackIsPrefix,
    email: secure(consumer.email),
    restrictions: secure(consumer.restrictions),
    rsaKey: shown(consumer.rsaKey ?? ''),
    stage: consumer.stage,
    stageLabel: STAGE_LABELS[consumer.stage],
    suppressed: consumer.deleted,
    ownerOnly: consumer.ownerOnly,
    trusted: consumer.trusted ?? false,
    requireTwoFactor: consumer.requireTwoFactor ?? false,
    oauthVersion: consumer.oauthVersion === 2 ? 'OAuth 2.0' : 'OAuth 1.0a',
    wiki: consumer.wiki === '*' ? 'All projects' : consumer.wiki,
    grants: consumer.grants.map((name) => ({ name, description: GRANTS.get(name)?.description ?? name, risk: GRANTS.get(name)?.risk ?? 'low' })),
    oauth2IsConfidential: consumer.oauth2IsConfidential,
    oauth2GrantTypes: consumer.oauth2AllowedGrants,
    registered: formatTimestamp(consumer.registration),
    lastChange: formatTimestamp(consumer.stageTimestamp),
    warnings: details ? callbackWarnings(consumer) : [],
  };
}

/** What an administrator should look at twice (SpecialMWOAuthManageConsumers callback warnings). */
function callbackWarnings(consumer: Consumer): string[] {
  const warnings: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(consumer.callbackUrl);
  } catch {
    return consumer.ownerOnly ? [] : ['The callback URL is not a URL'];
  }
  if (consumer.callbackIsPrefix && url.port === '1') warnings.push('Wildcard port');
  if (!['https:', 'http:'].includes(url.protocol)) warnings.push('Unusual protocol');
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) warnings.push('Unencrypted (http) callback');
  return warnings;
}

const LOG_VERBS: Readonly<Record<ConsumerLogAction, string>> = {
  propose: 'proposed',
  'propose-autoapproved': 'proposed (automatically approved)',
  'create-owner-only': 'created an owner-only consumer',
  update: 'updated',
  approve: 'approved',
  reject: 'rejected',
  disable: 'disabled',
  reenable: 're-enabled',
  expire: 'expired (no review in time)',
  delete: 'deleted',
  trust: 'marked trusted (its users are not asked to consent)',
  untrust: 'no longer marked trusted',
};

export interface LogLine {
  readonly when: string;
  readonly timestamp: string;
  readonly performer: string;
  readonly action: string;
  readonly comment: string;
}

export function presentLog(entries: readonly ConsumerLogEntry[], names: ReadonlyMap<number, string>): LogLine[] {
  return entries.map((entry) => ({
    when: formatTimestamp(entry.timestamp),
    timestamp: entry.timestamp,
    performer: names.get(entry.actor) ?? `(user ${entry.actor})`,
    action: LOG_VERBS[entry.action] ?? entry.action,
    comment: entry.comment,
  }));
}
