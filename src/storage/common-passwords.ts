import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswords } from '../domain/accounts/password-policy.js';

let list: ReadonlySet<string> | undefined;

/**
 * The ~49,000 leaked passwords zxcvbn-ts keeps (lower-case), loaded on first use; a password is
 * common when its lower-case form is listed. MediaWiki's own list is a Bloom filter of a public
 * top-100,000 list, compared case-sensitively (docs/sign-in.md, "Passwords").
 */
export function commonPasswords(): CommonPasswords {
  return {
    has(password: string): boolean {
      list ??= new Set(dictionary['passwords-common'] as string[]);
      return list.has(password.toLowerCase());
    },
  };
}
