#!/usr/bin/env node
// The `wikiauth` command: runs the compiled CLI (Node 20 cannot run .ts; `npm ci` builds dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('wikiauth: not built yet; run `npm ci` or `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
