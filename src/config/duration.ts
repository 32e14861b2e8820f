/**
 * Lifetimes are given like MediaWiki's `$wgOAuth2GrantExpirationInterval` (ISO 8601 durations such
 * as `PT1H`, `P1M`) or as plain seconds. Calendar units use fixed lengths (Y = 365 d, M = 30 d), as
 * a token lifetime needs a number of seconds, not a calendar date.
 */
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const UNIT_SECONDS = [365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1];

/** Seconds for `3600` or `PT1H`; undefined when the text is neither. */
export function parseDurationSeconds(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const match = ISO_DURATION.exec(value.toUpperCase());
  if (!match || value.toUpperCase() === 'P' || value.toUpperCase().endsWith('T')) return undefined;
  return match.slice(1).reduce((total, part, i) => total + (part ? Number(part) * UNIT_SECONDS[i]! : 0), 0);
}
