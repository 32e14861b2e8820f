/**
 * OAuth 1.0a request tokens (RFC 5849 "temporary credentials") in a short-lived store, as
 * MediaWiki keeps them in its object cache (`MWOAuthDataStore`, docs/mediawiki-compat.md §1):
 *
 *   issued ──authorize──▶ authorized (verifier + access token key) ──token──▶ used
 *
 * Each state lives 10 minutes from when it was written; `used` is the store's atomic
 * consume, so of two concurrent exchanges exactly one gets the access token (docs/architecture.md §3).
 */
import type { RequestTokenRecords } from '../domain/artifacts/stores.js';
import { generateHex32 } from '../domain/random.js';

/** MediaWiki: "600s == 10 minutes. Kind of arbitrary." */
export const REQUEST_TOKEN_TTL_SECONDS = 600;

export interface RequestToken {
  readonly key: string;
  /** Raw 32 hex: request-token secrets never touch the database (MediaWiki does not HMAC them). */
  readonly secret: string;
  readonly consumerKey: string;
  /** `oauth_callback` as validated at initiate (`oob` or the client's URL). */
  readonly callback: string;
  readonly verifier?: string;
  /** `oaac_access_token` of the authorization the user gave. */
  readonly accessKey?: string;
  /** Exchanged for the access token already (MediaWiki's `**USED**`). */
  readonly used: boolean;
}

const TOKEN_KEY = /^[0-9a-f]{32}$/;

export class RequestTokenStore {
  readonly #records: RequestTokenRecords;

  constructor(records: RequestTokenRecords) {
    this.#records = records;
  }

  async issue(consumerKey: string, callback: string): Promise<RequestToken> {
    const token: RequestToken = { key: generateHex32(), secret: generateHex32(), consumerKey, callback, used: false };
    await this.#save(token);
    return token;
  }

  /** The token, whoever it belongs to (the caller compares consumers); malformed keys are unknown. */
  async find(key: string | undefined): Promise<RequestToken | undefined> {
    if (!key || !TOKEN_KEY.test(key)) return undefined;
    const record = await this.#records.find(key);
    return record && { key, ...record };
  }

  /** Record the user's approval; the token lives another 10 minutes (`updateRequestToken`). */
  async authorize(token: RequestToken, verifier: string, accessKey: string): Promise<void> {
    await this.#save({ ...token, verifier, accessKey });
  }

  /** Atomic single use: true for exactly one caller. */
  consume(key: string): Promise<boolean> {
    return this.#records.consume(key);
  }

  #save(token: RequestToken): Promise<void> {
    const { key, used: _used, ...payload } = token;
    return this.#records.save(key, payload, REQUEST_TOKEN_TTL_SECONDS);
  }
}
