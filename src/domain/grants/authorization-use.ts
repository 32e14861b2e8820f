import type { AccountService } from '../accounts/account-service.js';
import { isUsableBy, type Consumer } from '../consumers/consumer.js';

/** Why signed credentials may not act (MediaWiki's `mwoauth-invalid-authorization-*` keys). */
export type UseRefusal = 'wrong-wiki' | 'invalid-user' | 'blocked-user' | 'not-approved';

export interface AuthorizationUse {
  readonly consumer: Consumer;
  /** null: a client_credentials token of a consumer that is not owner-only (anonymous). */
  readonly userId: number | null;
  /** `oaac_wiki` of the authorization, when there is a row. */
  readonly authorizationWiki?: string;
  /** This site's wiki id (`WIKI_ID`). */
  readonly wikiId: string;
}

/**
 * The checks `SessionProvider::provideSessionInfo` (and `Special:OAuth/identify`) run once the
 * credentials themselves are valid: the authorization is for this wiki, the user exists and is
 * not locked out by a block (`$wgBlockDisablesLogin`; without it MediaWiki lets a blocked user's
 * credentials through and the block limits what they may do), and the consumer is usable by them
 * and meant for this wiki.
 */
export async function refusalToUse(accounts: AccountService, use: AuthorizationUse): Promise<UseRefusal | undefined> {
  const onThisWiki = (wiki: string) => wiki === '*' || wiki === use.wikiId;
  if (use.authorizationWiki !== undefined && !onThisWiki(use.authorizationWiki)) return 'wrong-wiki';
  if (use.userId !== null) {
    const account = await accounts.findById(use.userId);
    if (!account) return 'invalid-user';
    if (await accounts.isLockedOut(use.userId)) return 'blocked-user';
  }
  if (!isUsableBy(use.consumer, use.userId ?? 0)) return 'not-approved';
  if (!onThisWiki(use.consumer.wiki)) return 'wrong-wiki';
  return undefined;
}
