import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../src/domain/consumers/consumer.js';
import { allowsSourceIp } from '../../src/domain/consumers/ip-restrictions.js';
import type { Authorization, AuthorizationRepository } from '../../src/domain/grants/authorization.js';
import { authenticateSkipsDialog, findCurrentAuthorization } from '../../src/domain/grants/current-authorization.js';

describe('allowsSourceIp (MWRestrictions IPAddresses)', () => {
  const json = (ranges: string[]) => JSON.stringify({ IPAddresses: ranges });

  it('accepts addresses inside the ranges, IPv4 and IPv6', () => {
    expect(allowsSourceIp('{"IPAddresses":["0.0.0.0/0","::/0"]}', '203.0.113.9')).toBe(true);
    expect(allowsSourceIp(json(['10.0.0.0/8']), '10.1.2.3')).toBe(true);
    expect(allowsSourceIp(json(['10.0.0.0/8']), '11.1.2.3')).toBe(false);
    expect(allowsSourceIp(json(['2001:db8::/32']), '2001:db8::1')).toBe(true);
    expect(allowsSourceIp(json(['192.0.2.7']), '192.0.2.7')).toBe(true);
  });

  it('treats an IPv4 client on a dual-stack socket as IPv4', () => {
    expect(allowsSourceIp(json(['127.0.0.0/8']), '::ffff:127.0.0.1')).toBe(true);
  });

  it('fails closed on unreadable restrictions and ignores malformed ranges', () => {
    expect(allowsSourceIp('not json', '127.0.0.1')).toBe(false);
    expect(allowsSourceIp('{"IPAddresses":"10.0.0.0/8"}', '10.0.0.1')).toBe(false);
    expect(allowsSourceIp(json(['nonsense', '10.0.0.0/99']), '10.0.0.1')).toBe(false);
    expect(allowsSourceIp(json(['10.0.0.0/8']), 'not-an-ip')).toBe(false);
    expect(allowsSourceIp('{}', '10.0.0.1')).toBe(true);
  });
});

const consumer = (over: Partial<Consumer> = {}): Consumer =>
  ({ id: 1, wiki: '*', grants: ['mwoauth-authonly'], oauthVersion: 1, oauth2IsConfidential: true, ...over }) as Consumer;
const authorization = (over: Partial<Authorization> = {}): Authorization =>
  ({ id: 9, wiki: '*', userId: 5, consumerId: 1, grants: ['mwoauth-authonly'], oauthVersion: 1, ...over }) as Authorization;

describe('authenticateSkipsDialog (SpecialMWOAuth::handleAuthorizationForm)', () => {
  it('skips for an identical, auth-only authorization on the same wiki', () => {
    expect(authenticateSkipsDialog(authorization(), consumer())).toBe(true);
    expect(authenticateSkipsDialog(authorization({ grants: ['mwoauth-authonlyprivate'] }), consumer({ grants: ['mwoauth-authonlyprivate'] }))).toBe(true);
  });

  it('asks when there is no authorization, the grants differ or carry rights, or the wiki differs', () => {
    expect(authenticateSkipsDialog(undefined, consumer())).toBe(false);
    expect(authenticateSkipsDialog(authorization({ grants: ['mwoauth-authonlyprivate'] }), consumer())).toBe(false);
    expect(authenticateSkipsDialog(authorization({ grants: ['basic', 'editpage'] }), consumer({ grants: ['basic', 'editpage'] }))).toBe(false);
    expect(authenticateSkipsDialog(authorization({ wiki: 'enwiki' }), consumer())).toBe(false);
    // PHP `===` on arrays compares order too.
    const both = ['mwoauth-authonly', 'mwoauth-authonlyprivate'];
    expect(authenticateSkipsDialog(authorization({ grants: [...both].reverse() }), consumer({ grants: both }))).toBe(false);
  });

  it('asks for a public OAuth 2 consumer', () => {
    expect(authenticateSkipsDialog(authorization(), consumer({ oauthVersion: 2, oauth2IsConfidential: false }))).toBe(false);
  });
});

describe('findCurrentAuthorization (Consumer::getCurrentAuthorization)', () => {
  function repo(rows: Authorization[]): AuthorizationRepository {
    return { find: async (u: number, c: number, w: string) => rows.find((r) => r.userId === u && r.consumerId === c && r.wiki === w) } as AuthorizationRepository;
  }

  it('prefers the row for this wiki, then the all-wikis row', async () => {
    const star = authorization({ id: 1 });
    const local = authorization({ id: 2, wiki: 'enwiki' });
    expect((await findCurrentAuthorization(repo([star, local]), consumer(), 5, 'enwiki'))?.id).toBe(2);
    expect((await findCurrentAuthorization(repo([star]), consumer(), 5, 'enwiki'))?.id).toBe(1);
    expect((await findCurrentAuthorization(repo([star, local]), consumer(), 5, '*'))?.id).toBe(1);
  });

  it('uses the consumer\'s own wiki when it is bound to one', async () => {
    const dewiki = authorization({ id: 3, wiki: 'dewiki' });
    expect((await findCurrentAuthorization(repo([dewiki]), consumer({ wiki: 'dewiki' }), 5, 'enwiki'))?.id).toBe(3);
    expect(await findCurrentAuthorization(repo([]), consumer(), 5, 'enwiki')).toBeUndefined();
  });
});
