import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BAD_OATH_THROTTLE, PasswordThrottle, PER_ADDRESS } from '../../../src/domain/accounts/password-throttle.js';
import { TwoFactorService } from '../../../src/domain/accounts/two-factor-service.js';
import { PendingSignIns, type PendingSignIn } from '../../../src/http/pending-sign-in.js';
import { checkSecondFactor } from '../../../src/interactions/second-factor-step.js';
import { otplibTotp } from '../../../src/security/totp.js';
import { MemoryCounters, MemoryEnrolments, MemoryTotpSteps } from '../../helpers/in-memory.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEH';
const NOW = 1_796_558_400;

function code(at: number): string {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${at}`, SECRET], { encoding: 'utf8' }).trim();
}

async function setUp() {
  const enrolments = new MemoryEnrolments();
  const twoFactor = new TwoFactorService({ enrolments, steps: new MemoryTotpSteps(), totp: otplibTotp, nowSeconds: () => NOW });
  await twoFactor.enrol(7, { secret: SECRET, scratchTokens: ['ABCDEFGHIJKLMNOP'] });
  const counters = new MemoryCounters();
  const records = new Map<string, { userId: number; userName: string }>();
  const pendingSignIns = new PendingSignIns(
    { save: async (id, r) => void records.set(id, r), find: async (id) => records.get(id), destroy: async (id) => void records.delete(id) },
    counters,
    'test secret key',
  );
  const deps = { pendingSignIns, twoFactor, codeThrottle: new PasswordThrottle(counters, BAD_OATH_THROTTLE, PER_ADDRESS, 'badoath') };
  const pending = (id: string): PendingSignIn => ({ id, userId: 7, userName: 'Otp user' });
  const post = (p: PendingSignIn | undefined, typed: string, csrfToken?: string) =>
    checkSecondFactor(deps, p, { csrfToken: csrfToken ?? (p ? pendingSignIns.csrfToken(p) : ''), code: typed, ip: '192.0.2.1' });
  return { post, pending, counters };
}

describe('the second-factor step of a sign-in', () => {
  it('signs in with both factors after the right code, once', async () => {
    const { post, pending } = await setUp();
    expect(await post(pending('a'.repeat(43)), code(NOW))).toEqual({ kind: 'signedIn', userId: 7, amr: ['pwd', 'otp'] });
    expect(await post(pending('b'.repeat(43)), code(NOW))).toEqual({ kind: 'failed' });
    expect(await post(pending('b'.repeat(43)), 'abcd efgh ijkl mnop')).toMatchObject({ kind: 'signedIn' });
  });

  it('sends a post without a pending sign-in back to the password, and refuses a token of another pending sign-in', async () => {
    const { post, pending } = await setUp();
    expect(await post(undefined, code(NOW))).toEqual({ kind: 'expired' });
    const other = (await setUp()).pending('c'.repeat(43));
    expect(await post(pending('d'.repeat(43)), code(NOW), 'forged')).toEqual({ kind: 'forged' });
    expect(await post(pending('d'.repeat(43)), code(NOW), `x${other.id}`)).toEqual({ kind: 'forged' });
  });

  it('allows five codes per password, then asks for the password again', async () => {
    const { post, pending } = await setUp();
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await post(pending('e'.repeat(43)), '000000')).kind);
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'expired']);
    expect(await post(pending('e'.repeat(43)), code(NOW))).toEqual({ kind: 'expired' });
  });

  it("throttles the account's eleventh code in a minute, over several pending sign-ins, even a right one", async () => {
    const { post, pending } = await setUp();
    const outcomes = [];
    for (const id of ['f', 'g']) for (let i = 0; i < 5; i++) outcomes.push((await post(pending(id.repeat(43)), '000000')).kind);
    expect(outcomes.every((kind) => kind === 'failed')).toBe(true);
    expect(await post(pending('h'.repeat(43)), code(NOW))).toEqual({ kind: 'throttled' });
  });
});
