import type { Services } from '../../src/services.js';

export const ALICE = { name: 'Alice', password: 'alice-password-1', email: 'alice@example.org' } as const;
export const BOB = { name: 'Bob', password: 'bob-password-1', email: 'bob@example.org' } as const;
export const ADMIN = { name: 'Admin', password: 'admin-password-1', email: 'admin@example.org' } as const;

export interface SeededClient {
  readonly id: number;
  readonly key: string;
  readonly secret: string;
  readonly redirectUri: string;
}

export async function seedUsers(services: Services): Promise<void> {
  await services.accounts.create({ ...ALICE, realName: 'Alice Liddell' });
  await services.accounts.create({ ...BOB });
  await services.accounts.create({ ...ADMIN, groups: ['sysop', 'bureaucrat'] });
}

/** Register an OAuth 2 consumer owned by Admin, approved unless told otherwise. */
export async function seedClient(
  services: Services,
  opts: {
    name?: string;
    grants?: string[];
    redirectUri?: string;
    confidential?: boolean;
    grantTypes?: string[];
    approve?: boolean;
    owner?: string;
    ownerOnly?: boolean;
    postLogoutRedirectUris?: string[];
  } = {},
): Promise<SeededClient> {
  const redirectUri = opts.redirectUri ?? 'https://app.example/callback';
  const created = await services.consumers.propose(
    {
      ownerName: opts.owner ?? ADMIN.name,
      name: opts.name ?? `App ${Math.random().toString(36).slice(2, 8)}`,
      version: '1.0',
      description: 'A test application',
      callbackUrl: redirectUri,
      grants: opts.grants ?? ['mwoauth-authonlyprivate'],
      oauthVersion: 2,
      oauth2IsConfidential: opts.confidential ?? true,
      oauth2GrantTypes: opts.grantTypes ?? ['authorization_code', 'refresh_token', 'client_credentials'],
      ownerOnly: opts.ownerOnly ?? false,
      ...(opts.postLogoutRedirectUris ? { metadata: { post_logout_redirect_uris: opts.postLogoutRedirectUris } } : {}),
    },
    { approve: opts.approve ?? true },
  );
  return { id: created.consumer.id, key: created.consumer.key, secret: created.secret, redirectUri };
}
