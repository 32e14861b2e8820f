import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TwoFactorService } from '../../../../src/domain/accounts/two-factor-service.js';
import { otplibTotp } from '../../../../src/security/totp.js';
import { MemoryEnrolments, MemoryTotpSteps } from '../../../helpers/in-memory.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEH';
const NOW = 1_796_558_400;
const KEY = { secret: SECRET, scratchTokens: ['ABCDEFGHIJKLMNOP', 'QRSTUVWXYZ234567'] };

/** The authenticator's code, from an independent implementation (Debian's oathtool). */
function code(at: number): string {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${at}`, SECRET], { encoding: 'utf8' }).trim();
}

function service(now = { seconds: NOW }) {
  const enrolments = new MemoryEnrolments();
  const steps = new MemoryTotpSteps();
  const bumped: number[] = [];
  const twoFactor = new TwoFactorService({
    enrolments,
    steps,
    totp: otplibTotp,
    sessions: { current: async () => 0, bump: async (id) => void bumped.push(id) },
    nowSeconds: () => now.seconds,
  });
  return { twoFactor, enrolments, steps, bumped, now };
}

describe('TwoFactorService', () => {
  it('knows who is enrolled', async () => {
    const { twoFactor } = service();
    expect(await twoFactor.isEnrolled(7)).toBe(false);
    await twoFactor.enrol(7, KEY);
    expect(await twoFactor.isEnrolled(7)).toBe(true);
  });

  it('accepts a TOTP code once, and no code of an earlier step afterwards', async () => {
    const { twoFactor, now } = service();
    await twoFactor.enrol(7, KEY);
    expect(await twoFactor.verifySecondFactor(7, code(NOW))).toBe('totp');
    expect(await twoFactor.verifySecondFactor(7, code(NOW))).toBeUndefined();
    expect(await twoFactor.verifySecondFactor(7, code(NOW - 30))).toBeUndefined();
    now.seconds += 30;
    expect(await twoFactor.verifySecondFactor(7, code(NOW + 30))).toBe('totp');
  });

  it('lets one of two parallel sign-ins with the same code through', async () => {
    const { twoFactor } = service();
    await twoFactor.enrol(7, KEY);
    const results = await Promise.all([twoFactor.verifySecondFactor(7, code(NOW)), twoFactor.verifySecondFactor(7, code(NOW))]);
    expect(results.filter(Boolean)).toEqual(['totp']);
  });

  it('spends a scratch token: accepted once, the enrolment saved without it', async () => {
    const { twoFactor, enrolments } = service();
    await twoFactor.enrol(7, KEY);
    expect(await twoFactor.verifySecondFactor(7, 'abcd efgh ijkl mnop')).toBe('scratch');
    expect(await twoFactor.verifySecondFactor(7, 'ABCDEFGHIJKLMNOP')).toBeUndefined();
    expect((await enrolments.find(7))?.key?.scratchTokens).toEqual(['QRSTUVWXYZ234567']);
  });

  it('refuses every code for a user not enrolled, or whose enrolment it cannot read', async () => {
    const { twoFactor, enrolments } = service();
    expect(await twoFactor.verifySecondFactor(8, code(NOW))).toBeUndefined();
    enrolments.rows.set(9, '{"keys":[{"webauthn":true}]}');
    expect(await twoFactor.isEnrolled(9)).toBe(true);
    expect(await twoFactor.verifySecondFactor(9, code(NOW))).toBeUndefined();
  });

  it('confirms a new key with a first code, which is then used up', async () => {
    const { twoFactor } = service();
    expect(await twoFactor.confirmNewKey(7, KEY, '000000' === code(NOW) ? '111111' : '000000')).toBe(false);
    expect(await twoFactor.confirmNewKey(7, KEY, code(NOW))).toBe(true);
    await twoFactor.enrol(7, KEY);
    expect(await twoFactor.verifySecondFactor(7, code(NOW))).toBeUndefined();
  });

  it('disabling removes the enrolment and ends the user\'s sessions', async () => {
    const { twoFactor, bumped } = service();
    await twoFactor.enrol(7, KEY);
    expect(await twoFactor.disable(7)).toBe(true);
    expect(await twoFactor.isEnrolled(7)).toBe(false);
    expect(bumped).toEqual([7]);
    expect(await twoFactor.disable(7)).toBe(false);
    expect(bumped).toEqual([7]);
  });
});
