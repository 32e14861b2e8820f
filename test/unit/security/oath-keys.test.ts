import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { qrCodeSvg } from '../../../src/http/qr-code.js';
import { groupsOfFour } from '../../../src/management/oath-manage-routes.js';
import { newOathKey, otpauthUri } from '../../../src/security/oath-keys.js';
import { otplibTotp } from '../../../src/security/totp.js';

describe('new OATHAuth keys', () => {
  it("are OATHAuth's shape: a 42-character secret and ten 16-character recovery codes, all different", () => {
    const keys = [newOathKey(), newOathKey()];
    for (const key of keys) {
      expect(key.secret).toMatch(/^[A-Z2-7]{42}$/);
      expect(key.scratchTokens).toHaveLength(10);
      for (const token of key.scratchTokens) expect(token).toMatch(/^[A-Z2-7]{16}$/);
      expect(new Set(key.scratchTokens).size).toBe(10);
    }
    expect(keys[0]!.secret).not.toBe(keys[1]!.secret);
  });

  it('work with an independent authenticator (oathtool) and our checker', async () => {
    const { secret } = newOathKey();
    const at = 1_796_558_400;
    const code = execFileSync('oathtool', ['--totp', '-b', '-N', `@${at}`, secret], { encoding: 'utf8' }).trim();
    expect(await otplibTotp.verify(secret, code, undefined, at)).toBe(at / 30);
  });
});

describe('the key URI and its QR code', () => {
  it('names the issuer and the account, and carries the secret', () => {
    const uri = new URL(otpauthUri('wiki.example', 'Ann Example', 'JBSWY3DPEHPK3PXP'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/wiki.example:Ann Example');
    expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(uri.searchParams.get('issuer')).toBe('wiki.example');
  });

  it('is an SVG of paths only: nothing from the text reaches the markup', async () => {
    const svg = await qrCodeSvg('otpauth://totp/x:<script>alert(1)</script>?secret=AAAA');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" [^>]*>/);
    expect(svg.replace(/<path [^>]*\/>/g, '')).toMatch(/^<svg [^>]*><\/svg>\s*$/);
  });
});

describe('groups of four', () => {
  it('splits secrets and codes as OATHAuth shows them', () => {
    expect(groupsOfFour('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
    expect(groupsOfFour('ABCDEFGH')).toBe('ABCD EFGH');
    expect(groupsOfFour('')).toBe('');
  });
});
