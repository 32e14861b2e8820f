/**
 * The few PHP string functions whose exact output MediaWiki's OAuth extension puts on the wire.
 * Re-implemented so signatures, redirects and error bodies match it byte for byte.
 */

/** Decode `%XX` byte sequences (any case) as UTF-8; malformed escapes stay literal, as in PHP. */
function percentDecode(input: string): string {
  if (!input.includes('%')) return input;
  const bytes: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      // Non-escaped text is kept as its UTF-8 bytes so mixed input decodes correctly.
      const cp = input.codePointAt(i)!;
      const chunk = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(chunk, 'utf8'));
      i += chunk.length - 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** PHP `urldecode()`: `+` is a space, then `%XX` decoding. */
export function urldecode(input: string): string {
  return percentDecode(input.replace(/\+/g, ' '));
}

/** PHP `rawurldecode()`: `%XX` only (path segments, where `+` is literal). */
export function rawurldecode(input: string): string {
  return percentDecode(input);
}

function encodeBytes(input: string, keep: RegExp, spaceAsPlus: boolean): string {
  let out = '';
  for (const byte of Buffer.from(input, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && keep.test(ch)) out += ch;
    else if (spaceAsPlus && byte === 0x20) out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * RFC 5849 §3.6 percent-encoding (= RFC 3986 unreserved kept, uppercase hex), which is exactly
 * MediaWiki's `OAuthUtil::urlencode_rfc3986` (rawurlencode with `~` kept).
 */
export function rfc3986Encode(input: string): string {
  return encodeBytes(input, /[A-Za-z0-9\-._~]/, false);
}

/** PHP `urlencode()` (used by `wfArrayToCgi`): space is `+`, and `~` is escaped. */
export function urlencode(input: string): string {
  return encodeBytes(input, /[A-Za-z0-9\-._]/, true);
}

/**
 * PHP `htmlspecialchars($s, ENT_QUOTES, 'UTF-8', false)` as used by `Message::escaped()`:
 * existing entities are not double-encoded.
 */
export function htmlspecialchars(input: string): string {
  return input.replace(
    /&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);|[&<>"']/g,
    (m) => {
      if (m.length > 1) return m;
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' }[m]!;
    },
  );
}

/** PHP `strtr($s, $pairs)`: longest key first, one pass, replaced text is never rescanned. */
export function strtr(input: string, pairs: Readonly<Record<string, string>>): string {
  const keys = Object.keys(pairs).filter((k) => k !== '').sort((a, b) => b.length - a.length);
  if (keys.length === 0) return input;
  const pattern = new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return input.replace(pattern, (m) => pairs[m]!);
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [k: string]: JsonValue };

export interface PhpJsonOptions {
  /** `JSON_HEX_TAG | JSON_HEX_AMP`: MediaWiki's `FormatJson::encode` default. */
  hexTagAmp?: boolean;
}

function jsonString(s: string, opts: PhpJsonOptions): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (opts.hexTagAmp && ch === '<') out += '\\u003C';
    else if (opts.hexTagAmp && ch === '>') out += '\\u003E';
    else if (opts.hexTagAmp && ch === '&') out += '\\u0026';
    // PHP escapes control characters and everything non-ASCII as lowercase \uXXXX (UTF-16 units).
    else if (c < 0x20 || (c > 0x7e && c !== 0x7f)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * PHP `json_encode($v, JSON_UNESCAPED_SLASHES [| JSON_HEX_TAG | JSON_HEX_AMP])`: the flags both
 * `FormatJson::encode` (error bodies) and firebase/php-jwt (identify JWT) use. Integers only:
 * PHP prints floats differently from JavaScript, and nothing here sends floats.
 */
export function phpJsonEncode(value: JsonValue, opts: PhpJsonOptions = {}): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('phpJsonEncode: non-finite number');
    return String(value);
  }
  if (typeof value === 'string') return jsonString(value, opts);
  if (Array.isArray(value)) return '[' + value.map((v: JsonValue) => phpJsonEncode(v, opts)).join(',') + ']';
  const entries = Object.entries(value as Record<string, JsonValue>);
  return '{' + entries.map(([k, v]) => jsonString(k, opts) + ':' + phpJsonEncode(v, opts)).join(',') + '}';
}
