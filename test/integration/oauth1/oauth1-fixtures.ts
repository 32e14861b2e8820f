import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../../../src/services.js';
import { ADMIN } from '../../helpers/fixtures.js';

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
  opts: { name?: string; grants?: string[]; callbackUrl?: string; callbackIsPrefix?: boolean; approve?: boolean; ownerOnly?: boolean; rsaKey?: string; owner?: string } = {},
): Promise<OAuth1Consumer> {
  const callbackUrl = opts.callbackUrl ?? 'https://tool.example/oauth/callback';
  const created = await services.consumers.propose(
    {
      ownerName: opts.owner ?? ADMIN.name,
      name: opts.name ?? `Tool ${Math.random().toString(36).slice(2, 8)}`,
      version: '1.0',
      description: 'A wiki tool',
      callbackUrl,
      grants: opts.grants ?? ['mwoauth-authonlyprivate'],
      oauthVersion: 1,
      callbackIsPrefix: opts.callbackIsPrefix ?? false,
      ownerOnly: opts.ownerOnly ?? false,
      ...(opts.rsaKey ? { rsaKey: opts.rsaKey } : {}),
    },
    { approve: opts.approve ?? true },
  );
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
