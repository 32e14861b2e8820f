import { createHash, pbkdf2 as pbkdf2Callback, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/*
 * MediaWiki password hashes as stored in `user.user_password`
 * (docs/mediawiki-compat.md §9; core `PasswordFactory`, `ParameterizedPassword`).
 * A stored hash is `:<type>:<fields…>`; the type picks the verifier:
 * - `pbkdf2`          Pbkdf2PasswordUsingOpenSSL  `:pbkdf2:<algo>:<rounds>:<bytes>:<b64 salt>:<b64 hash>`
 * - `B`               MWSaltedPassword            `:B:<salt>:<md5(salt-md5(pw))>`
 * - `A`               MWOldPassword               `:A:<md5(pw)>` or salted `:A:<salt>:<md5(salt-md5(pw))>`
 * - `pbkdf2-legacyA`  LayeredParameterizedPassword [A, pbkdf2], fields joined with `!`
 * - `pbkdf2-legacyB`  LayeredParameterizedPassword [B, pbkdf2]
 * Anything else (bcrypt, argon2, '', garbage) verifies as false, like core's InvalidPassword.
 */

const pbkdf2 = promisify(pbkdf2Callback);

/** $wgPasswordConfig['pbkdf2'] defaults (core MainConfigSchema::PasswordConfig). */
const DEFAULT_ALGO = 'sha512';
const DEFAULT_ROUNDS = 30_000;
const DEFAULT_LENGTH = 64;
const SALT_BYTES = 16; // AbstractPbkdf2Password::crypt: random_bytes( 16 )

/** The digests Pbkdf2PasswordUsingOpenSSL::getDigestAlgo accepts. */
const PBKDF2_ALGOS: ReadonlySet<string> = new Set(['sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
/** Parameters come from the stored string: cap them so a planted row cannot pin a CPU. */
const MAX_ROUNDS = 10_000_000;
const MAX_LENGTH = 1024;

const DIGITS = /^[0-9]+$/;
/** Pre-1.24 rows hold a bare md5 hex (LocalPasswordPrimaryAuthenticationProvider). */
const BARE_MD5 = /^[0-9a-f]{32}$/;

interface Pbkdf2Params {
  readonly algo: string;
  readonly rounds: number;
  readonly length: number;
}

/** A new hash in MediaWiki's default format, so the wiki itself can verify it. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES).toString('base64');
  const hash = await pbkdf2Base64(password, salt, {
    algo: DEFAULT_ALGO,
    rounds: DEFAULT_ROUNDS,
    length: DEFAULT_LENGTH,
  });
  return `:pbkdf2:${DEFAULT_ALGO}:${DEFAULT_ROUNDS}:${DEFAULT_LENGTH}:${salt}:${hash}`;
}

/**
 * Whether `password` matches `stored`. `userId` is the salt of bare pre-1.24 md5 rows. Never
 * throws: malformed or unsupported hashes are simply false.
 */
export async function verifyPassword(password: string, stored: string, userId: number): Promise<boolean> {
  try {
    return await verify(password, stored, userId);
  } catch {
    return false;
  }
}

/** True unless `stored` already is the default `pbkdf2` sha512/30000/64 (Password::needsUpdate). */
export function needsRehash(stored: string): boolean {
  const parsed = typeof stored === 'string' ? splitType(stored) : undefined;
  if (parsed?.type !== 'pbkdf2') {
    return true;
  }
  const fields = parsed.rest.split(':');
  return !(
    fields.length === 5 &&
    fields[0] === DEFAULT_ALGO &&
    fields[1] === String(DEFAULT_ROUNDS) &&
    fields[2] === String(DEFAULT_LENGTH)
  );
}

async function verify(password: string, stored: string, userId: number): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored !== 'string') {
    return false;
  }
  const ciphertext = BARE_MD5.test(stored) ? `:B:${userId}:${stored}` : stored;
  const parsed = splitType(ciphertext);
  if (!parsed) {
    return false;
  }
  const { type, rest } = parsed;
  switch (type) {
    case 'pbkdf2': {
      const fields = rest.split(':');
      if (fields.length !== 5) {
        return false;
      }
      const [algo, rounds, length, salt, hash] = fields as [string, string, string, string, string];
      const params = parsePbkdf2Params(algo, rounds, length);
      return params !== undefined && safeEqual(await pbkdf2Base64(password, salt, params), hash);
    }
    case 'B': {
      const fields = rest.split(':');
      if (fields.length !== 2 || fields[0] === '') {
        return false;
      }
      const [salt, hash] = fields as [string, string];
      return safeEqual(saltedMd5(salt, password), hash);
    }
    case 'A': {
      // MWOldPassword: one field is plain md5; with a salt argument it hashes like MWSaltedPassword.
      const fields = rest.split(':');
      if (fields.length === 1) {
        return safeEqual(md5Hex(password), fields[0] as string);
      }
      if (fields.length === 2 && fields[0] !== '') {
        const [salt, hash] = fields as [string, string];
        return safeEqual(saltedMd5(salt, password), hash);
      }
      return false;
    }
    case 'pbkdf2-legacyA':
    case 'pbkdf2-legacyB':
      return verifyLayered(type, rest, password);
    default:
      return false;
  }
}

/**
 * LayeredParameterizedPassword: `!`-joined [params of each layer…, args of each layer…, hash].
 * The md5 layer has no params, so the string starts with `!`; layer 1's hex output is the
 * password of the pbkdf2 layer.
 */
async function verifyLayered(
  type: 'pbkdf2-legacyA' | 'pbkdf2-legacyB',
  rest: string,
  password: string,
): Promise<boolean> {
  const fields = rest.split('!');
  if (fields.length !== 5) {
    return false;
  }
  const [md5Params, pbkdf2Params, md5Salt, pbkdf2Salt, hash] = fields as [string, string, string, string, string];
  if (md5Params !== '') {
    return false;
  }
  const paramFields = pbkdf2Params.split(':');
  if (paramFields.length !== 3) {
    return false;
  }
  const [algo, rounds, length] = paramFields as [string, string, string];
  const params = parsePbkdf2Params(algo, rounds, length);
  if (!params) {
    return false;
  }
  let layer1: string;
  if (type === 'pbkdf2-legacyB') {
    if (md5Salt === '') {
      return false;
    }
    layer1 = saltedMd5(md5Salt, password);
  } else {
    layer1 = md5Salt === '' ? md5Hex(password) : saltedMd5(md5Salt, password);
  }
  return safeEqual(await pbkdf2Base64(layer1, pbkdf2Salt, params), hash);
}

/** PasswordFactory::newFromCiphertext: the type is the text between the first two colons. */
function splitType(ciphertext: string): { type: string; rest: string } | undefined {
  if (!ciphertext.startsWith(':')) {
    return undefined;
  }
  const end = ciphertext.indexOf(':', 1);
  if (end < 0) {
    return undefined;
  }
  return { type: ciphertext.slice(1, end), rest: ciphertext.slice(end + 1) };
}

function parsePbkdf2Params(algo: string, rounds: string, length: string): Pbkdf2Params | undefined {
  if (!PBKDF2_ALGOS.has(algo) || !DIGITS.test(rounds) || !DIGITS.test(length)) {
    return undefined;
  }
  const r = Number(rounds);
  const l = Number(length);
  if (r < 1 || r > MAX_ROUNDS || l < 1 || l > MAX_LENGTH) {
    return undefined;
  }
  return { algo, rounds: r, length: l };
}

/** base64(PBKDF2-HMAC), the salt given base64 as stored (PHP base64_decode / base64_encode). */
async function pbkdf2Base64(password: string, saltBase64: string, params: Pbkdf2Params): Promise<string> {
  const salt = Buffer.from(saltBase64, 'base64');
  const key = await pbkdf2(Buffer.from(password, 'utf8'), salt, params.rounds, params.length, params.algo);
  return key.toString('base64');
}

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** MWSaltedPassword::crypt: md5( salt . '-' . md5( password ) ). */
function saltedMd5(salt: string, password: string): string {
  return md5Hex(`${salt}-${md5Hex(password)}`);
}

/** hash_equals on the serialized form: only the length can leak, as in PHP. */
function safeEqual(computed: string, stored: string): boolean {
  const a = Buffer.from(computed, 'utf8');
  const b = Buffer.from(stored, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
