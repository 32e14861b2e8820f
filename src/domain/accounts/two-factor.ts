/**
 * A TOTP enrolment as Extension:OATHAuth 1.39 keeps it in `oathauth_users` (module `totp`, `data`
 * JSON; docs/sign-in.md, "Two-factor authentication"): a base32 secret and single-use scratch
 * tokens, read and written in that shape so a wiki's own rows can be used as they are.
 */
export interface OathKey {
  readonly secret: string;
  readonly scratchTokens: readonly string[];
}

/** RFC 6238 checking as OATHAuth does it, supplied from outside the domain. */
export interface TotpVerifier {
  /**
   * The time step a code matched within OATHAuth's window, or undefined. `afterStep` refuses that step
   * and every earlier one, so a code cannot be used twice.
   */
  verify(secret: string, code: string, afterStep: number | undefined, nowSeconds?: number): Promise<number | undefined>;
}

/** `{"keys":[{"secret":…,"scratch_tokens":[…]}]}`; older rows hold the tokens as one comma-separated string. */
export function parseOathData(data: string): OathKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  const key = (parsed as { keys?: unknown[] } | null)?.keys?.[0] as { secret?: unknown; scratch_tokens?: unknown } | undefined;
  if (typeof key?.secret !== 'string' || !/^[A-Z2-7]+=*$/i.test(key.secret)) return undefined;
  const tokens = typeof key.scratch_tokens === 'string' ? key.scratch_tokens.split(',') : key.scratch_tokens;
  const scratchTokens = Array.isArray(tokens) ? tokens.filter((t): t is string => typeof t === 'string' && t !== '') : [];
  return { secret: key.secret.replace(/=+$/, '').toUpperCase(), scratchTokens };
}

export function formatOathData(key: OathKey): string {
  return JSON.stringify({ keys: [{ secret: key.secret, scratch_tokens: [...key.scratchTokens] }] });
}

/** OATHAuth strips whitespace from what the user typed. */
export function normalizeCode(code: string): string {
  return code.replace(/\s+/g, '');
}

/** A matching scratch token, used up: the key without it, or undefined when none matched. */
export function useScratchToken(key: OathKey, code: string): OathKey | undefined {
  const typed = normalizeCode(code).toUpperCase();
  const index = key.scratchTokens.findIndex((token) => token.toUpperCase() === typed);
  if (index < 0) return undefined;
  return { secret: key.secret, scratchTokens: key.scratchTokens.filter((_, i) => i !== index) };
}
