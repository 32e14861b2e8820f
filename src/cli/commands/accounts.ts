import type { AccountService } from '../../domain/accounts/account-service.js';
import { UsageError } from '../cli-error.js';
import { parse } from '../parse.js';

const CREATE_USAGE = 'createAndPromote <username> <password> [--email E] [--sysop] [--bureaucrat] [--custom-groups a,b] [--force]';

/** MediaWiki's maintenance/createAndPromote.php. */
export async function createAndPromote(services: { readonly accounts: AccountService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      email: { type: 'string' },
      sysop: { type: 'boolean' },
      bureaucrat: { type: 'boolean' },
      'custom-groups': { type: 'string' },
      force: { type: 'boolean' },
    },
    CREATE_USAGE,
  );
  const [name, password, ...rest] = positionals;
  if (!name || rest.length) throw new UsageError(`expected a user name and a password (usage: ${CREATE_USAGE})`);
  const groups = [
    ...(values.sysop ? ['sysop'] : []),
    ...(values.bureaucrat ? ['bureaucrat'] : []),
    ...(values['custom-groups'] ?? '').split(',').map((g) => g.trim()).filter(Boolean),
  ];
  const existing = await services.accounts.findByName(name);
  if (existing) {
    if (!values.force) throw new UsageError('Account exists. Perhaps you want the --force option?');
    if (password) await services.accounts.setPassword(existing.name, password);
    if (values.email) await services.accounts.setEmail(existing.name, values.email);
    await services.accounts.promote(existing.name, groups);
    out(`Account "${existing.name}" updated${groups.length ? `; groups: ${groups.join(', ')}` : ''}.`);
    return;
  }
  if (!password) throw new UsageError(`a new account needs a password (usage: ${CREATE_USAGE})`);
  const account = await services.accounts.create({ name, password, ...(values.email ? { email: values.email } : {}), groups });
  out(`Account "${account.name}" created (id ${account.id})${groups.length ? ` in groups: ${groups.join(', ')}` : ''}.`);
}

const PASSWORD_USAGE = 'changePassword --user U --password P';

/** MediaWiki's maintenance/changePassword.php. A new password revokes every authorization of the user. */
export async function changePassword(services: { readonly accounts: AccountService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(args, { user: { type: 'string' }, password: { type: 'string' } }, PASSWORD_USAGE);
  if (!values.user || !values.password || positionals.length) throw new UsageError(`--user and --password are required (usage: ${PASSWORD_USAGE})`);
  const account = await services.accounts.setPassword(values.user, values.password);
  out(`Password changed for "${account.name}"; ${account.revoked} app authorization(s) revoked.`);
}

const BLOCK_USAGE = 'blockUser <username> [--reason R] [--expiry TS_MW|infinity]';

export async function blockUser(services: { readonly accounts: AccountService }, args: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parse(args, { reason: { type: 'string' }, expiry: { type: 'string' } }, BLOCK_USAGE);
  if (positionals.length !== 1) throw new UsageError(`expected one user name (usage: ${BLOCK_USAGE})`);
  const expiry = values.expiry ?? 'infinity';
  if (expiry !== 'infinity' && !/^\d{14}$/.test(expiry)) throw new UsageError('--expiry must be "infinity" or a YYYYMMDDHHMMSS timestamp');
  const account = await services.accounts.block(positionals[0]!, values.reason ?? '', 0, expiry);
  out(`Blocked "${account.name}".`);
}

export async function unblockUser(services: { readonly accounts: AccountService }, args: string[], out: (line: string) => void): Promise<void> {
  const { positionals } = parse(args, {}, 'unblockUser <username>');
  if (positionals.length !== 1) throw new UsageError('expected one user name (usage: unblockUser <username>)');
  const account = await services.accounts.unblock(positionals[0]!);
  out(`Unblocked "${account.name}".`);
}
