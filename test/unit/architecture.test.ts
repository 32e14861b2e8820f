import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/architecture.md: the folders of src/ form layers; these rules keep them from folding back.
const SRC = resolve(import.meta.dirname, '../../src');

interface Edge {
  readonly file: string;
  readonly target: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every import (static, type-only or dynamic) of every file under src/, relative ones resolved. */
function imports(): Edge[] {
  return sourceFiles(SRC).flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    const file = relative(SRC, path);
    return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)].map((m) => {
      const spec = (m[1] ?? m[2])!;
      const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '.ts') : spec;
      return { file, target };
    });
  });
}

/** The top-level folder of a file in src/ (files directly in src/ are the composition root). */
function folder(file: string): string | undefined {
  const parts = file.split('/');
  return parts.length > 1 && !file.startsWith('..') ? parts[0] : undefined;
}

const edges = imports();

function importsBetween(from: string, to: string): string[] {
  return edges.filter((e) => folder(e.file) === from && folder(e.target) === to).map((e) => `${e.file} -> ${e.target}`);
}

describe('folder layering of src/', () => {
  it('OAuth 1.0a and the MediaWiki compatibility routes do not import each other', () => {
    expect(importsBetween('oauth1', 'compat')).toEqual([]);
    expect(importsBetween('compat', 'oauth1')).toEqual([]);
  });

  it('the provider does not import the interaction routes', () => {
    expect(importsBetween('provider', 'interactions')).toEqual([]);
  });

  it('the domain imports no framework, driver or edge', () => {
    const outside = edges.filter((e) => folder(e.file) === 'domain' && !e.target.startsWith('node:') && folder(e.target) !== 'domain');
    expect(outside.map((e) => `${e.file} -> ${e.target}`)).toEqual([]);
  });

  it('no import cycle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      const [a, b] = [folder(e.file), folder(e.target)];
      if (a && b && a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
    }
    const cycles: string[] = [];
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(graph.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    for (const [a, targets] of graph) for (const b of targets) if (reaches(b, a)) cycles.push(`${a} -> ${b}`);
    expect(cycles).toEqual([]);
  });

  it('only storage and the composition root see knex', () => {
    const outside = edges.filter((e) => e.target === 'knex' && folder(e.file) !== 'storage' && folder(e.file) !== undefined);
    expect(outside.map((e) => e.file)).toEqual([]);
  });

  it('storage and the domain name no oidc-provider model: placement is the provider edge\'s and the composition root\'s', () => {
    const MODELS = /'(AccessToken|RefreshToken|AuthorizationCode|ClientCredentials|Grant|Session|Interaction|DeviceCode|ReplayDetection|PushedAuthorizationRequest|RegistrationAccessToken|InitialAccessToken|BackchannelAuthenticationRequest|Client)'/;
    const naming = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((file) => ['storage', 'domain'].includes(folder(file) ?? '') && MODELS.test(readFileSync(join(SRC, file), 'utf8')));
    expect(naming).toEqual([]);
  });

  it('edges get narrow dependencies, never the Services bag', () => {
    const roots = new Set(['main.ts', 'compose.ts', 'services.ts', 'cli/main.ts']);
    const users = edges.filter((e) => e.target === 'services.ts' && !roots.has(e.file));
    expect(users.map((e) => e.file)).toEqual([]);
  });
});
