/**
 * The OAuth 1.0a server: `MWOAuthServer` / `OAuthServer` of MediaWiki's OAuth extension, in its
 * check order — version → consumer → (not OAuth 2, E012) → owner-only (E010) → (usable by
 * anyone, E006/E005) → has a secret or key (E011) → source IP → token → timestamp → nonce →
 * signature method → signature — so a bad request fails with the error MediaWiki gives it.
 * The checks in parentheses are ours: MediaWiki lets a disabled or OAuth 2 consumer run
 * initiate and only refuses it on the authorization page.
 *
 * `verifyRequest` is the one place an access-token-signed request (identify, api.php) is
 * verified.
 */
import type { AccountService } from '../domain/accounts/account-service.js';
import type { Consumer } from '../domain/consumers/consumer.js';
import type { ConsumerService } from '../domain/consumers/consumer-service.js';
import { allowsSourceIp } from '../domain/consumers/ip-restrictions.js';
import type { Authorization, AuthorizationRepository } from '../domain/grants/authorization.js';
import { hmacDBSecret } from '../domain/random.js';
import { checkCallback } from './callback.js';
import { checkOAuthVersion, checkTimestamp, requireNonce } from './checks.js';
import { OAuth1Errors } from '../mediawiki/oauth-errors.js';
import { userTalkUrl } from './links.js';
import type { NonceStore } from './nonces.js';
import { getParam } from '../mediawiki/params.js';
import type { RequestTokenStore } from './request-tokens.js';
import { safeEqual, verifySignature } from './signature.js';
import type { WebRequest } from '../mediawiki/web-request.js';

/** What the token step hands out to an RSA-SHA1 client, which signs without a token secret. */
export const RSA_TOKEN_SECRET = '__unused__';

export interface OAuth1ServerDeps {
  readonly consumers: ConsumerService;
  readonly accounts: AccountService;
  readonly authorizations: AuthorizationRepository;
  readonly requestTokens: RequestTokenStore;
  readonly nonces: NonceStore;
  readonly secretKey: string;
  readonly now?: () => number;
}

export interface TokenCredentials {
  readonly key: string;
  readonly secret: string;
}

export interface VerifiedRequest {
  readonly consumer: Consumer;
  readonly authorization: Authorization;
}

type Signed = Pick<WebRequest, 'method' | 'url' | 'origin' | 'ip' | 'oauthParams'>;

export class OAuth1Server {
  readonly #deps: OAuth1ServerDeps;

  constructor(deps: OAuth1ServerDeps) {
    this.#deps = deps;
  }

  /** Special:OAuth/initiate (`fetch_request_token`): a request token for a signed consumer. */
  async fetchRequestToken(req: Signed): Promise<{ consumer: Consumer; token: TokenCredentials }> {
    const consumer = await this.#handshakeConsumer(req);
    await this.#checkSignature(req, consumer, '', '');
    const callback = getParam(req.oauthParams, 'oauth_callback');
    checkCallback({ registeredUrl: consumer.callbackUrl, isPrefix: consumer.callbackIsPrefix, callback });
    // Kept as sent ('oob' or the client's URL), as MediaWiki caches it; the redirect resolves 'oob'.
    const token = await this.#deps.requestTokens.issue(consumer.key, callback!);
    return { consumer, token };
  }

  /** Special:OAuth/token (`fetch_access_token`): an authorized request token → the access token. */
  async fetchAccessToken(req: Signed): Promise<{ consumer: Consumer; token: TokenCredentials }> {
    const consumer = await this.#handshakeConsumer(req);
    const requestToken = await this.#deps.requestTokens.find(getParam(req.oauthParams, 'oauth_token'));
    if (!requestToken || requestToken.consumerKey !== consumer.key) throw OAuth1Errors.requestTokenNotFound();
    if (requestToken.used) throw OAuth1Errors.requestTokenAlreadyUsed();
    if (!requestToken.secret) throw OAuth1Errors.badToken();
    await this.#checkSignature(req, consumer, requestToken.key, requestToken.secret);

    // MWOAuthDataStore::new_access_token: a wrong verifier does not use up the token.
    if (!requestToken.verifier || !requestToken.accessKey) throw OAuth1Errors.badToken();
    if (!safeEqual(requestToken.verifier, getParam(req.oauthParams, 'oauth_verifier') ?? '')) throw OAuth1Errors.badVerifier();
    const authorization = await this.#authorizationByToken(consumer, requestToken.accessKey);
    if (!(await this.#deps.requestTokens.consume(requestToken.key))) throw OAuth1Errors.requestTokenAlreadyUsed();
    const isRsa = getParam(req.oauthParams, 'oauth_signature_method') === 'RSA-SHA1';
    return {
      consumer,
      token: {
        key: authorization.accessToken,
        secret: isRsa ? RSA_TOKEN_SECRET : hmacDBSecret(authorization.accessSecret, this.#deps.secretKey),
      },
    };
  }

  /**
   * `verify_request` (+ the source IP check): a request signed with the consumer and an access
   * token. The caller still decides whether that authorization may act (refusalToUse).
   */
  async verifyRequest(req: Signed): Promise<VerifiedRequest> {
    const consumer = await this.#consumer(req);
    const authorization = await this.#authorizationByToken(consumer, getParam(req.oauthParams, 'oauth_token'));
    await this.#checkSignature(req, consumer, authorization.accessToken, hmacDBSecret(authorization.accessSecret, this.#deps.secretKey));
    if (!allowsSourceIp(consumer.restrictions, req.ip)) throw OAuth1Errors.badSourceIp();
    return { consumer, authorization };
  }

  /** `get_version` + `get_consumer`, and only OAuth 1.0a consumers. */
  async #consumer(req: Signed): Promise<Consumer> {
    checkOAuthVersion(req.oauthParams);
    const key = getParam(req.oauthParams, 'oauth_consumer_key');
    if (!key || key === '0') throw OAuth1Errors.invalidConsumerKey();
    const consumer = await this.#deps.consumers.findByKey(key);
    if (!consumer) throw OAuth1Errors.invalidConsumer();
    if (consumer.oauthVersion !== 1) throw OAuth1Errors.badConsumerVersion(await this.#ownerTalk(req, consumer));
    return consumer;
  }

  /** The consumer checks of initiate and token, up to and including the source IP. */
  async #handshakeConsumer(req: Signed): Promise<Consumer> {
    const consumer = await this.#consumer(req);
    if (consumer.ownerOnly) throw OAuth1Errors.consumerOwnerOnly(consumer.name, consumer.key);
    if (consumer.deleted) throw OAuth1Errors.badConsumerKey();
    if (consumer.stage !== 'approved' && consumer.stage !== 'proposed') {
      throw OAuth1Errors.badConsumer(consumer.name, await this.#ownerTalk(req, consumer));
    }
    if (!consumer.secretKey && !consumer.rsaKey) throw OAuth1Errors.consumerNoSecret();
    if (!allowsSourceIp(consumer.restrictions, req.ip)) throw OAuth1Errors.badSourceIp();
    return consumer;
  }

  /** `lookup_token(…, 'access', …)`: the authorization row, and only for this consumer (T103023). */
  async #authorizationByToken(consumer: Consumer, token: string | undefined): Promise<Authorization> {
    const authorization = token && /^[0-9a-f]{32}$/.test(token) ? await this.#deps.authorizations.findByAccessToken(token) : undefined;
    if (!authorization || authorization.consumerId !== consumer.id) throw OAuth1Errors.accessTokenNotFound();
    return authorization;
  }

  /** `check_signature`: timestamp, nonce present, the signature, then the nonce claimed per consumer and token. */
  async #checkSignature(req: Signed, consumer: Consumer, tokenKey: string, tokenSecret: string): Promise<void> {
    const now = this.#deps.now?.() ?? Math.floor(Date.now() / 1000);
    const timestamp = checkTimestamp(req.oauthParams, now);
    const nonce = requireNonce(req.oauthParams);
    const valid = verifySignature({
      method: req.method,
      url: req.url,
      params: req.oauthParams,
      consumerSecret: this.#deps.consumers.clientSecret(consumer) ?? '',
      tokenSecret,
      rsaPublicKey: consumer.rsaKey,
    });
    if (!valid) throw OAuth1Errors.invalidSignature();
    // Claimed only once the signature holds (docs/security.md, "Nonces"): otherwise anyone could
    // use up a client's predictable nonces and have its genuine requests refused as replays.
    if (!(await this.#deps.nonces.claim(consumer.key, tokenKey, nonce, timestamp, now))) throw OAuth1Errors.nonceUsed(nonce);
  }

  async #ownerTalk(req: Signed, consumer: Consumer): Promise<string> {
    const owner = await this.#deps.accounts.findById(consumer.ownerId);
    return userTalkUrl(req.origin, owner?.name ?? String(consumer.ownerId));
  }
}
