// Runs on `npm ci` / `npm install` in a clone: compile the TypeScript sources so that
// `npx wikiauth …` and `npm start` work straight away (Node 20 cannot run .ts files).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  // A production install without devDependencies: ship a prebuilt dist/.
  if (!existsSync(new URL('../dist/src/main.js', import.meta.url))) {
    console.error('wikiauth: TypeScript is not installed and dist/ is missing; run `npm ci` (with dev dependencies) first');
    process.exit(1);
  }
  process.exit(0);
}
if (!existsSync(new URL('../src', import.meta.url))) process.exit(0);
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
