/**
 * Reading a handler's environment: the one `ConfigError` of every handler and
 * typed readers that check a variable against its contract
 * (lib/private/contracts/). Every error names the variable, the value
 * received (cut to 80 characters; JSON values are never quoted) and the rule,
 * as `USER_POOL_ID: "x" is invalid: a user pool id …` (the form of the
 * constructs' prop errors and the portal's request errors).
 * Values are read once, at cold start: a `ConfigError` then makes the handler
 * refuse every request (the authorizer denies, the trigger refuses tokens, the
 * portal answers 500, the rotation fails its step).
 */
import type { IntegerSetting } from '../../lib/private/contracts/env';
import { IdRule, matchesRule } from '../../lib/private/contracts/ids';

/** The environment as Lambda passes it (`process.env`) or a test builds it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The deployment is misconfigured (its environment or the files beside the bundle), not the request. */
export class ConfigError extends Error {
  /** The reason code logs and metrics give a configuration error. */
  public readonly reason = 'config_error';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The error for a variable whose value breaks its rule (the value shown as JSON of its first 80 characters). */
export function invalid(name: string, value: string, rule: string): ConfigError {
  return new ConfigError(`${name}: ${JSON.stringify(value.slice(0, 80))} is invalid: ${rule}`);
}

/** The error for a field inside a JSON variable (the value is not quoted). */
export function invalidField(name: string, field: string, rule: string): ConfigError {
  return new ConfigError(`${name}: ${field} is invalid: ${rule}`);
}

/** The error for a required variable that is not set (or empty). */
export function missing(name: string, rule: string): ConfigError {
  return new ConfigError(`${name} is not set: ${rule}`);
}

/** The variable's value; undefined when it is not set or empty. */
export function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The variable's value, which must satisfy an id rule of lib/private/contracts/ids.ts. */
export function requiredId(env: Env, name: string, rule: IdRule): string {
  const value = optional(env, name);
  if (value === undefined) throw missing(name, rule.describe);
  if (!matchesRule(rule, value)) throw invalid(name, value, rule.describe);
  return value;
}

/** Like `requiredId`, for a variable that may be unset (undefined then). */
export function optionalId(env: Env, name: string, rule: IdRule): string | undefined {
  return optional(env, name) === undefined ? undefined : requiredId(env, name, rule);
}

/** The rule of an integer setting in words: `an integer from 0 to 900 (seconds)`. */
export function integerRule(setting: IntegerSetting): string {
  const range = setting.max === Infinity ? `an integer of at least ${setting.min}` : `an integer from ${setting.min} to ${setting.max}`;
  return setting.unit ? `${range} (${setting.unit})` : range;
}

/** An integer setting: its default when unset (required without one), else a whole number in its range. */
export function integer(env: Env, setting: IntegerSetting): number {
  const raw = optional(env, setting.env);
  if (raw === undefined) {
    if (setting.default === undefined) throw missing(setting.env, integerRule(setting));
    return setting.default;
  }
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < setting.min || value > setting.max) throw invalid(setting.env, raw, integerRule(setting));
  return value;
}

/** A boolean: `true` or `false`; `fallback` when unset. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw invalid(name, raw, 'true or false');
  return raw === 'true';
}

/**
 * A JSON variable, parsed (undefined when unset); the caller checks its shape.
 * A value that is not JSON is not quoted: JSON values may be long or hold
 * lists of clients.
 */
export function json(env: Env, name: string, rule: string): unknown {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} is not valid JSON: ${rule}`);
  }
}
