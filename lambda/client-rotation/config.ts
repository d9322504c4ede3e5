/**
 * Configuration of the rotation function, from the environment the construct
 * (lib/private/client-rotation.ts) sets. Checked at cold start.
 */
import { ConfigError } from './errors';
import { GRACE_SECONDS_ENV, MIN_GRACE_SECONDS, TOKEN_ENDPOINT_ENV, TRUSTED_STACKS_ENV, USER_POOL_ID_ENV } from '../../lib/private/contracts/client-rotation';
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

const USER_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;

export function loadConfig(env: Record<string, string | undefined>): RotationConfig {
  const userPoolId = env[USER_POOL_ID_ENV] ?? '';
  if (!USER_POOL_ID.test(userPoolId)) {
    throw new ConfigError(`${USER_POOL_ID_ENV}: ${JSON.stringify(userPoolId)} is invalid: must be a user pool id like us-east-1_AbCdEf123`);
  }
  const raw = env[GRACE_SECONDS_ENV] ?? '';
  const grace = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(grace) || grace < MIN_GRACE_SECONDS) {
    throw new ConfigError(`${GRACE_SECONDS_ENV}: ${JSON.stringify(raw)} is invalid: must be a whole number of seconds, at least ${MIN_GRACE_SECONDS}`);
  }
  const trustedStacks = parseStackNames(env[TRUSTED_STACKS_ENV]);
  const tokenEndpoint = env[TOKEN_ENDPOINT_ENV] || undefined;
  if (tokenEndpoint !== undefined && !/^https:\/\/[^/?#]+\/oauth2\/token$/.test(tokenEndpoint)) {
    throw new ConfigError(`${TOKEN_ENDPOINT_ENV}: ${JSON.stringify(tokenEndpoint.slice(0, 200))} is invalid: must be https://<domain>/oauth2/token`);
  }
  return { userPoolId, graceMs: grace * 1000, trustedStacks, ...(tokenEndpoint ? { tokenEndpoint } : {}), logLevel: logLevelFromEnv(env.LOG_LEVEL) };
}

function parseStackNames(raw: string | undefined): string[] {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && STACK_NAME.test(v))) {
    throw new ConfigError(`${TRUSTED_STACKS_ENV}: ${JSON.stringify((raw ?? '').slice(0, 200))} is invalid: must be a JSON array of one or more CloudFormation stack names`);
  }
  return value as string[];
}
