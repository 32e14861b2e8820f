import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../src/domain/accounts/password.js';

/*
 * Vectors computed independently of the code under test, with /usr/bin/python3:
 *   hashlib.pbkdf2_hmac(algo, pw.encode('utf-8'), salt, rounds, length) → base64.b64encode
 *   hashlib.md5(s.encode('utf-8')).hexdigest() for the md5 layers
 * and the first two pbkdf2 vectors and the :B: one re-checked with
 *   `openssl kdf -keylen N -kdfopt digest:SHAx -kdfopt pass:… -kdfopt hexsalt:… -kdfopt iter:N -binary PBKDF2 | base64`
 *   `openssl md5`.
 */
const VECTORS = {
  // salt bytes 00 01 … 0f
  pbkdf2Sha512: {
    password: 'correct horse battery staple',
    stored:
      ':pbkdf2:sha512:30000:64:AAECAwQFBgcICQoLDA0ODw==:YEv9OAUH/a1l3GquLyEy93uMKHjMipNllASkRjqB/oIQswr6u3Ww8j5/gVasVRgrErX17iCPAfvU8jJ5Gad3aw==',
  },
  // salt f0e1d2c3b4a5968778695a4b3c2d1e0f; non-ASCII password hashed as UTF-8 bytes
  pbkdf2Sha256: {
    password: 'pässwörd✓',
    stored:
      ':pbkdf2:sha256:10000:128:8OHSw7Sllod4aVpLPC0eDw==:BSgTrtcMHRV5T/9ocR7zmY2R3LdBTVEoLHPxo164Kzwzwq5daW9qlGGKS4RV8i5g37HJI/CjqLazRVHVAFvTixTRwLP8ePwRz0OaCbOrJdlLLPotqne7sXQFjj/jdztwXXOfeCdTJ1DNgqG8/ycfaghbFEOV7SWEgseWy55Q8G8=',
  },
  // salt 'saltsaltsaltsalt'
  pbkdf2Sha1: {
    password: 'hunter2',
    stored: ':pbkdf2:sha1:1000:20:c2FsdHNhbHRzYWx0c2FsdA==:xMfBVkeH1sfGSLo3UHk2ISF8owc=',
  },
  // md5('1a2b3c4d-' + md5('hunter2'))
  saltedB: { password: 'hunter2', stored: ':B:1a2b3c4d:e0ffa41700253b6d66fd3ffb39b82291' },
  // md5('password')
  oldA: { password: 'password', stored: ':A:5f4dcc3b5aa765d61d8327deb882cf99' },
  // md5('99-' + md5('password'))
  oldASalted: { password: 'password', stored: ':A:99:d0839bd0c884e83e12269754ee5f1b54' },
  // pre-1.24 bare hex for user_id 42: md5('42-' + md5('Example-Pass1'))
  bare: { password: 'Example-Pass1', stored: '88143b2cc5df31782edcd2fbc8693207', userId: 42 },
  // layer 1 md5('deadbeef-' + md5('legacy pass')) as hex text, then pbkdf2 sha512/30000/64,
  // salt 00112233445566778899aabbccddeeff
  legacyB: {
    password: 'legacy pass',
    stored:
      ':pbkdf2-legacyB:!sha512:30000:64!deadbeef!ABEiM0RVZneImaq7zN3u/w==!4I/ozpjWOGXEzujpWCuhF7nxnXdgjPI0LRmTtETMmdKI6CfKN3e8PljrYO3khl4g48WPo/ARUYkK7xDOtMJllA==',
  },
  // layer 1 md5('legacy pass') as hex text, then pbkdf2 as above
  legacyA: {
    password: 'legacy pass',
    stored:
      ':pbkdf2-legacyA:!sha512:30000:64!!ABEiM0RVZneImaq7zN3u/w==!Xr/qjenwLcR51OCOSRk4iqbzjOW/GzuML+gCWuwvPXL6d2HFX6wTC+CF/Og7c9WR8Rcp2iXLN4+c8pO6cHd53g==',
  },
} as const;

const MW_DEFAULT_FORMAT = /^:pbkdf2:sha512:30000:64:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{86}==$/;

describe('verifyPassword', () => {
  const cases = Object.entries(VECTORS).map(([name, v]) => ({
    name,
    password: v.password,
    stored: v.stored,
    userId: 'userId' in v ? v.userId : 1,
  }));

  it.each(cases)('accepts the right password for $name', async ({ password, stored, userId }) => {
    expect(await verifyPassword(password, stored, userId)).toBe(true);
  });

  it.each(cases)('rejects a wrong password for $name', async ({ password, stored, userId }) => {
    expect(await verifyPassword(`${password}x`, stored, userId)).toBe(false);
    expect(await verifyPassword('', stored, userId)).toBe(false);
  });

  it('compares UTF-8 bytes, not a normalized form', async () => {
    // 'pässwörd✓' with decomposed umlauts (a + U+0308) is different bytes.
    const decomposed = 'pa\u0308sswo\u0308rd✓';
    expect(await verifyPassword(decomposed, VECTORS.pbkdf2Sha256.stored, 1)).toBe(false);
  });

  it('salts a bare md5 row with the user id', async () => {
    const { password, stored } = VECTORS.bare;
    expect(await verifyPassword(password, stored, 42)).toBe(true);
    expect(await verifyPassword(password, stored, 43)).toBe(false);
  });

  it('does not accept a bare md5 of the password itself', async () => {
    // md5('password') without a type prefix is read as :B:<userId>:…, never as :A:.
    expect(await verifyPassword('password', '5f4dcc3b5aa765d61d8327deb882cf99', 1)).toBe(false);
  });

  it('rejects hashes whose parameters were tampered with', async () => {
    const { password, stored } = VECTORS.pbkdf2Sha512;
    expect(await verifyPassword(password, stored.replace(':30000:', ':30001:'), 1)).toBe(false);
    expect(await verifyPassword(password, stored.replace(':sha512:', ':sha256:'), 1)).toBe(false);
    expect(await verifyPassword(password, stored.replace(':64:', ':32:'), 1)).toBe(false);
  });

  const malformed = [
    '',
    ':',
    '::',
    'pbkdf2:sha512:30000:64:AAAA:BBBB',
    ':pbkdf2:',
    ':pbkdf2:sha512:30000:64:AAECAwQFBgcICQoLDA0ODw==',
    ':pbkdf2:md5:1000:16:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:whirlpool:1000:64:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:0:64:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:-1:64:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:1e3:64:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:10000001:64:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:99999999999999999999:64:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:1000:0:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':pbkdf2:sha512:1000:1025:AAECAwQFBgcICQoLDA0ODw==:AAAA',
    ':B:',
    ':B::e0ffa41700253b6d66fd3ffb39b82291',
    ':B:1a2b3c4d',
    ':A:',
    ':A:a:b:c',
    ':pbkdf2-legacyB:',
    ':pbkdf2-legacyB:!sha512:30000:64!deadbeef!ABEiM0RVZneImaq7zN3u/w==',
    ':pbkdf2-legacyB:!sha512:30000!deadbeef!ABEiM0RVZneImaq7zN3u/w==!AAAA',
    ':pbkdf2-legacyB:x!sha512:30000:64!deadbeef!ABEiM0RVZneImaq7zN3u/w==!AAAA',
    ':bcrypt:9$abcdefghijklmnopqrstuv$abcdefghijklmnopqrstuvwxyz12345',
    ':argon2:$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$aGFzaA',
    ':unknown:whatever',
    '0123456789ABCDEF0123456789ABCDEF',
    '\u0000',
  ];

  it.each(malformed)('returns false without throwing for %j', async (stored) => {
    await expect(verifyPassword('password', stored, 1)).resolves.toBe(false);
  });

  it('returns false for non-string input from untyped callers', async () => {
    await expect(verifyPassword('password', null as unknown as string, 1)).resolves.toBe(false);
    await expect(verifyPassword(undefined as unknown as string, VECTORS.oldA.stored, 1)).resolves.toBe(false);
  });
});

describe('hashPassword', () => {
  it("produces MediaWiki's default pbkdf2 format that verifies", async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(MW_DEFAULT_FORMAT);
    expect(await verifyPassword('correct horse battery staple', stored, 1)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored, 1)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('uses a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(a.split(':')[5]).not.toBe(b.split(':')[5]);
  });

  it('hashes non-ASCII passwords as UTF-8', async () => {
    const stored = await hashPassword('pässwörd✓');
    expect(await verifyPassword('pässwörd✓', stored, 1)).toBe(true);
  });
});

describe('needsRehash', () => {
  it('is false only for pbkdf2 sha512/30000/64', () => {
    expect(needsRehash(VECTORS.pbkdf2Sha512.stored)).toBe(false);
    expect(needsRehash(VECTORS.pbkdf2Sha256.stored)).toBe(true);
    expect(needsRehash(VECTORS.pbkdf2Sha1.stored)).toBe(true);
    expect(needsRehash(VECTORS.saltedB.stored)).toBe(true);
    expect(needsRehash(VECTORS.oldA.stored)).toBe(true);
    expect(needsRehash(VECTORS.bare.stored)).toBe(true);
    expect(needsRehash(VECTORS.legacyB.stored)).toBe(true);
    expect(needsRehash('')).toBe(true);
    expect(needsRehash(':pbkdf2:sha512:30000:64:onlysalt')).toBe(true);
  });
});
