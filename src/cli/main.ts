import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../config/config.js';
import { DomainError, UnavailableError } from '../domain/errors.js';
import { openServices, type Services } from '../services.js';
import { UsageError } from './cli-error.js';
import { blockUser, changePassword, createAndPromote, unblockUser } from './commands/accounts.js';
import { createOAuthConsumer, deleteOAuthConsumer, requireTwoFactorForConsumer, trustOAuthConsumer } from './commands/consumers.js';
import { keys } from './commands/keys.js';
import { migrate } from './commands/migrate.js';
import { disableOATHAuthForUser } from './commands/two-factor.js';

type Command = (services: Services, args: string[], out: (line: string) => void) => Promise<void>;

// Each command gets only the services it uses.
const COMMANDS: Record<string, Command> = {
  createAndPromote: ({ accounts }, args, out) => createAndPromote({ accounts }, args, out),
  createOAuthConsumer: ({ consumers }, args, out) => createOAuthConsumer({ consumers }, args, out),
  deleteOAuthConsumer: ({ consumers }, args, out) => deleteOAuthConsumer({ consumers }, args, out),
  trustOAuthConsumer: ({ consumers }, args, out) => trustOAuthConsumer({ consumers }, args, out),
  requireTwoFactorForConsumer: ({ consumers }, args, out) => requireTwoFactorForConsumer({ consumers }, args, out),
  changePassword: ({ accounts }, args, out) => changePassword({ accounts }, args, out),
  blockUser: ({ accounts }, args, out) => blockUser({ accounts }, args, out),
  unblockUser: ({ accounts }, args, out) => unblockUser({ accounts }, args, out),
  disableOATHAuthForUser: ({ accounts, twoFactor }, args, out) => disableOATHAuthForUser({ accounts, twoFactor }, args, out),
  keys: ({ keys: keyService, config }, args, out) => keys({ keys: keyService, config }, args, out),
};

const HELP = `usage: wikiauth <command> [options]

commands:
  serve                  run the service (npm start)
  migrate                create or update the database schema (MariaDB/MySQL; SQLite migrates itself)
  createAndPromote       <username> <password> [--email E] [--sysop] [--bureaucrat] [--custom-groups a,b] [--force]
  createOAuthConsumer    --user U --name N --description D --version V --callbackUrl URL --grants G … [--oauthVersion 1|2] [--trusted] [--requireTwoFactor] [--approve] [--jsonOnSuccess] …
  deleteOAuthConsumer    --key K
  trustOAuthConsumer     --key K [--untrust]
  requireTwoFactorForConsumer --key K [--off]
  changePassword         --user U --password P
  blockUser              <username> [--reason R]
  unblockUser            <username>
  disableOATHAuthForUser <username>
  keys                   list | rotate [--activate-in S] | retire <kid> [--force]`;

/** The `wikiauth` command. Errors: one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      out(HELP);
      return name ? 0 : 2;
    }
    const config = loadConfig();
    if (name === 'serve') {
      const { serve } = await import('../main.js');
      await serve(config);
      return -1; // keeps running
    }
    if (name === 'migrate') {
      await migrate(config.database, args, out);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"; run \`wikiauth help\``);
    const services = await openServices(config);
    try {
      await command(services, args, out);
    } finally {
      await services.close();
    }
    return 0;
  } catch (err) {
    process.stderr.write(`wikiauth: ${describe(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function describe(err: unknown): string {
  if (err instanceof ConfigError) return `invalid configuration: ${err.message}`;
  if (err instanceof UnavailableError) return `cannot reach ${err.dependency} (${(err.cause as { code?: string } | undefined)?.code ?? 'timeout'})`;
  if (err instanceof UsageError || err instanceof DomainError) return err.message;
  const e = err as { message?: string };
  return (e?.message ?? String(err)).split('\n')[0]!;
}
