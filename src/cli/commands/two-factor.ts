import type { AccountService } from '../../domain/accounts/account-service.js';
import type { Enrolments } from '../../domain/accounts/two-factor-setup.js';
import { DomainError } from '../../domain/errors.js';
import { UsageError } from '../cli-error.js';
import { parse } from '../parse.js';

const USAGE = 'disableOATHAuthForUser <username>';

/**
 * OATHAuth's maintenance/disableOATHAuthForUser.php: removes the user's two-factor enrolment (the
 * wiki's `oathauth_users` row in MediaWiki mode) and ends every site session of the user, so that a
 * user whose second factor was removed on someone else's word must log in again and notices.
 */
export async function disableOATHAuthForUser(services: { readonly accounts: AccountService; readonly twoFactor: Pick<Enrolments, 'disable'> }, args: string[], out: (line: string) => void): Promise<void> {
  const { positionals } = parse(args, {}, USAGE);
  if (positionals.length !== 1) throw new UsageError(`expected one user name (usage: ${USAGE})`);
  const account = await services.accounts.findByName(positionals[0]!);
  if (!account) throw new DomainError('not_found', `User ${positionals[0]} doesn't exist!`);
  if (!(await services.twoFactor.disable(account.id))) throw new DomainError('not_enrolled', `User ${account.name} doesn't have OATHAuth enabled!`);
  out(`OATHAuth disabled for ${account.name}.`);
}
