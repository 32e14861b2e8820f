import { BlockList, isIP } from 'node:net';
import type { Middleware } from 'koa';
import type { ProxyTrust } from '../config/config.js';

/**
 * The address of the client, as the nearest trusted proxy saw it (docs/security.md, "Forwarded
 * addresses"). Each proxy appends the address it received the request from to `X-Forwarded-For`,
 * so only the rightmost entries were written by proxies we trust; the leftmost is whatever the
 * client sent. Walking from the socket peer leftwards:
 * - `{ hops: n }`: the n nearest hops are trusted proxies; the client is the n-th address back
 *   (the leftmost one when the chain is shorter, as with fewer proxies in front);
 * - `{ ranges }`: every hop inside these addresses/CIDR ranges is a trusted proxy; the client is the
 *   first address outside them.
 */
export function resolveClientAddress(peer: string, forwardedFor: string | undefined, trust: ProxyTrust): string {
  const chain = [unmap(peer), ...parseForwardedFor(forwardedFor).reverse()];
  if ('hops' in trust) return chain[Math.min(trust.hops, chain.length - 1)]!;
  const trusted = trustedList(trust.ranges);
  let index = 0;
  while (index < chain.length - 1 && isTrusted(trusted, chain[index]!)) index++;
  return chain[index]!;
}

/** Whether the socket peer may speak for the client (`X-Forwarded-Proto`/`Host`/`For`). */
export function peerIsTrusted(peer: string, trust: ProxyTrust): boolean {
  if ('hops' in trust) return trust.hops > 0;
  return isTrusted(trustedList(trust.ranges), unmap(peer));
}

/**
 * Sets `ctx.request.ip` once for everything downstream (IP restrictions, throttles, rate limits,
 * oidc-provider), and drops forwarding headers an untrusted peer sent, so koa's `proxy` mode
 * (https URLs from `X-Forwarded-Proto`) only believes trusted proxies.
 */
export function clientAddress(trust: ProxyTrust): Middleware {
  const trusting = trustsProxies(trust);
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!trusting || !peerIsTrusted(peer, trust)) {
      for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded']) delete ctx.request.headers[name];
      ctx.request.ip = unmap(peer);
    } else {
      const header = ctx.request.headers['x-forwarded-for'];
      ctx.request.ip = resolveClientAddress(peer, Array.isArray(header) ? header.join(',') : header, trust);
    }
    return next();
  };
}

export function trustsProxies(trust: ProxyTrust): boolean {
  return 'hops' in trust ? trust.hops > 0 : trust.ranges.length > 0;
}

/** Entries that are not IP addresses (garbage, `unknown`, obfuscated identifiers) are skipped. */
function parseForwardedFor(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((entry) => unmap(stripPort(entry.trim())))
    .filter((entry) => isIP(entry) !== 0);
}

/** `[2001:db8::1]:443` and `192.0.2.1:80` as some proxies write them. */
function stripPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4 ? v4[1]! : entry;
}

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) is the IPv4 address. */
function unmap(ip: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return m ? m[1]! : ip;
}

const lists = new WeakMap<readonly string[], BlockList>();

function trustedList(ranges: readonly string[]): BlockList {
  let list = lists.get(ranges);
  if (!list) {
    list = new BlockList();
    for (const range of ranges) {
      const [address = '', bits] = range.split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      list.addSubnet(address, bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits), family);
    }
    lists.set(ranges, list);
  }
  return list;
}

/** Whether an address is inside a list of addresses and CIDR ranges. */
export function addressIn(ranges: readonly string[], address: string): boolean {
  return ranges.length > 0 && isTrusted(trustedList(ranges), unmap(address));
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
