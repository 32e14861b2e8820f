import { DomainError, NotFoundError } from '../errors.js';
import { fromMwTimestamp, INFINITY, toMwTimestamp } from '../mw-timestamp.js';
import type { Account, AccountBlock, AccountRepository } from './account.js';
import { DEFAULT_PBKDF2, hashPassword, needsRehash, verifyPassword, type Pbkdf2Params } from './password.js';
import { checkNewPassword, passwordCanSignIn, type CommonPasswords } from './password-policy.js';
import { NO_SESSIONS, type SessionGenerations } from './session-generations.js';
import { effectiveGroups, rightsForGroups, STANDALONE_RIGHTS, type RightsPolicy } from './rights.js';
import { canonicalUserName } from './user-name.js';

export interface CreateAccountInput {
  readonly name: string;
  readonly password: string;
  readonly email?: string;
  readonly realName?: string;
  readonly groups?: readonly string[];
}

/** The user as OAuth sees them: account, effective groups and rights, block state. */
export interface UserProfile {
  readonly account: Account;
  readonly groups: string[];
  readonly rights: string[];
  readonly blocked: boolean;
}

export interface AccountOptions {
  /** `$wgPasswordConfig['pbkdf2']`: the parameters of new hashes; other hashes are upgraded at sign-in. */
  readonly pbkdf2?: Pbkdf2Params;
  /** `PasswordNotInCommonList`: new passwords on this list are refused. */
  readonly commonPasswords?: CommonPasswords;
  /** Ended on a password change and a block. */
  readonly sessions?: SessionGenerations;
}

/** How the wiki treats users: its rights settings and `$wgBlockDisablesLogin`. */
export interface AccountPolicy extends AccountOptions {
  readonly rights?: RightsPolicy;
  readonly blockDisablesLogin?: boolean;
}

export class AccountService {
  readonly #accounts: AccountRepository;
  readonly #rights: RightsPolicy;
  readonly #blockDisablesLogin: boolean;
  readonly #pbkdf2: Pbkdf2Params;
  readonly #common: CommonPasswords | undefined;
  readonly #sessions: SessionGenerations;
  readonly #passwordChanged: (userId: number) => Promise<number>;

  /**
   * `passwordChanged` runs after every password change: the grant service revokes the user's
   * authorizations there (MediaWiki invalidates OAuth access on a new password), returning how many.
   */
  constructor(accounts: AccountRepository, policy: AccountPolicy = {}, hooks: { passwordChanged?: (userId: number) => Promise<number> } = {}) {
    this.#accounts = accounts;
    this.#rights = policy.rights ?? STANDALONE_RIGHTS;
    this.#blockDisablesLogin = policy.blockDisablesLogin ?? false;
    this.#pbkdf2 = policy.pbkdf2 ?? DEFAULT_PBKDF2;
    this.#common = policy.commonPasswords;
    this.#sessions = policy.sessions ?? NO_SESSIONS;
    this.#passwordChanged = hooks.passwordChanged ?? (async () => 0);
  }

  async create(input: CreateAccountInput): Promise<Account> {
    const name = canonicalUserName(input.name);
    checkNewPassword(name, input.password, input.groups, this.#common);
    if (await this.#accounts.findByName(name)) {
      throw new DomainError('user_exists', `The user "${name}" already exists`);
    }
    const email = input.email ?? '';
    if (email !== '' && !isEmailAddress(email)) throw new DomainError('invalid_email', `"${email}" is not an email address`);
    const account = await this.#accounts.create({
      name,
      passwordHash: await hashPassword(input.password, this.#pbkdf2),
      email,
      // createAndPromote --email records the address as confirmed (docs/mediawiki-compat.md §10).
      emailAuthenticated: email === '' ? null : toMwTimestamp(),
      realName: input.realName ?? '',
    });
    if (input.groups?.length) await this.#accounts.addGroups(account.id, input.groups);
    return account;
  }

  /**
   * A system account (MediaWiki's User::newSystemUser): owns things no person registered, and can
   * never sign in (an empty password hash verifies as false). Created on first use.
   */
  async systemAccount(name: string): Promise<Account> {
    const canonical = canonicalUserName(name);
    const existing = await this.#accounts.findByName(canonical);
    if (existing) return existing;
    try {
      return await this.#accounts.create({ name: canonical, passwordHash: '', email: '', emailAuthenticated: null, realName: '' });
    } catch (err) {
      // Another request created it first (unique user_name).
      const created = await this.#accounts.findByName(canonical);
      if (created) return created;
      throw err;
    }
  }

  /** createAndPromote --force on an existing user: add groups, optionally reset password/email. */
  async promote(name: string, groups: readonly string[]): Promise<Account> {
    const account = await this.require(name);
    if (groups.length) await this.#accounts.addGroups(account.id, groups);
    return account;
  }

  async require(name: string): Promise<Account> {
    const account = await this.#accounts.findByName(canonicalUserName(name));
    if (!account) throw new NotFoundError(`The user "${name}"`);
    return account;
  }

  findById(id: number): Promise<Account | undefined> {
    return this.#accounts.findById(id);
  }

  async findByName(name: string): Promise<Account | undefined> {
    try {
      return await this.#accounts.findByName(canonicalUserName(name));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'invalid_user_name') return undefined;
      throw err;
    }
  }

  /**
   * Sign-in check. One error for an unknown user and a wrong password, so the answer does not
   * reveal which names exist; a hash in an old format is upgraded to MediaWiki's current default.
   */
  async authenticate(name: string, password: string): Promise<Account> {
    const account = await this.findByName(name);
    const stored = account?.passwordHash ?? DUMMY_HASH;
    const groups = account ? await this.#accounts.groups(account.id) : [];
    const ok = passwordCanSignIn(password, groups) && (await verifyPassword(password, stored, account?.id ?? 0));
    if (!account || !ok || account.isTemp) throw new DomainError('login_failed', 'Incorrect username or password entered.');
    // CheckBlocksSecondaryAuthenticationProvider: only `$wgBlockDisablesLogin` keeps blocked users out.
    if (await this.isLockedOut(account.id)) throw new DomainError('user_blocked', 'This account is blocked.');
    if (needsRehash(stored, this.#pbkdf2)) await this.#accounts.setPassword(account.id, await hashPassword(password, this.#pbkdf2));
    return account;
  }

  /** A new password; every app authorization of the user is revoked (`revoked` says how many) and every site session ends. */
  async setPassword(name: string, password: string): Promise<Account & { readonly revoked: number }> {
    const account = await this.require(name);
    checkNewPassword(account.name, password, await this.#accounts.groups(account.id), this.#common);
    await this.#accounts.setPassword(account.id, await hashPassword(password, this.#pbkdf2));
    await this.#sessions.bump(account.id);
    return { ...account, revoked: await this.#passwordChanged(account.id) };
  }

  async setEmail(name: string, email: string): Promise<void> {
    if (!isEmailAddress(email)) throw new DomainError('invalid_email', `"${email}" is not an email address`);
    const account = await this.require(name);
    await this.#accounts.setEmail(account.id, email, toMwTimestamp());
  }

  async block(name: string, reason: string, by = 0, expiry: string = INFINITY): Promise<Account> {
    const account = await this.require(name);
    await this.#accounts.putBlock({ userId: account.id, by, reason, timestamp: toMwTimestamp(), expiry });
    await this.#sessions.bump(account.id);
    return account;
  }

  async unblock(name: string): Promise<Account> {
    const account = await this.require(name);
    if (!(await this.#accounts.removeBlock(account.id))) {
      throw new DomainError('not_blocked', `The user "${account.name}" is not blocked`);
    }
    return account;
  }

  async isBlocked(userId: number): Promise<boolean> {
    return (await this.currentBlock(userId)) !== undefined;
  }

  /** The block in force on the user now, if any (expired rows wait for MediaWiki's purge). */
  async currentBlock(userId: number): Promise<AccountBlock | undefined> {
    const block = await this.#accounts.findBlock(userId);
    return block && isActive(block) ? block : undefined;
  }

  /**
   * Blocked while `$wgBlockDisablesLogin` is set: such a user may not sign in, and nothing signed
   * in before (site session, tokens, grants, OAuth 1.0a credentials) acts for them any more.
   */
  async isLockedOut(userId: number): Promise<boolean> {
    return this.#blockDisablesLogin && (await this.isBlocked(userId));
  }

  /**
   * The user as they may act now: account, effective groups and rights, block state. Undefined for
   * an unknown user and for one locked out by a block (isLockedOut), so every path that acts for a
   * user (token requests, userinfo, resource endpoints, pages, APIs) refuses them alike.
   */
  async profile(userId: number): Promise<UserProfile | undefined> {
    const account = await this.#accounts.findById(userId);
    if (!account) return undefined;
    const [explicit, blocked] = await Promise.all([this.#accounts.groups(userId), this.isBlocked(userId)]);
    if (blocked && this.#blockDisablesLogin) return undefined;
    const groups = effectiveGroups(explicit, this.#rights, promotionFacts(account));
    return { account, groups, rights: rightsForGroups(groups, this.#rights), blocked };
  }

  /** Rights of someone not signed in (the `*` group). */
  anonymousRights(): string[] {
    return rightsForGroups(['*'], this.#rights);
  }
}

/** Edit count and account age for `$wgAutopromote`; a missing registration time counts as very old (UserGroupManager). */
function promotionFacts(account: Account): { editCount: number; age: number } {
  const registered = account.registration ? fromMwTimestamp(account.registration).getTime() : Number.NaN;
  return { editCount: account.editCount, age: Number.isNaN(registered) ? Infinity : (Date.now() - registered) / 1000 };
}

function isActive(block: AccountBlock): boolean {
  return block.expiry === INFINITY || block.expiry > toMwTimestamp();
}

export function isEmailAddress(email: string): boolean {
  // Sanitizer::validateEmail: something@something, no spaces.
  return /^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 255;
}

// Verifying against a fixed hash when the user does not exist keeps both answers equally slow.
const DUMMY_HASH = ':pbkdf2:sha512:30000:64:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';
