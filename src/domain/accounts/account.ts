/** A MediaWiki `user` row as the domain sees it (timestamps stay TS_MW strings). */
export interface Account {
  readonly id: number;
  readonly name: string;
  readonly realName: string;
  readonly email: string;
  /** TS_MW when the address was confirmed; `email_verified` ⇔ not null. */
  readonly emailAuthenticated: string | null;
  readonly registration: string | null;
  readonly editCount: number;
  readonly touched: string;
  readonly passwordHash: string;
  readonly isTemp: boolean;
}

/** A block as it is placed (standalone mode's own block list). */
export interface NewBlock {
  readonly userId: number;
  /** The user who placed it; 0 for the command line. */
  readonly by: number;
  readonly reason: string;
  readonly timestamp: string;
  /** TS_MW or `infinity`. */
  readonly expiry: string;
}

/** A block as read, with what MediaWiki's api.php tells its user (`ApiBlockInfoTrait`). */
export interface AccountBlock extends NewBlock {
  /** `ipb_id`/`bl_id`; a standalone block (one per user, keyed by the user) has the user's id. */
  readonly id: number;
  /** Name of the user who placed it; '' when none (the command line). */
  readonly byName: string;
  /** A partial block (MediaWiki `ipb_sitewide` 0) still counts as a block for sign-in and `blocked`. */
  readonly sitewide: boolean;
  /** Suppressed from public logs (`ipb_deleted`); the user is blocked all the same. */
  readonly hidden: boolean;
  /** Account creation is blocked too (`ipb_create_account`). */
  readonly noCreate: boolean;
}

export interface NewAccount {
  readonly name: string;
  readonly passwordHash: string;
  readonly email: string;
  readonly emailAuthenticated: string | null;
  readonly realName: string;
}

/** Storage port for accounts (implemented in src/storage/sql). */
export interface AccountRepository {
  findById(id: number): Promise<Account | undefined>;
  findByName(name: string): Promise<Account | undefined>;
  create(account: NewAccount): Promise<Account>;
  setPassword(id: number, passwordHash: string): Promise<void>;
  setEmail(id: number, email: string, authenticated: string | null): Promise<void>;
  groups(id: number): Promise<string[]>;
  addGroups(id: number, groups: readonly string[]): Promise<void>;
  findBlock(id: number): Promise<AccountBlock | undefined>;
  putBlock(block: NewBlock): Promise<void>;
  removeBlock(id: number): Promise<boolean>;
}
