import { describe, expect, it } from 'vitest';
import { resolveClientAddress } from '../../src/http/client-address.js';

describe('the client address behind proxies (TRUST_PROXY, issue 14)', () => {
  it('with one trusted hop, takes the address that proxy appended, not the leftmost one the client wrote', () => {
    expect(resolveClientAddress('127.0.0.1', '10.1.2.3, 203.0.113.7', { hops: 1 })).toBe('203.0.113.7');
    expect(resolveClientAddress('::ffff:127.0.0.1', '203.0.113.7', { hops: 1 })).toBe('203.0.113.7');
    expect(resolveClientAddress('127.0.0.1', undefined, { hops: 1 })).toBe('127.0.0.1');
  });

  it('with two hops, the address the outer proxy saw; with none, the socket peer', () => {
    expect(resolveClientAddress('10.0.0.2', '10.1.2.3, 203.0.113.7, 10.0.0.1', { hops: 2 })).toBe('203.0.113.7');
    expect(resolveClientAddress('10.0.0.2', '10.1.2.3', { hops: 0 })).toBe('10.0.0.2');
  });

  it('with a list of proxies, the first address from the right outside the list; garbage entries are skipped', () => {
    const trust = { ranges: ['10.0.0.0/8', '::1'] };
    expect(resolveClientAddress('10.0.0.2', '198.51.100.1, 203.0.113.7, 10.0.0.1', trust)).toBe('203.0.113.7');
    expect(resolveClientAddress('::1', 'nonsense, 203.0.113.9:4711', trust)).toBe('203.0.113.9');
    // An untrusted peer speaks for itself, whatever it writes.
    expect(resolveClientAddress('198.51.100.5', '10.1.2.3', trust)).toBe('198.51.100.5');
  });
});
