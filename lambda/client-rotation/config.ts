/**
 * Configuration of the rotation function: CLIENT_ROTATION_ENVIRONMENT
 * (lib/private/contracts/environments.ts), set by lib/private/client-rotation.ts.
 * Checked at cold start; a problem is a `ConfigError` and every rotation step
 * then fails.
 */
import { CLIENT_ROTATION_ENV, GRACE_SECONDS } from '../../lib/private/contracts/client-rotation';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { TOKEN_ENDPOINT, USER_POOL_ID } from '../../lib/private/contracts/ids';
import { ConfigError, Env, integer, json, optionalId, requiredId } from '../shared/config';
import { LogLevel, logLevelFromEnv } from '../shared/log';

export interface RotationConfig {
  /** The user pool whose app clients the function rotates. */
  readonly userPoolId: string;
  /** How long an old Cognito client secret keeps working after a rotation. */
  readonly graceMs: number;
  /** The stacks whose secrets the function may rotate (binding.ts). */
  readonly trustedStacks: readonly string[];
  /** The pool's token endpoint, the only URL testSecret sends a secret to; absent: GetClientToken. */
  readonly tokenEndpoint?: string;
  readonly logLevel: LogLevel;
}

/** A CloudFormation stack name. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export function loadConfig(env: Env): RotationConfig {
  const userPoolId = requiredId(env, CLIENT_ROTATION_ENV.userPoolId, USER_POOL_ID);
  const graceSeconds = integer(env, GRACE_SECONDS);
  const trustedStacks = parseStackNames(env);
  const tokenEndpoint = optionalId(env, CLIENT_ROTATION_ENV.tokenEndpoint, TOKEN_ENDPOINT);
  return {
    userPoolId,
    graceMs: graceSeconds * 1000,
    trustedStacks,
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
    logLevel: logLevelFromEnv(env[HANDLER_ENV.logLevel]),
  };
}

function parseStackNames(env: Env): string[] {
  const name = CLIENT_ROTATION_ENV.trustedStacks;
  const rule = 'a JSON array of one or more CloudFormation stack names';
  const value = json(env, name, rule);
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && STACK_NAME.test(v))) {
    throw new ConfigError(`${name}: ${JSON.stringify((env[name] ?? '').slice(0, 200))} is invalid: ${rule}`);
  }
  return value as string[];
}
