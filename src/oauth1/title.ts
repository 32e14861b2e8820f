/**
 * Recognises a request for Special:OAuth/<sub> in every URL shape MediaWiki serves it under
 * (docs/architecture.md §2): `index.php?title=…` at the script path or the root, `/?title=…`,
 * `index.php/<title>` (PATH_INFO) and the article path `/wiki/<title>`.
 *
 * Title handling follows MediaWiki: the path form is percent-decoded and wins over `?title=`
 * (`WebRequest::interpolateTitle`); `TitleParser` turns spaces into underscores, drops bidi marks,
 * collapses whitespace runs and trims; the `Special` namespace is matched case-insensitively;
 * and `SpecialPageFactory::resolveAlias` case-folds the page name, so `OAuth`, `Oauth`, `oauth`
 * and the alias `MWOAuth` are all the same page. The subpage is kept as written (underscores).
 */
import { rawurldecode } from '../mediawiki/php.js';

export const OAUTH_SUBPAGES = [
  'initiate', 'authorize', 'authenticate', 'token', 'identify', 'verified', 'grants', 'rest_redirect',
] as const;
export type OAuthSubpage = (typeof OAUTH_SUBPAGES)[number];

/** English aliases of Special:OAuth (`MWOAuth.alias.php`), case-folded. */
const PAGE_ALIASES = new Set(['oauth', 'mwoauth']);

export interface SpecialOAuthRequest {
  /** A known subpage, or null for none (explanation page) or an unknown one (error E002/E003). */
  subpage: OAuthSubpage | null;
  /** The subpage text as requested ('' when there is none). */
  rawSubpage: string;
  /** Whether the title came from `?title=` (the client then signed it as a parameter). */
  fromQuery: boolean;
}

/** `MediaWikiTitleCodec::splitTitleString`'s normalisation of title text into a DB key. */
function toDbKey(text: string): string {
  return text
    .split('#')[0]!
    .replace(/[\u200E\u200F\u202A-\u202E]/g, '')
    .replace(/[ _\u00A0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Title text → Special:OAuth subpage text ('' for none), or null if it is another page. */
export function specialOAuthSubpage(title: string): string | null {
  let key = toDbKey(title);
  // A leading colon only forces the namespace parse (TitleParser strips it).
  if (key.startsWith(':')) key = key.slice(1).replace(/^_+/, '');
  const ns = /^(.+?)_*:_*(.*)$/s.exec(key);
  if (!ns || ns[1]!.toLowerCase() !== 'special') return null;
  const slash = ns[2]!.indexOf('/');
  const name = slash === -1 ? ns[2]! : ns[2]!.slice(0, slash);
  if (!PAGE_ALIASES.has(name.toLowerCase())) return null;
  return slash === -1 ? '' : ns[2]!.slice(slash + 1);
}

function lastTitleParam(query: URLSearchParams): string | undefined {
  // PHP's $_GET keeps the last of repeated keys.
  return query.getAll('title').at(-1);
}

/**
 * @param pathname the raw (still percent-encoded) request path, e.g. koa's `ctx.path`
 * @param scriptPath MediaWiki's `$wgScriptPath` ('' for a wiki at the root)
 * @param articlePath the part of `$wgArticlePath` before `$1`
 */
export function matchSpecialOAuth(
  pathname: string,
  query: URLSearchParams,
  scriptPath = '/w',
  articlePath = '/wiki',
): SpecialOAuthRequest | null {
  let title: string | undefined;
  let fromQuery = false;
  const prefixes = [`${articlePath}/`, `${scriptPath}/index.php/`, '/index.php/'];
  const prefix = prefixes.find((p) => pathname.startsWith(p) && pathname.length > p.length);
  if (prefix) {
    title = rawurldecode(pathname.slice(prefix.length));
  } else if (['/', '/index.php', `${scriptPath}/index.php`, `${scriptPath}/`].includes(pathname)) {
    title = lastTitleParam(query);
    fromQuery = true;
  }
  if (title === undefined) return null;
  const rawSubpage = specialOAuthSubpage(title);
  if (rawSubpage === null) return null;
  const known = (OAUTH_SUBPAGES as readonly string[]).includes(rawSubpage);
  return { subpage: known ? (rawSubpage as OAuthSubpage) : null, rawSubpage, fromQuery };
}

/** Shorthand: the known subpage requested, or null. */
export function oauthSubpage(pathname: string, query: URLSearchParams, scriptPath = '/w'): OAuthSubpage | null {
  return matchSpecialOAuth(pathname, query, scriptPath)?.subpage ?? null;
}
