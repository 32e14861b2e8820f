import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { DomainError } from '../domain/errors.js';
import type { Consumer } from '../domain/consumers/consumer.js';
import { allowsSourceIp } from '../domain/consumers/ip-restrictions.js';
import type { ConsumerLookup } from '../domain/consumers/consumer-cache.js';
import { consumerToClient } from '../provider/client-metadata.js';

/** Who an OAuth 2 Bearer token speaks for. `userId` is null for an anonymous client_credentials token. */
export interface BearerCredentials {
  readonly consumer: Consumer;
  readonly userId: number | null;
  readonly scopes: readonly string[];
}

export class BearerError extends DomainError {
  /** The request carried no credentials at all (RFC 6750 §3.1: then the challenge names no error). */
  readonly missing: boolean;
  /** The token itself is not a valid one (what MediaWiki's resource server checks), not a refusal of ours. */
  readonly invalid: boolean;

  constructor(message: string, opts: { missing?: boolean; invalid?: boolean } = {}) {
    super('invalid_token', message);
    this.name = 'BearerError';
    this.missing = opts.missing ?? false;
    this.invalid = opts.invalid ?? false;
  }
}

/**
 * Verify `Authorization: Bearer <access token>` (RFC 6750 §2.1) against the provider's token
 * store: not expired, its browser session alive when bound to one, its grant (the user's
 * authorization) still there, and its consumer still usable. One place for every API route.
 */
export async function authenticateBearer(ctx: Context, provider: Provider, consumers: ConsumerLookup): Promise<BearerCredentials> {
  const header = ctx.get('authorization');
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
  if (!match) throw header ? new BearerError('The Authorization header is not a Bearer token', { invalid: true }) : new BearerError('No access token was provided', { missing: true });
  const value = match[1]!;
  // MediaWiki's JWTs run to about 800 characters; anything far longer is not one of ours.
  if (value.length > 8192) throw new BearerError('The access token is invalid', { invalid: true });

  const accessToken = await provider.AccessToken.find(value);
  if (accessToken) {
    if (accessToken.expiresWithSession && accessToken.sessionUid && !(await provider.Session.findByUid(accessToken.sessionUid))) {
      throw new BearerError('The access token is no longer valid');
    }
    if (!accessToken.grantId || !(await provider.Grant.find(accessToken.grantId))) throw new BearerError('The access token has been revoked');
    const consumer = await usableConsumer(consumers, accessToken.clientId!, ctx.ip);
    return { consumer, userId: Number(accessToken.accountId), scopes: [...accessToken.scopes] };
  }
  const clientCredentials = await provider.ClientCredentials.find(value);
  if (clientCredentials) {
    const consumer = await usableConsumer(consumers, clientCredentials.clientId!, ctx.ip);
    // Owner-only consumers act as their owner (docs/mediawiki-compat.md §2); others are anonymous.
    return { consumer, userId: consumer.ownerOnly ? consumer.ownerId : null, scopes: [...clientCredentials.scopes] };
  }
  throw new BearerError('The access token is invalid or has expired', { invalid: true });
}

async function usableConsumer(consumers: ConsumerLookup, key: string, ip: string): Promise<Consumer> {
  const consumer = await consumers.get(key);
  if (!consumer || !consumerToClient(consumer, undefined)) throw new BearerError('The application of this access token is no longer usable');
  // The consumer's MWRestrictions IP ranges bind its tokens too, as MediaWiki's SessionProvider does.
  if (!allowsSourceIp(consumer.restrictions, ip)) throw new BearerError('This application may not be used from your IP address');
  return consumer;
}

/** RFC 6750 §3: 401 with a WWW-Authenticate challenge, naming the error only when credentials were sent (§3.1). */
export function challengeHeaders(ctx: Context, err: BearerError): void {
  ctx.status = 401;
  const error = err.missing ? '' : `, error="invalid_token", error_description="${err.message.replace(/"/g, "'")}"`;
  ctx.set('WWW-Authenticate', `Bearer realm="${ctx.host}"${error}`);
  ctx.set('Cache-Control', 'no-store');
}

/** The credential of an `Authorization` header as MediaWiki's resource server reads it: after an optional `Bearer `. */
export function presentedToken(ctx: Context): string {
  return ctx.get('authorization').replace(/^\s*Bearer\s/, '').trim();
}
