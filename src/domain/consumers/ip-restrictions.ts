import { BlockList, isIP } from 'node:net';

/**
 * The IP part of a consumer's `MWRestrictions` (`oarc_restrictions`, core
 * `includes/utils/MWRestrictions.php`): `{"IPAddresses":[CIDR…]}`. MediaWiki checks it in
 * initiate, token and every signed request (`MWOAuthServer::checkSourceIP`). The `Pages`
 * restriction limits edits, which this service does not serve.
 */
export function allowsSourceIp(restrictionsJson: string, ip: string): boolean {
  const ranges = ipRanges(restrictionsJson);
  if (ranges === undefined) return false;
  const address = unmapIpv4(ip);
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const range of ranges) addRange(list, range);
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The CIDR list, or undefined when the JSON is unreadable (refused: fail closed). */
function ipRanges(json: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const ranges = (parsed as { IPAddresses?: unknown }).IPAddresses;
  // MWRestrictions' default when the key is absent: everywhere.
  if (ranges === undefined) return ['0.0.0.0/0', '::/0'];
  if (!Array.isArray(ranges) || !ranges.every((r) => typeof r === 'string')) return undefined;
  return ranges;
}

function addRange(list: BlockList, range: string): void {
  const [address = '', bits] = range.trim().split('/');
  const family = isIP(address);
  if (family === 0) return;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return;
  list.addSubnet(address, prefix, type);
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is the IPv4 address. */
function unmapIpv4(ip: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return m ? m[1]! : ip;
}
