/**
 * A real MediaWiki for tests: Debian's `mediawiki` package (1.39) installed by its own
 * `maintenance/install.php` into a temporary folder, on a fresh MariaDB database (optionally with a
 * `$wgDBprefix`) or on SQLite; its maintenance scripts run against that install; `php -S` serves it;
 * api.php helpers sign in with a cookie jar. See docs/mediawiki-compat.md for what wikiauth expects
 * from such a wiki.
 *
 * One install takes about two seconds: create one per test file (beforeAll) and `destroy()` it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import knex, { type Knex } from 'knex';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { run, type CliResult } from './cli.js';
import { MYSQL_SERVER, type TestDatabase } from './databases.js';
import { HttpSession } from './http-session.js';
import { freePort, startServer, type TestServer } from './server.js';

export const MEDIAWIKI_ROOT = '/usr/share/mediawiki';
/** MediaWiki refuses admin passwords shorter than 10 characters (sysop policy). */
export const WIKI_ADMIN = { name: 'Admin', password: 'Adminpass-12345' } as const;

/**
 * The accounts of the block tests, each named for the block it gets: none, sitewide, partial,
 * hidden (`hidename`), and one whose block has expired.
 */
export const BLOCK_CASES = {
  PLAIN: { name: 'Plain User', password: 'Plain-pass-2468' },
  BLOCKED: { name: 'Blocked User', password: 'Blocked-pass-8642' },
  PARTIAL: { name: 'Partly Blocked', password: 'Partly-pass-7531' },
  HIDDEN: { name: 'Hidden Blocked', password: 'Hidden-pass-6420' },
  LAPSED: { name: 'Lapsed Block', password: 'Lapsed-pass-5319' },
} as const;

export interface WikiOptions {
  readonly db: 'mysql' | 'sqlite';
  /** `$wgDBprefix` (MariaDB only: MediaWiki's SQLite installer drops it). */
  readonly prefix?: string;
  /** PHP lines appended to LocalSettings.php after the harness's own, e.g. `wfLoadExtension( 'OATHAuth' );`. */
  readonly settings?: readonly string[];
  /** Run `update.php --quick` after appending settings (extensions that bring tables). */
  readonly update?: boolean;
}

export interface UserOptions {
  /** Groups createAndPromote.php knows (sysop, bureaucrat, interface-admin, bot) or custom ones. */
  readonly groups?: readonly string[];
  /** The account may exist already: just add the groups (and set the password). */
  readonly force?: boolean;
}

export interface BlockOptions {
  /** MediaWiki expiry: `infinity`, `1 day`, an ISO time… (blockUsers.php `--expiry`). */
  readonly expiry?: string;
  readonly reason?: string;
}

/** api.php `meta=userinfo` with uiprop=rights|groups|blockinfo. */
export interface WikiUserInfo {
  readonly id: number;
  readonly name: string;
  readonly anon?: boolean;
  readonly groups: string[];
  readonly rights: string[];
  readonly blockid?: number;
  readonly blockexpiry?: string;
  readonly blockpartial?: boolean;
}

export class TestWiki {
  /** Temporary folder: LocalSettings.php, cache, SQLite files, docroot. */
  readonly dir: string;
  readonly db: 'mysql' | 'sqlite';
  /** `$wgDBname`. */
  readonly dbName: string;
  readonly prefix: string;
  /** `$wgOAuthSecretKey` written to LocalSettings (wikiauth's SECRET_KEY on this wiki). */
  readonly secretKey: string;
  readonly #options: WikiOptions;
  #server: ChildProcess | undefined;
  /** wikiauth servers started on this wiki's database; `destroy()` stops them first. */
  readonly #wikiauths: TestServer[] = [];
  #serverOutput = '';
  #url: string | undefined;

  private constructor(options: WikiOptions, dir: string, dbName: string, secretKey: string) {
    this.#options = options;
    this.db = options.db;
    this.dir = dir;
    this.dbName = dbName;
    this.prefix = options.prefix ?? '';
    this.secretKey = secretKey;
  }

  /** Install a fresh wiki with MediaWiki's own installer. */
  static async install(options: WikiOptions): Promise<TestWiki> {
    if (options.db === 'sqlite' && options.prefix) throw new Error('MediaWiki installs SQLite wikis without a table prefix');
    const dir = mkdtempSync(join(tmpdir(), 'wikiauth-mw-'));
    const dbName = `wikiauth_mw_${randomBytes(5).toString('hex')}`;
    const wiki = new TestWiki(options, dir, dbName, randomBytes(32).toString('hex'));
    try {
      await wiki.#install();
    } catch (error) {
      await wiki.destroy();
      throw error;
    }
    return wiki;
  }

  /**
   * A served wiki for the block tests: `users` created in that order, WIKI_ADMIN with `suppress`
   * (needed to hide a name), and BLOCK_CASES' BLOCKED and LAPSED blocked by blockUsers.php.
   */
  static async installWithBlockCases(options: WikiOptions, users: ReadonlyArray<{ name: string; password: string }>): Promise<TestWiki> {
    const wiki = await TestWiki.install(options);
    try {
      await wiki.serve();
      for (const user of users) await wiki.createUser(user.name, user.password);
      await wiki.createUser(WIKI_ADMIN.name, WIKI_ADMIN.password, { groups: ['suppress'], force: true });
      await wiki.block([BLOCK_CASES.BLOCKED.name, BLOCK_CASES.LAPSED.name], { reason: 'Vandalism' });
    } catch (error) {
      await wiki.destroy();
      throw error;
    }
    return wiki;
  }

  get confFile(): string {
    return join(this.dir, 'LocalSettings.php');
  }

  /** SQLite: the wiki's main database file. */
  get sqliteFile(): string {
    return join(this.dir, 'data', `${this.dbName}.sqlite`);
  }

  /** The wiki's database as wikiauth's DATABASE_URL spells it. */
  get databaseUrl(): string {
    return this.db === 'mysql' ? `${MYSQL_SERVER}/${this.dbName}` : `sqlite:${this.sqliteFile}`;
  }

  /** `<prefix><name>`. */
  table(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** A knex connection to the wiki's database (for reading rows and schema dumps); destroy it yourself. */
  connect(): Knex {
    if (this.db === 'mysql') return knex({ client: 'mysql2', connection: this.databaseUrl, pool: { min: 0, max: 2 } });
    return knex({ client: 'better-sqlite3', connection: { filename: this.sqliteFile }, useNullAsDefault: true });
  }

  /** wikiauth's settings for this wiki's own database (docs/mediawiki-compat.md), then `extra`. */
  wikiauthEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      SECRET_KEY: this.secretKey,
      MEDIAWIKI_DB: '1',
      ...(this.prefix ? { MEDIAWIKI_TABLE_PREFIX: this.prefix } : {}),
      ...extra,
    };
  }

  /** wikiauth in-process on this wiki's own database with `env`; `destroy()` stops it with the wiki. */
  async startWikiauth(env: Record<string, string>): Promise<TestServer> {
    const database: TestDatabase = { name: this.db === 'mysql' ? 'mariadb' : 'sqlite', config: loadConfig(env).database, url: this.databaseUrl, env, drop: async () => {} };
    const server = await startServer(database);
    this.#wikiauths.push(server);
    return server;
  }

  /** Blocks placed through api.php as an administrator places them, signed in as WIKI_ADMIN. */
  async blockAsAdmin(blocks: ReadonlyArray<Record<string, string>>): Promise<void> {
    const admin = this.apiClient();
    expect((await admin.clientLogin(WIKI_ADMIN.name, WIKI_ADMIN.password)).status).toBe('PASS');
    const token = await admin.token('csrf');
    for (const block of blocks) {
      const placed = await admin.post({ action: 'block', ...block, token });
      expect(placed.block, JSON.stringify(placed)).toBeTruthy();
    }
  }

  async #install(): Promise<void> {
    const server = new URL(MYSQL_SERVER);
    const dbArgs =
      this.db === 'mysql'
        ? [
            '--dbtype=mysql',
            `--dbserver=${server.hostname}:${server.port || 3306}`,
            `--dbname=${this.dbName}`,
            `--dbprefix=${this.prefix}`,
            `--dbuser=${decodeURIComponent(server.username)}`,
            `--dbpass=${decodeURIComponent(server.password)}`,
            `--installdbuser=${decodeURIComponent(server.username)}`,
            `--installdbpass=${decodeURIComponent(server.password)}`,
          ]
        : ['--dbtype=sqlite', `--dbpath=${join(this.dir, 'data')}`, `--dbname=${this.dbName}`];
    // The server URL is fixed before the port is known: api.php answers on any host, and the
    // port is rewritten below once `serve()` picks one.
    const result = await this.#php(
      [
        join(MEDIAWIKI_ROOT, 'maintenance/install.php'),
        ...dbArgs,
        `--confpath=${this.dir}`,
        '--scriptpath=/w',
        '--server=http://127.0.0.1',
        `--pass=${WIKI_ADMIN.password}`,
        '--lang=en',
        'TestWiki',
        WIKI_ADMIN.name,
      ],
      60_000,
    );
    if (result.code !== 0 || !existsSync(this.confFile)) throw new Error(`install.php failed (${result.code}): ${result.stdout}\n${result.stderr}`);
    mkdirSync(join(this.dir, 'cache'));
    // Debian's PlatformSettings writes to /var/cache/mediawiki and /var/log/mediawiki; keep
    // everything in the temporary folder. CACHE_DB turns on the login throttle and shares the
    // session store with maintenance scripts.
    this.appendSettings([
      `$wgCacheDirectory = ${phpString(join(this.dir, 'cache'))};`,
      '$wgDebugLogGroups = [];',
      '$wgDBerrorLog = false;',
      '$wgMainCacheType = CACHE_DB;',
      `$wgOAuthSecretKey = ${phpString(this.secretKey)};`,
      ...(this.#options.settings ?? []),
    ]);
    if (this.#options.update) await this.maintenance('update.php', ['--quick']);
  }

  appendSettings(lines: readonly string[]): void {
    appendFileSync(this.confFile, `\n${lines.join('\n')}\n`);
  }

  /** Run `maintenance/<script>` (or an absolute path) against this wiki; throws on a non-zero exit. */
  async maintenance(script: string, args: readonly string[] = [], opts: { allowFailure?: boolean } = {}): Promise<CliResult> {
    const path = script.startsWith('/') ? script : join(MEDIAWIKI_ROOT, 'maintenance', script);
    const result = await this.#php([path, `--conf=${this.confFile}`, ...args], 60_000);
    if (result.code !== 0 && !opts.allowFailure) throw new Error(`${script} failed (${result.code}): ${result.stdout}\n${result.stderr}`);
    return result;
  }

  /**
   * Run PHP code inside the wiki, as the body of a maintenance script's execute() (`$this->output()`
   * prints); resolves to what it printed.
   */
  async eval(code: string): Promise<string> {
    const file = join(this.dir, `eval-${randomBytes(4).toString('hex')}.php`);
    const name = `WikiauthTestEval${randomBytes(4).toString('hex')}`;
    writeFileSync(file, `<?php\nclass ${name} extends Maintenance {\npublic function execute() {\n${code}\n}\n}\n$maintClass = ${name}::class;\nrequire_once RUN_MAINTENANCE_IF_MAIN;\n`);
    // runScript.php takes the script first, then the usual maintenance options.
    const result = await this.#php([join(MEDIAWIKI_ROOT, 'maintenance/runScript.php'), file, `--conf=${this.confFile}`], 60_000);
    rmSync(file, { force: true });
    if (result.code !== 0) throw new Error(`PHP failed (${result.code}): ${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** createAndPromote.php: a new user with a password and groups. */
  async createUser(name: string, password: string, opts: UserOptions = {}): Promise<void> {
    const known = new Set(['sysop', 'bureaucrat', 'interface-admin', 'bot']);
    const groups = opts.groups ?? [];
    const custom = groups.filter((g) => !known.has(g));
    await this.maintenance('createAndPromote.php', [
      ...(opts.force ? ['--force'] : []),
      ...groups.filter((g) => known.has(g)).map((g) => `--${g}`),
      ...(custom.length ? [`--custom-groups=${custom.join(',')}`] : []),
      name,
      password,
    ]);
  }

  /** changePassword.php. */
  async changePassword(name: string, password: string): Promise<void> {
    await this.maintenance('changePassword.php', [`--user=${name}`, `--password=${password}`]);
  }

  /** blockUsers.php: a sitewide block of the named users. */
  async block(names: readonly string[], opts: BlockOptions = {}): Promise<void> {
    const file = join(this.dir, `block-${randomBytes(4).toString('hex')}.txt`);
    writeFileSync(file, `${names.join('\n')}\n`);
    await this.maintenance('blockUsers.php', [
      `--performer=${WIKI_ADMIN.name}`,
      ...(opts.expiry ? [`--expiry=${opts.expiry}`] : []),
      ...(opts.reason ? [`--reason=${opts.reason}`] : []),
      file,
    ]);
    rmSync(file, { force: true });
  }

  /** blockUsers.php --unblock. */
  async unblock(names: readonly string[]): Promise<void> {
    const file = join(this.dir, `unblock-${randomBytes(4).toString('hex')}.txt`);
    writeFileSync(file, `${names.join('\n')}\n`);
    await this.maintenance('blockUsers.php', [`--performer=${WIKI_ADMIN.name}`, '--unblock', file]);
    rmSync(file, { force: true });
  }

  /** Base URL of the running wiki (after `serve()`), e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    if (!this.#url) throw new Error('the wiki is not being served: call serve() first');
    return this.#url;
  }

  get apiUrl(): string {
    return `${this.url}/w/api.php`;
  }

  /** Serve the wiki with `php -S` from a docroot whose `w` links to the MediaWiki install. */
  async serve(): Promise<string> {
    if (this.#url) return this.#url;
    const docroot = join(this.dir, 'docroot');
    mkdirSync(docroot, { recursive: true });
    if (!existsSync(join(docroot, 'w'))) symlinkSync(MEDIAWIKI_ROOT, join(docroot, 'w'));
    const port = await freePort();
    this.appendSettings([`$wgServer = "http://127.0.0.1:${port}";`]);
    const child = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', docroot], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', MW_CONFIG_FILE: this.confFile, MW_INSTALL_PATH: MEDIAWIKI_ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#server = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.#serverOutput = (this.#serverOutput + chunk).slice(-20_000)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.#serverOutput = (this.#serverOutput + chunk).slice(-20_000)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`php -S exited: ${this.#serverOutput}`);
      try {
        const res = await fetch(`${url}/w/api.php?action=query&meta=siteinfo&format=json`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`php -S did not answer: ${this.#serverOutput}`);
      await sleep(50);
    }
    this.#url = url;
    return url;
  }

  /** What `php -S` printed lately (PHP warnings, request log). */
  serverOutput(): string {
    return this.#serverOutput;
  }

  /** A new api.php client with its own cookie jar. */
  apiClient(): WikiApiClient {
    return new WikiApiClient(this.apiUrl);
  }

  async destroy(): Promise<void> {
    for (const wikiauth of this.#wikiauths.splice(0)) await wikiauth.close();
    const server = this.#server;
    this.#server = undefined;
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (this.db === 'mysql') {
      const admin = knex({ client: 'mysql2', connection: `${MYSQL_SERVER}/test` });
      try {
        await admin.raw(`DROP DATABASE IF EXISTS \`${this.dbName}\``);
      } finally {
        await admin.destroy();
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  #php(args: readonly string[], timeoutMs: number): Promise<CliResult> {
    return run('php', args, { cwd: this.dir, env: { MW_INSTALL_PATH: MEDIAWIKI_ROOT }, timeoutMs });
  }
}

/** MediaWiki's api.php over HTTP with a cookie jar (one signed-in user at most). */
export class WikiApiClient {
  readonly session: HttpSession;
  readonly #api: string;

  constructor(apiUrl: string) {
    this.#api = apiUrl;
    this.session = new HttpSession(new URL(apiUrl).origin);
  }

  /** GET api.php with `format=json&formatversion=2`. */
  async get(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Record<string, any>> {
    const url = new URL(this.#api);
    for (const [k, v] of Object.entries({ format: 'json', formatversion: '2', ...params })) url.searchParams.set(k, v);
    const res = await this.session.request(url.href, { headers });
    return parseJson(res);
  }

  /** POST api.php (form-encoded) with `format=json&formatversion=2`. */
  async post(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Record<string, any>> {
    const res = await this.session.request(this.#api, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ format: 'json', formatversion: '2', ...params }).toString(),
    });
    return parseJson(res);
  }

  async token(type: 'login' | 'csrf' | 'userrights'): Promise<string> {
    const body = await this.get({ action: 'query', meta: 'tokens', type });
    return body.query.tokens[`${type}token`] as string;
  }

  /**
   * action=clientlogin; resolves to MediaWiki's answer (`status` PASS, FAIL, UI…). Extra fields
   * continue a multi-step login (`logincontinue=1&OATHToken=…`).
   */
  async clientLogin(username: string, password: string): Promise<Record<string, any>> {
    const logintoken = await this.token('login');
    const body = await this.post({ action: 'clientlogin', username, password, logintoken, loginreturnurl: new URL(this.#api).origin + '/' });
    return body.clientlogin as Record<string, any>;
  }

  async clientLoginContinue(fields: Record<string, string>): Promise<Record<string, any>> {
    const logintoken = await this.token('login');
    const body = await this.post({ action: 'clientlogin', logincontinue: '1', logintoken, ...fields });
    return body.clientlogin as Record<string, any>;
  }

  /** meta=userinfo for this session (or for a Bearer/OAuth header given). */
  async userInfo(headers: Record<string, string> = {}): Promise<WikiUserInfo> {
    const body = await this.get({ action: 'query', meta: 'userinfo', uiprop: 'rights|groups|blockinfo' }, headers);
    return body.query.userinfo as WikiUserInfo;
  }
}

async function parseJson(res: Response): Promise<Record<string, any>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    throw new Error(`api.php answered ${res.status} with non-JSON: ${text.slice(0, 500)}`);
  }
}

/** A PHP single-quoted string literal. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Every table's definition, by name (MariaDB `SHOW CREATE TABLE` without AUTO_INCREMENT counters,
 * SQLite `sqlite_master.sql` plus indexes), for before/after comparisons.
 */
export async function schemaDump(db: Knex, filter: (table: string) => boolean = () => true): Promise<Record<string, string>> {
  const dump: Record<string, string> = {};
  if (db.client.config.client === 'mysql2') {
    const [tables] = (await db.raw('SHOW TABLES')) as [Array<Record<string, string>>];
    for (const row of tables) {
      const name = String(Object.values(row)[0]);
      if (!filter(name)) continue;
      const [[create]] = (await db.raw('SHOW CREATE TABLE ??', [name])) as [Array<Record<string, string>>];
      dump[name] = String(create!['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
    }
    return dump;
  }
  const rows = (await db('sqlite_master').whereNotNull('sql').andWhereNot('name', 'like', 'sqlite_%').select('type', 'name', 'tbl_name', 'sql')) as Array<{ type: string; name: string; tbl_name: string; sql: string }>;
  for (const row of rows.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!filter(row.tbl_name)) continue;
    dump[row.tbl_name] = `${dump[row.tbl_name] ?? ''}${row.sql};\n`;
  }
  return dump;
}
