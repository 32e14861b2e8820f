/**
 * Authentication levels (docs/sign-in.md, "Authentication levels"): the `amr` values of RFC 8176 a
 * sign-in records, and the two `acr` values wikiauth issues and relying parties may ask for.
 */
/** What a sign-in with the password alone records (RFC 8176 `pwd`). */
export const PASSWORD_ONLY: readonly string[] = Object.freeze(['pwd']);
/** The factors of a sign-in with a second factor (RFC 8176: a scratch token is a one-time password too). */
export const TWO_FACTORS: readonly string[] = Object.freeze(['pwd', 'otp']);

export const ACR_PASSWORD = 'urn:wikiauth:acr:password';
export const ACR_TWO_FACTOR = 'urn:wikiauth:acr:two-factor';
export const ACR_VALUES: readonly string[] = Object.freeze([ACR_PASSWORD, ACR_TWO_FACTOR]);

/** A password and a one-time code (TOTP or scratch token). */
export function hasTwoFactors(amr: readonly string[] | undefined): boolean {
  return !!amr?.includes('pwd') && amr.includes('otp');
}

export function acrFor(amr: readonly string[] | undefined): string {
  return hasTwoFactors(amr) ? ACR_TWO_FACTOR : ACR_PASSWORD;
}

/**
 * Whether an authorization request needs two factors: the consumer demands them, or the client's
 * `acr_values` (OIDC Core §3.1.2.1, in order of preference) name the two-factor level and not the
 * password one. Unknown values alone ask for nothing: the parameter is voluntary.
 */
export function twoFactorDemanded(consumer: { readonly requireTwoFactor?: boolean } | undefined, acrValues: unknown): boolean {
  if (consumer?.requireTwoFactor) return true;
  const values = typeof acrValues === 'string' ? acrValues.split(' ') : [];
  return values.includes(ACR_TWO_FACTOR) && !values.includes(ACR_PASSWORD);
}

/** The levels a sign-in reaches: two factors satisfy the password level too. */
function levelsOf(amr: readonly string[] | undefined): readonly string[] {
  return hasTwoFactors(amr) ? [ACR_TWO_FACTOR, ACR_PASSWORD] : [ACR_PASSWORD];
}

/**
 * The `acr` to report for a sign-in: the client's most preferred requested value it reaches, else
 * the highest level it reaches.
 */
export function acrToReport(amr: readonly string[] | undefined, requested: readonly string[] | undefined): string {
  const reached = levelsOf(amr);
  return requested?.find((value) => reached.includes(value)) ?? acrFor(amr);
}

/** What an authorization request asks of the sign-in's level. */
export interface LevelRequest {
  /** The provider's two-factor check asked (the consumer's setting or `acr_values`). */
  readonly twoFactorAsked: boolean;
  /** The values of an essential `acr` claim request (OIDC Core §5.5.1.1), if one was made. */
  readonly essential: readonly string[] | undefined;
  readonly acrValues: unknown;
}

export interface RequestedLevel {
  /** Only a sign-in with two factors will do. */
  readonly twoFactor: boolean;
  /** The client's acceptable levels in order of preference (for the reported `acr`). */
  readonly requested: readonly string[] | undefined;
  /** An essential request naming no level wikiauth has: it cannot be met. */
  readonly unreachable: boolean;
}

export function requestedLevel({ twoFactorAsked, essential, acrValues }: LevelRequest): RequestedLevel {
  const requested = essential ?? (typeof acrValues === 'string' ? acrValues.split(' ') : undefined);
  const essentialTwoFactor = essential !== undefined && essential.includes(ACR_TWO_FACTOR) && !essential.includes(ACR_PASSWORD);
  return {
    twoFactor: twoFactorAsked || essentialTwoFactor,
    requested,
    unreachable: essential !== undefined && !essential.some((value) => ACR_VALUES.includes(value)),
  };
}
