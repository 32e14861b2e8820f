import { describe, expect, it } from 'vitest';
import { checkNewPassword, passwordCanSignIn } from '../../src/domain/accounts/password-policy.js';
import { addressKey } from '../../src/domain/accounts/password-throttle.js';
import { hashPassword, needsRehash, parsePbkdf2Setting, verifyPassword } from '../../src/domain/accounts/password.js';
import { commonPasswords } from '../../src/storage/common-passwords.js';

const refusal = (name: string, password: string, groups: string[] = []) => {
  try {
    checkNewPassword(name, password, groups, commonPasswords());
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe("MediaWiki's default $wgPasswordPolicy", () => {
  it('takes one byte for ordinary users and ten for privileged groups', () => {
    expect(refusal('Alice', '')).toBe('Passwords must be at least 1 character.');
    expect(refusal('Alice', 'zq')).toBeUndefined();
    expect(refusal('Admin', 'zq-91-kx', ['sysop'])).toBe('Passwords must be at least 10 characters.');
    expect(refusal('Admin', 'zq-91-kx-77', ['bot'])).toBeUndefined();
    expect(refusal('Alice', 'z'.repeat(4097))).toBe('Passwords must be shorter than 4096 characters.');
  });

  it('refuses a password found inside the user name, in any case', () => {
    expect(refusal('Alicebeth', 'ALICE')).toBe('Your password must be different from your username.');
    expect(refusal('Alice', 'alice-and-more')).toBeUndefined();
  });

  it("refuses the installer's default credentials and ExamplePassword", () => {
    expect(refusal('Useruser', 'Passpass')).toBe('The use of this username and password combination has been prevented by default.');
    expect(refusal('Alice', 'ExamplePassword')).toBe('The use of this username and password combination has been prevented by default.');
  });

  it('refuses common passwords whatever their case', () => {
    for (const common of ['password', '123456', 'qwerty', 'Password1', 'DRAGON']) {
      expect(refusal('Alice', common)).toMatch(/list of very commonly used passwords/);
    }
    expect(refusal('Alice', 'tangerine-kettle-93')).toBeUndefined();
  });

  it('lets a short or common password sign in, but not an over-long one or, for sysops, an empty one', () => {
    expect(passwordCanSignIn('password')).toBe(true);
    expect(passwordCanSignIn('')).toBe(true);
    expect(passwordCanSignIn('', ['sysop'])).toBe(false);
    expect(passwordCanSignIn('z'.repeat(4097))).toBe(false);
  });
});

describe('PBKDF2 parameters', () => {
  it('hashes with configured parameters and asks for a rehash when they differ', async () => {
    const params = parsePbkdf2Setting('sha256:1000:32')!;
    expect(params).toEqual({ algo: 'sha256', rounds: 1000, length: 32 });
    const stored = await hashPassword('tangerine-kettle-93', params);
    expect(stored).toMatch(/^:pbkdf2:sha256:1000:32:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword('tangerine-kettle-93', stored, 1)).toBe(true);
    expect(needsRehash(stored, params)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('refuses settings MediaWiki could not verify', () => {
    for (const bad of ['md5:1000:32', 'sha512:0:64', 'sha512:30000', 'sha512:30000:64:1', 'sha512:x:64']) expect(parsePbkdf2Setting(bad)).toBeUndefined();
  });
});

describe('throttle address keys', () => {
  it('keeps IPv4, counts IPv6 by its /64 and mapped IPv4 as IPv4', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:0db8:0001:0002::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:0db8:0000:0000::/64');
    expect(addressKey('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });
});
