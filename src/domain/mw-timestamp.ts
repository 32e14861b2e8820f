/** MediaWiki's TS_MW timestamps: `YYYYMMDDHHMMSS` in UTC, stored as 14-byte strings. */
export function toMwTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function fromMwTimestamp(ts: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(ts);
  if (!m) throw new TypeError(`not a TS_MW timestamp: ${ts}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** MediaWiki's DB expiry encoding: TS_MW or `infinity`. */
export const INFINITY = 'infinity';
