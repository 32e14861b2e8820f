/**
 * A per-user session generation (docs/sign-in.md, "Sessions"): every site session records the
 * generation it began in and is refused once the user's generation has moved on. Changing the
 * password, turning two-factor off or a block moves it, which ends every session of that user on
 * every instance at its next use.
 */
export interface SessionGenerations {
  current(userId: number): Promise<number>;
  bump(userId: number): Promise<void>;
}

/** For services used without a site (the CLI's in-memory tests): nothing to end. */
export const NO_SESSIONS: SessionGenerations = { current: async () => 0, bump: async () => undefined };
