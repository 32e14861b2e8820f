import type { CreatedConsumer, ProposeConsumerInput } from '../../src/domain/consumers/consumer-service.js';
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

/** What every seeded consumer may change, OAuth 1.0a or 2. */
export interface SeedConsumerOptions {
  name?: string;
  grants?: string[];
  approve?: boolean;
  owner?: string;
  ownerOnly?: boolean;
}

/** A version's own fields, and the word its random default name starts with. */
type ConsumerKind = Omit<ProposeConsumerInput, 'ownerName' | 'name' | 'version' | 'grants' | 'ownerOnly'> & { readonly namePrefix: string };

/** Propose a consumer owned by Admin, approved unless told otherwise (seedClient, seedOAuth1Consumer). */
export function proposeTestConsumer(services: Services, opts: SeedConsumerOptions, kind: ConsumerKind): Promise<CreatedConsumer> {
  const { namePrefix, ...fields } = kind;
  return services.consumers.propose(
    {
      ownerName: opts.owner ?? ADMIN.name,
      name: opts.name ?? `${namePrefix} ${Math.random().toString(36).slice(2, 8)}`,
      version: '1.0',
      grants: opts.grants ?? ['mwoauth-authonlyprivate'],
      ownerOnly: opts.ownerOnly ?? false,
      ...fields,
    },
    { approve: opts.approve ?? true },
  );
}

/** Register an OAuth 2 consumer owned by Admin, approved unless told otherwise. */
export async function seedClient(
  services: Services,
  opts: SeedConsumerOptions & {
    redirectUri?: string;
    confidential?: boolean;
    grantTypes?: string[];
    postLogoutRedirectUris?: string[];
  } = {},
): Promise<SeededClient> {
  const redirectUri = opts.redirectUri ?? 'https://app.example/callback';
  const created = await proposeTestConsumer(services, opts, {
    namePrefix: 'App',
    description: 'A test application',
    callbackUrl: redirectUri,
    oauthVersion: 2,
    oauth2IsConfidential: opts.confidential ?? true,
    oauth2GrantTypes: opts.grantTypes ?? ['authorization_code', 'refresh_token', 'client_credentials'],
    ...(opts.postLogoutRedirectUris ? { metadata: { post_logout_redirect_uris: opts.postLogoutRedirectUris } } : {}),
  });
  return { id: created.consumer.id, key: created.consumer.key, secret: created.secret, redirectUri };
}
