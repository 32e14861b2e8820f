import { fromMwTimestamp } from '../domain/mw-timestamp.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A TS_MW timestamp in MediaWiki's default English format, in UTC: "14:05, 24 November 2026". */
export function formatTimestamp(ts: string | null): string {
  if (!ts) return '';
  try {
    const d = fromMwTimestamp(ts);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  } catch {
    return ts;
  }
}
