import { DomainError } from '../errors.js';

// MediaWiki's legal title characters exclude these; user names also exclude `@`, `/`, `:`
// (User::isValidUserName / TitleParser).
const INVALID = /[#<>[\]|{}/@:\u0000-\u001f\u007f\ufffd]/u;
const IP_LIKE = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+::?[0-9a-f:]*$/i;

/**
 * MediaWiki's user-name canonicalization: underscores are spaces, runs of spaces collapse, the
 * first letter is upper-case ($wgCapitalLinks), and names that could not be a page title or look
 * like an IP address are refused.
 */
export function canonicalUserName(input: string): string {
  const name = input.replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
  const canonical = name.charAt(0).toUpperCase() + name.slice(1);
  if (canonical === '' || Buffer.byteLength(canonical) > 255 || INVALID.test(canonical) || IP_LIKE.test(canonical)) {
    throw new DomainError('invalid_user_name', `"${input}" is not a valid user name`);
  }
  return canonical;
}
