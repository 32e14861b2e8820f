import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Counters } from '../artifacts/stores.js';
import { canonicalUserName } from './user-name.js';

/** One `$wgPasswordAttemptThrottle` condition; `allIPs` counts the account from every address. */
export interface ThrottleCondition {
  readonly count: number;
  readonly seconds: number;
  readonly allIPs?: boolean;
}

/** MediaWiki's default `$wgPasswordAttemptThrottle`: per account and address, 5 in 5 minutes, 150 in 48 hours. */
export const PASSWORD_ATTEMPT_THROTTLE: readonly ThrottleCondition[] = [
  { count: 5, seconds: 300 },
  { count: 150, seconds: 172_800 },
];

/** Beyond MediaWiki: attempts from one address on any account (password spraying), 50 in 5 minutes. */
export const PER_ADDRESS: ThrottleCondition = { count: 50, seconds: 300 };

/**
 * MediaWiki's `$wgRateLimits['badoath']` (OATHAuth): 10 wrong second-factor codes a minute per
 * account, from every address. Counted besides the password throttle (docs/sign-in.md).
 */
export const BAD_OATH_THROTTLE: readonly ThrottleCondition[] = [{ count: 10, seconds: 60, allIPs: true }];

/**
 * Sign-in throttle (docs/sign-in.md, "Passwords"). Each attempt is counted before the
 * password is checked, with one atomic increment per counter, and refused when a count passes its
 * limit: 30 parallel attempts get exactly `count` checks. The account is the canonical user name
 * (`name`, `Name_` and `Name` are one account) and an IPv6 address counts as its /64.
 */
export class PasswordThrottle {
  readonly #counters: Counters;
  readonly #conditions: readonly ThrottleCondition[];
  readonly #perAddress: ThrottleCondition;
  readonly #scope: string;

  /** `scope` keeps the counters of separate throttles (passwords, second-factor codes) apart. */
  constructor(counters: Counters, conditions = PASSWORD_ATTEMPT_THROTTLE, perAddress = PER_ADDRESS, scope = 'password') {
    this.#counters = counters;
    this.#conditions = conditions;
    this.#perAddress = perAddress;
    this.#scope = scope;
  }

  /** Counts the attempt; true when it may go on to the password check. */
  async attempt(ip: string, userName: string): Promise<boolean> {
    const counts = await Promise.all(
      this.#buckets(ip, userName).map(async ({ key, condition }) => (await this.#counters.increment(key, condition.seconds)) <= condition.count),
    );
    return counts.every(Boolean);
  }

  /**
   * A successful sign-in clears the account's counters (ThrottlePreAuthenticationProvider::postAuthentication)
   * and gives its hit on the address back: the per-address limit is for guessing across accounts, and
   * many people signing in from one address (a school's NAT) must not use it up.
   */
  async clear(ip: string, userName: string): Promise<void> {
    await Promise.all([
      ...this.#accountBuckets(ip, userName).map(({ key }) => this.#counters.reset(key)),
      this.#counters.giveBack(this.#addressBucket(ip).key),
    ]);
  }

  #buckets(ip: string, userName: string): { key: string; condition: ThrottleCondition }[] {
    return [...this.#accountBuckets(ip, userName), this.#addressBucket(ip)];
  }

  #addressBucket(ip: string): { key: string; condition: ThrottleCondition } {
    const key = this.#scope === 'password' ? `ip:${addressKey(ip)}` : `${this.#scope}:ip:${addressKey(ip)}`;
    return { key, condition: this.#perAddress };
  }

  #accountBuckets(ip: string, userName: string): { key: string; condition: ThrottleCondition }[] {
    const account = createHash('md5').update(accountKey(userName)).digest('hex');
    return this.#conditions.map((condition, index) => ({ key: `${this.#scope}:${index}:${condition.allIPs ? '' : addressKey(ip)}:${account}`, condition }));
  }
}

/** The canonical user name; text that cannot be one is counted as typed, lower-cased. */
function accountKey(userName: string): string {
  try {
    return canonicalUserName(userName);
  } catch {
    return userName.trim().toLowerCase();
  }
}

/** IPv4 as is; IPv6 by its /64 (one subscriber's network), an IPv4-mapped IPv6 as its IPv4. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.padStart(4, '0'))
    .join(':')}::/64`;
}
