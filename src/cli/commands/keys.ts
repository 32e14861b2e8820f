import type { Config } from '../../config/config.js';
import type { KeyService } from '../../domain/keys/key-service.js';
import { UsageError } from '../cli-error.js';
import { parse } from '../parse.js';

const USAGE = 'keys list | keys rotate [--activate-in SECONDS] | keys retire <kid> [--force]';

/**
 * Signing-key rotation. `rotate` publishes a new key at once and lets it sign after a delay (long
 * enough for every instance to pick it up: they poll every few seconds); `retire` drops an old key
 * from JWKS once no token it signed can still be valid (the longest token lifetime).
 */
export async function keys(services: { readonly keys: KeyService; readonly config: Pick<Config, 'ttl'> }, args: string[], out: (line: string) => void): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    parse(rest, {}, USAGE);
    await services.keys.ensureKeys();
    for (const key of await services.keys.list()) {
      out([key.kid, key.use, key.alg, key.state, `created ${key.created}`, key.activated ? `activated ${key.activated}` : '', key.retired ? `retired ${key.retired}` : ''].filter(Boolean).join('\t'));
    }
    return;
  }
  if (sub === 'rotate') {
    const { values } = parse(rest, { 'activate-in': { type: 'string' } }, USAGE);
    const delay = values['activate-in'] ?? '10';
    if (!/^\d+$/.test(delay)) throw new UsageError('--activate-in must be a number of seconds');
    await services.keys.ensureKeys();
    const key = await services.keys.rotate(Number(delay));
    out(`Published signing key ${key.kid}; it signs from ${key.activated} (UTC).`);
    return;
  }
  if (sub === 'retire') {
    // A kid is an RFC 7638 thumbprint in base64url and may begin with "-": the one argument that is
    // not an option is the kid, taken verbatim (not parsed as a flag).
    const options = rest.filter((arg) => arg.startsWith('--'));
    const { values } = parse(options, { force: { type: 'boolean' } }, USAGE);
    const positionals = rest.filter((arg) => !arg.startsWith('--'));
    if (positionals.length !== 1) throw new UsageError(`expected one kid (usage: ${USAGE})`);
    const { ttl } = services.config;
    await services.keys.retire(positionals[0]!, { minAgeSeconds: Math.max(ttl.idToken, ttl.accessToken), force: values.force ?? false });
    out(`Retired signing key ${positionals[0]}; it is no longer published.`);
    return;
  }
  throw new UsageError(`unknown keys subcommand (usage: ${USAGE})`);
}
