import { DomainError } from '../errors.js';

/*
 * MediaWiki's default `$wgPasswordPolicy` (docs/sign-in.md, "Passwords"): every user
 * gets the `default` policy; members of the privileged groups get the stricter values too, merged
 * as MediaWiki merges policies (the larger number, either flag).
 */
interface Policy {
  /** Bytes, like PHP's strlen. */
  readonly minimalLength: number;
  readonly minimumLengthToLogin: number;
  readonly maximalLength: number;
  readonly cannotBeSubstringInUsername: boolean;
  readonly cannotMatchDefaults: boolean;
  readonly notInCommonList: boolean;
}

const DEFAULT_POLICY: Policy = {
  minimalLength: 1,
  minimumLengthToLogin: 0,
  maximalLength: 4096,
  cannotBeSubstringInUsername: true,
  cannotMatchDefaults: true,
  notInCommonList: true,
};

const PRIVILEGED_POLICY: Partial<Policy> = { minimalLength: 10, minimumLengthToLogin: 1 };
const PRIVILEGED_GROUPS: ReadonlySet<string> = new Set(['bureaucrat', 'sysop', 'interface-admin', 'bot']);

/** PasswordPolicyChecks::checkPasswordCannotMatchDefaults: the installer's test accounts. */
const DEFAULT_CREDENTIALS: ReadonlyMap<string, string> = new Map([
  ['Useruser', 'Passpass'],
  ['Useruser1', 'Passpass1'],
]);
const EXAMPLE_PASSWORD = 'ExamplePassword';

/**
 * The list of common passwords (`PasswordNotInCommonList`), supplied by storage: MediaWiki checks a
 * Bloom filter of a public top-100,000 list of leaked passwords (see src/storage/common-passwords.ts
 * for the list used here).
 */
export interface CommonPasswords {
  has(password: string): boolean;
}

const NO_LIST: CommonPasswords = { has: () => false };

function policyFor(groups: readonly string[]): Policy {
  if (!groups.some((group) => PRIVILEGED_GROUPS.has(group))) return DEFAULT_POLICY;
  return {
    ...DEFAULT_POLICY,
    minimalLength: Math.max(DEFAULT_POLICY.minimalLength, PRIVILEGED_POLICY.minimalLength ?? 0),
    minimumLengthToLogin: Math.max(DEFAULT_POLICY.minimumLengthToLogin, PRIVILEGED_POLICY.minimumLengthToLogin ?? 0),
  };
}

/**
 * A new password for `userName` (canonical) in `groups` (explicit groups): throws
 * `invalid_password` with MediaWiki's message for the first rule it breaks.
 */
export function checkNewPassword(userName: string, password: string, groups: readonly string[] = [], common: CommonPasswords = NO_LIST): void {
  const policy = policyFor(groups);
  const bytes = Buffer.byteLength(password);
  if (bytes < policy.minimalLength) {
    refuse(`Passwords must be at least ${policy.minimalLength} character${policy.minimalLength === 1 ? '' : 's'}.`);
  }
  if (bytes > policy.maximalLength) refuse(`Passwords must be shorter than ${policy.maximalLength} characters.`);
  if (policy.cannotBeSubstringInUsername && password !== '' && userName.toLowerCase().includes(password.toLowerCase())) {
    refuse('Your password must be different from your username.');
  }
  if (policy.cannotMatchDefaults && (DEFAULT_CREDENTIALS.get(userName) === password || password === EXAMPLE_PASSWORD)) {
    refuse('The use of this username and password combination has been prevented by default.');
  }
  if (policy.notInCommonList && common.has(password)) {
    refuse('The password entered is in a list of very commonly used passwords. Please choose a more unique password.');
  }
}

/**
 * The rules that refuse a sign-in outright (MediaWiki's `MinimumPasswordLengthToLogin` and
 * `MaximalPasswordLength`); the others only suggest a change after signing in.
 */
export function passwordCanSignIn(password: string, groups: readonly string[] = []): boolean {
  const policy = policyFor(groups);
  const bytes = Buffer.byteLength(password);
  return bytes >= policy.minimumLengthToLogin && bytes <= policy.maximalLength;
}

function refuse(message: string): never {
  throw new DomainError('invalid_password', message);
}
