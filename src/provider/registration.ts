import type { Middleware } from 'koa';
import type { AdapterPayload, ClientMetadata, Configuration } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { RegistrationPolicy } from '../config/config.js';
import type { ClientRegistrationRequest } from '../domain/consumers/client-registration.js';
import { DomainError, UnavailableError, type DomainErrorCode } from '../domain/errors.js';
import { generateHex32, hmacDBSecret } from '../domain/random.js';

const PENDING_TTL_MS = 60_000;
const MAX_PENDING = 1000;

/**
 * oidc-provider asks `secretFactory` for a client secret and later hands the client to the Client
 * adapter's `upsert`, within the same registration request. MediaWiki stores a raw 32-hex secret
 * and clients see HMAC(raw, SECRET_KEY): the raw value is kept here between the two calls.
 */
export class PendingSecrets {
  readonly #secretKey: string;
  readonly #pending = new Map<string, { raw: string; expires: number }>();

  constructor(secretKey: string) {
    this.#secretKey = secretKey;
  }

  issue(): string {
    const now = Date.now();
    if (this.#pending.size >= MAX_PENDING) {
      for (const [secret, entry] of this.#pending) if (entry.expires < now) this.#pending.delete(secret);
    }
    const raw = generateHex32();
    const secret = hmacDBSecret(raw, this.#secretKey);
    this.#pending.set(secret, { raw, expires: now + PENDING_TTL_MS });
    return secret;
  }

  /** The raw value behind a secret issued moments ago (once), or undefined. */
  take(secret: unknown): string | undefined {
    if (typeof secret !== 'string') return undefined;
    const entry = this.#pending.get(secret);
    this.#pending.delete(secret);
    return entry && entry.expires >= Date.now() ? entry.raw : undefined;
  }
}

/** RFC 7591 registration and RFC 7592 management, on when REGISTRATION is `open` or `token`. */
export function registrationFeatures(policy: RegistrationPolicy, secrets: PendingSecrets): Pick<NonNullable<Configuration['features']>, 'registration' | 'registrationManagement'> {
  const enabled = policy.mode !== 'off';
  return {
    registration: {
      enabled,
      initialAccessToken: policy.mode === 'token' ? policy.initialAccessToken! : false,
      // MediaWiki's consumer keys are 32 hex digits (MWCryptRand::generateHex(32)).
      idFactory: () => generateHex32(),
      secretFactory: () => secrets.issue(),
      issueRegistrationAccessToken: true,
    },
    registrationManagement: { enabled, rotateRegistrationAccessToken: true },
  };
}

/** Validated RFC 7591 client metadata (as oidc-provider stores it) → a registration request. */
export function registrationRequest(metadata: AdapterPayload): ClientRegistrationRequest {
  const m = metadata as Record<string, unknown>;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const method = text(m.token_endpoint_auth_method) ?? 'client_secret_basic';
  return {
    clientName: text(m.client_name),
    redirectUris: strings(m.redirect_uris),
    postLogoutRedirectUris: strings(m.post_logout_redirect_uris),
    grantTypes: strings(m.grant_types),
    confidential: method !== 'none',
    tokenEndpointAuthMethod: method,
    scope: text(m.scope),
    contacts: strings(m.contacts),
    requireAuthTime: m.require_auth_time === true,
    display: {
      ...(text(m.client_uri) ? { client_uri: text(m.client_uri)! } : {}),
      ...(text(m.logo_uri) ? { logo_uri: text(m.logo_uri)! } : {}),
      ...(text(m.policy_uri) ? { policy_uri: text(m.policy_uri)! } : {}),
      ...(text(m.tos_uri) ? { tos_uri: text(m.tos_uri)! } : {}),
    },
  };
}

/**
 * The registration edge's one table: the metadata field a domain code is about. oidc-provider
 * answers `invalid_redirect_uri` for descriptions starting with "redirect_uris", and
 * `invalid_client_metadata` for the rest (RFC 7591 §3.2.2).
 */
const FIELD_BY_CODE: Partial<Record<DomainErrorCode, string>> = {
  invalid_callback_url: 'redirect_uris',
};

/** Domain refusals become RFC 7591 §3.2.2 errors (400), never a 500; an outage stays one (503). */
export function registrationError(err: unknown): unknown {
  if (!(err instanceof DomainError) || err instanceof UnavailableError) return err;
  const field = FIELD_BY_CODE[err.code];
  return new errors.InvalidClientMetadata(field ? `${field}: ${err.message}` : err.message);
}

/**
 * RFC 7591 §3.2.1: the response holds the metadata as registered, which may differ from the request
 * (the consumer name with its key prefix, the scopes the consumer may ask for). oidc-provider
 * answers from the request, so the stored client's fields are laid over its answer.
 */
export function registeredMetadataInResponses(registrationPath: string, storedClient: (clientId: string) => Promise<ClientMetadata | undefined>): Middleware {
  return async (ctx, next) => {
    await next();
    if (!ctx.path.startsWith(registrationPath) || (ctx.status !== 200 && ctx.status !== 201)) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || typeof body.client_id !== 'string') return;
    const stored = await storedClient(body.client_id);
    if (stored) ctx.body = { ...body, ...stored };
  };
}
