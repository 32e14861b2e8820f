import { ConfigError } from './config.js';

/** The process environment as `loadConfig` reads it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value; unset and blank are the same. */
export function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `expected 1/0, true/false, yes/no or on/off, got "${raw}"`);
}

