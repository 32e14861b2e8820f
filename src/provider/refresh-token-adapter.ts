import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';

export interface RefreshTokenAdapterDeps {
  /** MediaWiki's `$wgOAuth2RefreshTokenGracePeriod`, seconds. */
  readonly gracePeriod: number;
  /** Revoke an access token by `jti` (its registration and its stored payload). */
  revokeAccessToken(jti: string): Promise<void>;
}

interface Issued {
  accessToken?: string;
  refreshToken?: { id: string; payload: AdapterPayload; expiresIn: number | undefined };
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * Refresh tokens as MediaWiki handles them (docs/mediawiki-compat.md "Refresh"):
 * - each remembers the access token issued with it, which stops working when it is used;
 * - a narrower `scope` on refresh stays narrow for the tokens that follow;
 * - a used refresh token can be used again for `gracePeriod` seconds (a client that lost the
 *   response to a network error keeps its session); after that a reuse is a replay and
 *   oidc-provider revokes the whole grant (RFC 9700 §4.14.2).
 * The access and refresh token of one response are paired through the request's context: a code
 * exchange saves the access token first, a refresh saves the refresh token first.
 */
export class RefreshTokens {
  readonly #issued = new WeakMap<object, Issued>();
  readonly #deps: RefreshTokenAdapterDeps;
  readonly #inner: Adapter;

  /** `inner` stores refresh tokens. */
  constructor(inner: Adapter, deps: RefreshTokenAdapterDeps) {
    this.#inner = inner;
    this.#deps = deps;
  }

  /** Called by the access-token adapter once an access token is stored. */
  async accessTokenSaved(jti: string): Promise<void> {
    const issued = this.#current();
    if (!issued) return;
    issued.accessToken = jti;
    const rt = issued.refreshToken;
    if (rt) await this.#inner.upsert(rt.id, { ...rt.payload, accessTokenJti: jti }, rt.expiresIn);
  }

  adapter(): Adapter {
    const inner = this.#inner;
    const grace = this.#deps.gracePeriod;
    const withinGrace = (stored: AdapterPayload | undefined | void) => typeof stored?.consumed === 'number' && now() - stored.consumed < grace;
    return {
      upsert: async (id, payload, expiresIn) => {
        const issued = this.#current();
        const stored: AdapterPayload & { accessTokenJti?: string } = { ...payload, scope: narrowedScope(payload.scope) };
        if (issued?.accessToken) stored.accessTokenJti = issued.accessToken;
        if (issued) issued.refreshToken = { id, payload: stored, expiresIn };
        await inner.upsert(id, stored, expiresIn);
      },
      find: async (id) => {
        const stored = await inner.find(id);
        if (!stored || !withinGrace(stored)) return stored;
        const { consumed: _consumed, ...usable } = stored;
        return usable;
      },
      consume: async (id) => {
        const stored = await inner.find(id);
        if (!stored) throw new errors.InvalidGrant('refresh token not found');
        if (!withinGrace(stored)) {
          try {
            await inner.consume(id);
          } catch (err) {
            // Lost a race with a concurrent use of the same token: that use is within the grace period.
            if (!withinGrace(await inner.find(id))) throw err;
          }
        }
        if (typeof stored.accessTokenJti === 'string') await this.#deps.revokeAccessToken(stored.accessTokenJti);
      },
      destroy: (id) => inner.destroy(id),
      revokeByGrantId: (grantId) => inner.revokeByGrantId(grantId),
      findByUid: (uid) => inner.findByUid(uid),
      findByUserCode: (code) => inner.findByUserCode(code),
    };
  }

  #current(): Issued | undefined {
    const ctx = Provider.ctx;
    if (!ctx) return undefined;
    let issued = this.#issued.get(ctx);
    if (!issued) this.#issued.set(ctx, (issued = {}));
    return issued;
  }
}

/**
 * MediaWiki keeps a scope narrowed on refresh for the new refresh token too; oidc-provider copies
 * the old token's scope. The refresh request's `scope` (already checked against the grant) wins.
 */
function narrowedScope(scope: string | undefined): string | undefined {
  const ctx = Provider.ctx;
  const params = ctx?.oidc?.params as { grant_type?: unknown; scope?: unknown } | undefined;
  if (scope === undefined || params?.grant_type !== 'refresh_token' || typeof params.scope !== 'string' || !params.scope) return scope;
  const requested = new Set(params.scope.split(' '));
  return scope.split(' ').filter((s) => requested.has(s)).join(' ');
}
