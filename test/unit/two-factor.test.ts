import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatOathData, parseOathData, useScratchToken } from '../../src/domain/accounts/two-factor.js';
import { otplibTotp } from '../../src/security/totp.js';

// Codes come from independent TOTP implementations (Debian's oathtool and Python's pyotp), as an
// authenticator app would compute them.
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEH'; // 42 base32 characters, like OATHAuth's
const NOW = 1_796_558_400; // a step boundary: step 59_885_280

function oathtool(at: number): string {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${at}`, SECRET], { encoding: 'utf8' }).trim();
}

function pyotp(at: number): string {
  return execFileSync('/usr/bin/python3', ['-c', 'import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))', SECRET, String(at)], { encoding: 'utf8' }).trim();
}

describe('TOTP as OATHAuth verifies it', () => {
  it("accepts the authenticator's code, spaces included, at the step it was made for", async () => {
    const code = oathtool(NOW);
    expect(pyotp(NOW)).toBe(code);
    expect(await otplibTotp.verify(SECRET, code, undefined, NOW)).toBe(NOW / 30);
    expect(await otplibTotp.verify(SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, undefined, NOW + 10)).toBe(NOW / 30);
  });

  it('accepts four steps either side and no further', async () => {
    expect(await otplibTotp.verify(SECRET, oathtool(NOW - 120), undefined, NOW)).toBe(NOW / 30 - 4);
    expect(await otplibTotp.verify(SECRET, oathtool(NOW + 120), undefined, NOW)).toBe(NOW / 30 + 4);
    expect(await otplibTotp.verify(SECRET, oathtool(NOW - 150), undefined, NOW)).toBeUndefined();
    expect(await otplibTotp.verify(SECRET, oathtool(NOW + 150), undefined, NOW)).toBeUndefined();
  });

  it('refuses a code of a step already used, and of any earlier step', async () => {
    const used = (await otplibTotp.verify(SECRET, oathtool(NOW), undefined, NOW))!;
    expect(await otplibTotp.verify(SECRET, oathtool(NOW), used, NOW + 5)).toBeUndefined();
    expect(await otplibTotp.verify(SECRET, oathtool(NOW - 30), used, NOW + 5)).toBeUndefined();
    expect(await otplibTotp.verify(SECRET, oathtool(NOW + 30), used, NOW + 30)).toBe(used + 1);
  });

  it('refuses what is not a six-digit code', async () => {
    for (const bad of ['', '12345', '1234567', 'abcdef']) expect(await otplibTotp.verify(SECRET, bad, undefined, NOW)).toBeUndefined();
  });
});

describe("OATHAuth's oathauth_users data", () => {
  it('reads rows as OATHAuth 1.39 writes them, and older comma-separated scratch tokens', () => {
    const row = `{"keys":[{"secret":"${SECRET}","scratch_tokens":["ABCDEFGHIJKLMNOP","QRSTUVWXYZ234567"]}]}`;
    expect(parseOathData(row)).toEqual({ secret: SECRET, scratchTokens: ['ABCDEFGHIJKLMNOP', 'QRSTUVWXYZ234567'] });
    expect(parseOathData(formatOathData(parseOathData(row)!))).toEqual(parseOathData(row));
    expect(parseOathData(`{"keys":[{"secret":"${SECRET}","scratch_tokens":"AAAA,BBBB"}]}`)?.scratchTokens).toEqual(['AAAA', 'BBBB']);
    for (const bad of ['', '{}', '{"keys":[]}', '{"keys":[{"secret":"not base32!"}]}']) expect(parseOathData(bad)).toBeUndefined();
  });

  it('uses a scratch token once', () => {
    const key = { secret: SECRET, scratchTokens: ['ABCDEFGHIJKLMNOP', 'QRSTUVWXYZ234567'] };
    const after = useScratchToken(key, 'abcd efgh ijkl mnop');
    expect(after).toEqual({ secret: SECRET, scratchTokens: ['QRSTUVWXYZ234567'] });
    expect(useScratchToken(after!, 'ABCDEFGHIJKLMNOP')).toBeUndefined();
  });
});
