/**
 * A list MediaWiki stored as JSON (`oarc_grants`, `oaac_grants`, `oarc_oauth2_allowed_grants`), in
 * every shape a wiki may hold: an array; an object with numeric keys and gaps
 * (`{"0":"useoauth","2":"editpage"}`, what PHP's array_unique leaves when `basic` was asked for
 * explicitly); NULL, empty or damaged values (read as no entries). Non-string entries are dropped.
 * Key order follows PHP's insertion order, which for these integer keys is ascending, as JavaScript
 * orders them. See docs/mediawiki-compat.md.
 */
export function decodeStoredList(stored: string | null | undefined): string[] {
  if (stored === null || stored === undefined || stored.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return [];
  }
  const items = Array.isArray(parsed) ? parsed : parsed !== null && typeof parsed === 'object' ? Object.values(parsed) : [];
  return [...new Set(items.filter((item): item is string => typeof item === 'string' && item !== ''))];
}

/** A JSON object column of wikiauth's own (consumer metadata); anything else reads as empty. */
export function decodeStoredObject(stored: string | null | undefined): Record<string, unknown> {
  if (!stored) return {};
  try {
    const parsed: unknown = JSON.parse(stored);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
