import type { ConsumerService } from '../../domain/consumers/consumer-service.js';
import { UsageError } from '../cli-error.js';
import { parse, requireOption } from '../parse.js';

const CREATE_USAGE =
  'createOAuthConsumer --user U --name N --description D --version V --callbackUrl URL --grants G [--grants G2 …] ' +
  '[--oauthVersion 1|2] [--callbackIsPrefix] [--ownerOnly] [--oauth2IsNotConfidential] [--oauth2GrantTypes T …] ' +
  '[--postLogoutRedirectUri URL …] [--trusted] [--requireTwoFactor] [--approve] [--jsonOnSuccess]';

/** The extension's maintenance/createOAuthConsumer.php, same flags and output. */
export async function createOAuthConsumer(services: { readonly consumers: ConsumerService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      user: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      version: { type: 'string' },
      callbackUrl: { type: 'string' },
      grants: { type: 'string', multiple: true },
      oauthVersion: { type: 'string' },
      callbackIsPrefix: { type: 'boolean' },
      ownerOnly: { type: 'boolean' },
      oauth2IsNotConfidential: { type: 'boolean' },
      oauth2GrantTypes: { type: 'string', multiple: true },
      postLogoutRedirectUri: { type: 'string', multiple: true },
      rsaKeyFile: { type: 'string' },
      trusted: { type: 'boolean' },
      requireTwoFactor: { type: 'boolean' },
      approve: { type: 'boolean' },
      jsonOnSuccess: { type: 'boolean' },
    },
    CREATE_USAGE,
  );
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${CREATE_USAGE})`);
  const oauthVersion = values.oauthVersion ?? '1';
  if (oauthVersion !== '1' && oauthVersion !== '2') throw new UsageError('--oauthVersion must be 1 or 2');
  const grants = values.grants ?? [];
  if (!grants.length) throw new UsageError(`--grants is required (usage: ${CREATE_USAGE})`);
  const ownerOnly = values.ownerOnly ?? false;
  const postLogout = values.postLogoutRedirectUri ?? [];
  if (postLogout.length && oauthVersion !== '2') throw new UsageError('--postLogoutRedirectUri applies to OAuth 2 consumers only');
  for (const uri of postLogout) {
    if (!URL.canParse(uri)) throw new UsageError(`--postLogoutRedirectUri "${uri}" is not a URL`);
  }
  let rsaKey: string | undefined;
  if (values.rsaKeyFile) {
    const { readFileSync } = await import('node:fs');
    rsaKey = readFileSync(values.rsaKeyFile, 'utf8');
  }
  const created = await services.consumers.propose(
    {
      ownerName: requireOption(values.user, 'user', CREATE_USAGE),
      name: requireOption(values.name, 'name', CREATE_USAGE),
      description: requireOption(values.description, 'description', CREATE_USAGE),
      version: requireOption(values.version, 'version', CREATE_USAGE),
      callbackUrl: ownerOnly ? (values.callbackUrl ?? '') : requireOption(values.callbackUrl, 'callbackUrl', CREATE_USAGE),
      grants: grants.flatMap((g) => g.split(/[\s,|]+/)).filter(Boolean),
      // createOAuthConsumer.php submits `granttype: normal`: every --grants value is kept.
      granttype: 'normal',
      oauthVersion: oauthVersion === '2' ? 2 : 1,
      callbackIsPrefix: values.callbackIsPrefix ?? false,
      ownerOnly,
      oauth2IsConfidential: !values.oauth2IsNotConfidential,
      oauth2GrantTypes: values.oauth2GrantTypes ?? [],
      trusted: values.trusted ?? false,
      requireTwoFactor: values.requireTwoFactor ?? false,
      ...(rsaKey ? { rsaKey } : {}),
      ...(postLogout.length ? { metadata: { post_logout_redirect_uris: postLogout } } : {}),
    },
    { approve: values.approve ?? false },
  );
  const { consumer, secret, ownerAccess, ownerAccessToken } = created;
  if (values.jsonOnSuccess) {
    out(
      JSON.stringify({
        created: true,
        id: consumer.id,
        name: consumer.name,
        key: consumer.key,
        secret,
        ...(consumer.stage === 'approved' ? { approved: 1 } : {}),
        ...(ownerAccess ? { accessToken: ownerAccess.token, accessSecret: ownerAccess.secret } : {}),
        ...(ownerAccessToken ? { accessToken: ownerAccessToken } : {}),
      }),
    );
    return;
  }
  out(`Created a new consumer with key ${consumer.key} and secret ${secret}${consumer.stage === 'approved' ? ' (approved)' : ' (proposed; approve it before others can use it)'}.`);
  if (ownerAccess) out(`Owner-only access token ${ownerAccess.token} and secret ${ownerAccess.secret}.`);
  if (ownerAccessToken) out(`Owner-only access token (shown once, does not expire): ${ownerAccessToken}`);
}

const DELETE_USAGE = 'deleteOAuthConsumer --key K [--reason R]';

export async function deleteOAuthConsumer(services: { readonly consumers: ConsumerService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(args, { key: { type: 'string' }, reason: { type: 'string' } }, DELETE_USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${DELETE_USAGE})`);
  const consumer = await services.consumers.delete(requireOption(values.key, 'key', DELETE_USAGE), { reason: values.reason ?? '' });
  out(`Deleted consumer "${consumer.name}" (${consumer.key}) and its authorizations.`);
}

const TRUST_USAGE = 'trustOAuthConsumer --key K [--untrust] [--reason R]';

/** An administrator marks an OAuth 2 consumer trusted: its users are not asked to consent. */
export async function trustOAuthConsumer(services: { readonly consumers: ConsumerService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(args, { key: { type: 'string' }, untrust: { type: 'boolean' }, reason: { type: 'string' } }, TRUST_USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${TRUST_USAGE})`);
  const consumer = await services.consumers.setTrusted(requireOption(values.key, 'key', TRUST_USAGE), !values.untrust, { reason: values.reason ?? '' });
  out(`Consumer "${consumer.name}" (${consumer.key}) is ${consumer.trusted ? 'trusted: its users are not asked to consent' : 'no longer trusted'}.`);
}

const TWO_FACTOR_USAGE = 'requireTwoFactorForConsumer --key K [--off]';

/** An administrator demands two-factor sign-in from an OAuth 2 consumer's users (or stops demanding it). */
export async function requireTwoFactorForConsumer(services: { readonly consumers: ConsumerService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(args, { key: { type: 'string' }, off: { type: 'boolean' } }, TWO_FACTOR_USAGE);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (usage: ${TWO_FACTOR_USAGE})`);
  const consumer = await services.consumers.setRequireTwoFactor(requireOption(values.key, 'key', TWO_FACTOR_USAGE), !values.off);
  out(`Consumer "${consumer.name}" (${consumer.key}) ${consumer.requireTwoFactor ? 'demands two-factor sign-in from its users' : 'no longer demands two-factor sign-in'}.`);
}
