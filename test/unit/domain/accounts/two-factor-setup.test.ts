import { describe, expect, it } from 'vitest';
import { TwoFactorService } from '../../../../src/domain/accounts/two-factor-service.js';
import { TwoFactorSetup, type PendingOathKeys } from '../../../../src/domain/accounts/two-factor-setup.js';
import type { OathKey } from '../../../../src/domain/accounts/two-factor.js';
import { otplibTotp } from '../../../../src/security/totp.js';
import { MemoryEnrolments, MemoryTotpSteps } from '../../../helpers/in-memory.js';
import { oathtoolCode } from '../../../helpers/totp.js';

const NOW = 1_796_558_400;
const KEYS: OathKey[] = [
  { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEH', scratchTokens: ['ABCDEFGHIJKLMNOP', 'QRSTUVWXYZ234567'] },
  { secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY', scratchTokens: ['MNOPQRSTUVWXYZ23'] },
];


class MemoryPending implements PendingOathKeys {
  readonly keys = new Map<number, OathKey>();
  async find(userId: number) {
    return this.keys.get(userId);
  }
  async keep(userId: number, key: OathKey) {
    this.keys.set(userId, key);
  }
  async forget(userId: number) {
    this.keys.delete(userId);
  }
}

function setup() {
  const bumped: number[] = [];
  const now = { seconds: NOW };
  const service = new TwoFactorService({
    enrolments: new MemoryEnrolments(),
    steps: new MemoryTotpSteps(),
    totp: otplibTotp,
    sessions: { current: async () => 0, bump: async (id) => void bumped.push(id) },
    nowSeconds: () => now.seconds,
  });
  const pending = new MemoryPending();
  const made = [...KEYS];
  const pages = new TwoFactorSetup({ enrolments: service, pending, newKey: () => made.shift()! });
  return { pages, service, pending, bumped, now };
}

async function enrolled(pages: TwoFactorSetup, userId: number): Promise<OathKey> {
  const start = await pages.start(userId);
  if (start.enrolled) throw new Error('already enrolled');
  expect(await pages.confirm(userId, oathtoolCode(start.secret, NOW))).toMatchObject({ outcome: 'enabled' });
  return KEYS.find((k) => k.secret === start.secret)!;
}

describe('Special:OATHManage page logic', () => {
  it('shows one pending key until it is confirmed, a key per user', async () => {
    const { pages, pending } = setup();
    const first = await pages.start(7);
    expect(first).toEqual({ enrolled: false, secret: KEYS[0]!.secret });
    expect(await pages.start(7)).toEqual(first);
    expect(await pages.start(8)).toEqual({ enrolled: false, secret: KEYS[1]!.secret });
    expect(pending.keys.size).toBe(2);
  });

  it('enables with the first code, returns the scratch tokens and uses the code up', async () => {
    const { pages, service, pending } = setup();
    await pages.start(7);
    const result = await pages.confirm(7, oathtoolCode(KEYS[0]!.secret, NOW));
    expect(result).toEqual({ outcome: 'enabled', scratchTokens: KEYS[0]!.scratchTokens });
    expect(await service.isEnrolled(7)).toBe(true);
    expect(pending.keys.has(7)).toBe(false);
    expect(await service.verifySecondFactor(7, oathtoolCode(KEYS[0]!.secret, NOW))).toBeUndefined();
    expect(await service.verifySecondFactor(7, oathtoolCode(KEYS[0]!.secret, NOW + 30))).toBe('totp');
  });

  it('keeps the user un-enrolled after a wrong code, a recovery code, or with no key pending', async () => {
    const { pages, service } = setup();
    expect(await pages.confirm(7, oathtoolCode(KEYS[0]!.secret, NOW))).toEqual({ outcome: 'no_pending_key' });
    await pages.start(7);
    expect(await pages.confirm(7, oathtoolCode(KEYS[0]!.secret, NOW - 3600))).toEqual({ outcome: 'wrong_code' });
    expect(await pages.confirm(7, oathtoolCode(KEYS[1]!.secret, NOW))).toEqual({ outcome: 'wrong_code' });
    expect(await pages.confirm(7, 'abcd efgh ijkl mnop')).toEqual({ outcome: 'scratch_token' });
    expect(await service.isEnrolled(7)).toBe(false);
    expect(await pages.start(7)).toEqual({ enrolled: false, secret: KEYS[0]!.secret });
  });

  it('never hands out the secret of an enrolled user, nor replaces the enrolment', async () => {
    const { pages, service } = setup();
    await enrolled(pages, 7);
    expect(await pages.start(7)).toEqual({ enrolled: true });
    expect(await pages.confirm(7, oathtoolCode(KEYS[0]!.secret, NOW + 30))).toEqual({ outcome: 'already_enrolled' });
    expect((await service.enrolment(7))?.key?.secret).toBe(KEYS[0]!.secret);
  });

  it('disables with a current code and ends the sessions; a wrong code changes nothing', async () => {
    const { pages, service, bumped } = setup();
    expect(await pages.disable(7, '123456')).toBe('not_enrolled');
    const key = await enrolled(pages, 7);
    expect(await pages.disable(7, oathtoolCode(key.secret, NOW - 3600))).toBe('wrong_code');
    expect(await pages.disable(7, oathtoolCode(key.secret, NOW))).toBe('wrong_code'); // used to confirm
    expect(await service.isEnrolled(7)).toBe(true);
    expect(bumped).toEqual([]);
    expect(await pages.disable(7, oathtoolCode(key.secret, NOW + 30))).toBe('disabled');
    expect(await service.isEnrolled(7)).toBe(false);
    expect(bumped).toEqual([7]);
  });

  it('disables with a recovery code', async () => {
    const { pages, service } = setup();
    const key = await enrolled(pages, 7);
    expect(await pages.disable(7, key.scratchTokens[1]!.toLowerCase())).toBe('disabled');
    expect(await service.isEnrolled(7)).toBe(false);
  });
});
