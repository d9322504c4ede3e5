/**
 * Configuration of the rotation function, from the environment the construct
 * (lib/private/client-rotation.ts) sets. Checked at cold start.
 */
import { ConfigError } from './errors';
import { GRACE_SECONDS_ENV, MIN_GRACE_SECONDS, USER_POOL_ID_ENV } from '../../lib/private/client-rotation-contract';
import { LogLevel, logLevelFromEnv } from '../shared/log';

export interface RotationConfig {
  /** The user pool whose app clients the function rotates. */
  readonly userPoolId: string;
  /** How long an old Cognito client secret keeps working after a rotation. */
  readonly graceMs: number;
  readonly logLevel: LogLevel;
}

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
  return { userPoolId, graceMs: grace * 1000, logLevel: logLevelFromEnv(env.LOG_LEVEL) };
}
