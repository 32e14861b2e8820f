import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../../../src/services.js';
import { proposeTestConsumer, type SeedConsumerOptions } from '../../helpers/fixtures.js';

export interface OAuth1Consumer {
  readonly id: number;
  readonly key: string;
  readonly secret: string;
  readonly callbackUrl: string;
  readonly ownerAccess?: { readonly token: string; readonly secret: string };
}

/** Register an OAuth 1.0a consumer owned by Admin, approved unless told otherwise. */
export async function seedOAuth1Consumer(
  services: Services,
  opts: SeedConsumerOptions & { callbackUrl?: string; callbackIsPrefix?: boolean; rsaKey?: string } = {},
): Promise<OAuth1Consumer> {
  const callbackUrl = opts.callbackUrl ?? 'https://tool.example/oauth/callback';
  const created = await proposeTestConsumer(services, opts, {
    namePrefix: 'Tool',
    description: 'A wiki tool',
    callbackUrl,
    oauthVersion: 1,
    callbackIsPrefix: opts.callbackIsPrefix ?? false,
    ...(opts.rsaKey ? { rsaKey: opts.rsaKey } : {}),
  });
  return {
    id: created.consumer.id,
    key: created.consumer.key,
    secret: created.secret,
    callbackUrl,
    ...(created.ownerAccess ? { ownerAccess: created.ownerAccess } : {}),
  };
}

/** An RSA key pair for RSA-SHA1 consumers; the private half written to `dir` for the client. */
export function rsaKeyPair(dir: string): { publicKey: string; privateKeyFile: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKeyFile = join(dir, 'consumer-private.pem');
  writeFileSync(privateKeyFile, privateKey, { mode: 0o600 });
  return { publicKey, privateKeyFile, privateKey };
}
