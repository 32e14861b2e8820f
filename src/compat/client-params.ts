import type { FormData } from '../http/request-body.js';
import { RestError } from './rest-errors.js';

/*
 * MediaWiki's ParamValidator rules for the client API's parameters: booleans accept
 * 1/true/on/yes and 0/false/off/no/'', lists are repeated values or `a|b`, integers are decimal.
 */

export function stringParam(body: FormData, name: string, opts: { required?: boolean; fallback?: string } = {}): string {
  const value = body.one(name);
  if (value === undefined) {
    if (body.has(name)) throw RestError.param(name, body.all(name), 'multivalue-not-allowed', `"${name}" must be given once`);
    if (opts.required) throw RestError.param(name, null, 'missingparam', `The "${name}" parameter must be set.`);
    return opts.fallback ?? '';
  }
  return value;
}

export function booleanParam(body: FormData, name: string, opts: { required?: boolean } = {}): boolean {
  const raw = stringParam(body, name, { ...opts, fallback: '' }).trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no', ''].includes(raw)) return false;
  throw RestError.param(name, raw, 'badbool', `Invalid value "${raw}" for boolean parameter "${name}".`);
}

export function listParam(body: FormData, name: string, opts: { required?: boolean; allowed?: (value: string) => boolean } = {}): string[] {
  const values = body.all(name).flatMap((v) => v.split('|')).map((v) => v.trim()).filter(Boolean);
  if (!values.length && opts.required) throw RestError.param(name, null, 'missingparam', `The "${name}" parameter must be set.`);
  const bad = opts.allowed ? values.find((v) => !opts.allowed!(v)) : undefined;
  if (bad !== undefined) throw RestError.param(name, bad, 'badvalue', `Unrecognized value for parameter "${name}": ${bad}.`);
  return [...new Set(values)];
}

export function enumParam<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw RestError.param(name, value, 'badvalue', `Unrecognized value for parameter "${name}": ${String(value)}.`);
}

export function integerParam(value: unknown, name: string, opts: { fallback: number; min: number; max: number }): number {
  if (value === undefined) return opts.fallback;
  if (typeof value !== 'string' || !/^-?\d{1,9}$/.test(value.trim())) throw RestError.param(name, value, 'badinteger', `Invalid integer value "${String(value)}" for parameter "${name}".`);
  const n = Number(value);
  if (n < opts.min || n > opts.max) throw RestError.param(name, value, 'outofrange', `Value "${n}" for parameter "${name}" must be between ${opts.min} and ${opts.max}.`);
  return n;
}
