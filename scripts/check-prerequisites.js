// Runs before `npm test`: the suite drives real Debian programs (MediaWiki's Python OAuth client,
// Chromium, PHP, …), MariaDB and Redis. Rather than fail dozens of tests one by one, stop at once
// with one line saying what is missing and the command that sets it up (`.ci/setup`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import mysql from 'mysql2/promise';

const SETUP = 'bash .ci/setup (as root)';
const packagesFile = new URL('../.ci/packages', import.meta.url);

function stop(message) {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

function listedPackages() {
  return readFileSync(packagesFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** The listed packages dpkg does not report as installed (one dpkg-query call for all). */
function missingPackages(packages) {
  let output;
  try {
    output = execFileSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    if (err.code === 'ENOENT') stop(`this suite runs on Debian (dpkg-query not found); it needs ${packages.join(' ')}`);
    output = err.stdout ?? ''; // dpkg-query exits 1 when some package is unknown, and still lists the others.
  }
  const installed = new Set(
    output
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0].replace(/:.*/, '')),
  );
  return packages.filter((name) => !installed.has(name));
}

function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function mysqlProblem(url) {
  try {
    const connection = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
    await connection.end();
    return undefined;
  } catch (err) {
    return err.code === 'ER_ACCESS_DENIED_ERROR' || err.code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'
      ? `MariaDB at ${url} refuses the login: run ${SETUP}, then export the TEST_MYSQL_URL it prints`
      : `MariaDB does not answer at ${url} (${err.code ?? err.message}): run ${SETUP}`;
  }
}

const missing = missingPackages(listedPackages());
if (missing.length) stop(`missing Debian packages ${missing.join(' ')}: run ${SETUP}`);

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const mysqlUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const [redisOk, mysqlIssue] = await Promise.all([redisAnswers(redisUrl), mysqlProblem(mysqlUrl)]);
if (!redisOk) stop(`Redis does not answer at ${redisUrl}: run ${SETUP}`);
if (mysqlIssue) stop(mysqlIssue);
