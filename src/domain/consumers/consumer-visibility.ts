import { createHmac } from 'node:crypto';
import { hasRight, type Actor } from '../accounts/actor.js';
import type { Consumer } from './consumer.js';

/**
 * Which of a consumer's fields a viewer may see (Consumer::getFieldPermissionChecks):
 * - everything of a suppressed consumer is hidden without `mwoauthviewsuppressed`;
 * - email and restrictions ("security" fields) only to the owner, or to `mwoauthmanageconsumer`
 *   holders for consumers that are not owner-only (those are personal tokens);
 * - the secret never (it is shown once, at creation or reset).
 */
export interface ConsumerVisibility {
  /** name, version, owner, callback, description, RSA key, grants. */
  readonly details: boolean;
  /** email and restrictions. */
  readonly security: boolean;
}

export function consumerVisibility(consumer: Consumer, viewer: Pick<Actor, 'id' | 'rights'> | undefined): ConsumerVisibility {
  const details = !consumer.deleted || hasRight(viewer, 'mwoauthviewsuppressed');
  const owner = viewer !== undefined && viewer.id === consumer.ownerId;
  const security = details && (owner || (!consumer.ownerOnly && hasRight(viewer, 'mwoauthmanageconsumer')));
  return { details, security };
}

/**
 * Optimistic locking of management actions (MWOAuthDAO::getChangeToken): an HMAC-SHA1 over the
 * fields the viewer can see, keyed with "<viewer id>#<consumer id>". The form carries the token of
 * the consumer as shown; if anything changed since, the action is refused.
 */
export function changeToken(consumer: Consumer, viewer: Pick<Actor, 'id' | 'rights'>): string {
  const { details, security } = consumerVisibility(consumer, viewer);
  const hide = <T>(visible: boolean, value: T) => (visible ? value : null);
  const fields = {
    id: consumer.id,
    key: consumer.key,
    name: hide(details, consumer.name),
    ownerId: hide(details, consumer.ownerId),
    version: hide(details, consumer.version),
    callbackUrl: hide(details, consumer.callbackUrl),
    callbackIsPrefix: hide(details, consumer.callbackIsPrefix),
    description: hide(details, consumer.description),
    rsaKey: hide(details, consumer.rsaKey),
    email: hide(security, consumer.email),
    restrictions: hide(security, consumer.restrictions),
    grants: consumer.grants,
    wiki: consumer.wiki,
    ownerOnly: consumer.ownerOnly,
    stage: consumer.stage,
    stageTimestamp: consumer.stageTimestamp,
    deleted: consumer.deleted,
    oauthVersion: consumer.oauthVersion,
    oauth2AllowedGrants: consumer.oauth2AllowedGrants,
    oauth2IsConfidential: consumer.oauth2IsConfidential,
  };
  return createHmac('sha1', `${viewer.id}#${consumer.id}`).update(JSON.stringify(fields)).digest('hex');
}
