import { ConfigurationError } from './errors';
import { APP_CLIENT_QUOTA, CALLER_REQUESTS_PER_MINUTE, MAX_CLIENTS_PER_TENANT, PortalLimit } from '../../lib/private/contracts/portal';
import { UsageTiersConfig, USAGE_TIERS_ENV, usageTiersProblem } from '../../lib/private/contracts/usage-tiers';

/** The portal's settings, read once from the environment at cold start. */
export interface PortalConfig {
  readonly userPoolId: string;
  readonly tableName: string;
  readonly tokenEndpoint: string;
  /** Full scope string of platform operators (every tenant). */
  readonly adminScope: string;
  /** Full scope string of a tenant's own admin (its tenant only). */
  readonly tenantAdminScope: string;
  /** Scopes the portal may give to clients. Never contains `adminScope`. */
  readonly grantableScopes: ReadonlySet<string>;
  readonly defaultTokenValidityMinutes: number;
  readonly rotationGraceHours: number;
  /** The sign-in pool of the portal's people, when it has a web UI. */
  readonly people?: PeoplePoolConfig;
  /** The web UI's origin, allowed to read answers (CORS). */
  readonly allowedOrigin?: string;
  /** The tiered APIs whose per-tenant API keys the portal manages; empty when none. */
  readonly usageTiers?: readonly UsageTiersConfig[];
  /** Clients a tenant may hold (active, suspended, pending). @default MAX_CLIENTS_PER_TENANT.default */
  readonly maxClientsPerTenant?: number;
  /** Changes one caller may make per minute. @default CALLER_REQUESTS_PER_MINUTE.default */
  readonly callerRequestsPerMinute?: number;
  /** The pool's app client quota, for the headroom metric. @default APP_CLIENT_QUOTA.default */
  readonly appClientQuota?: number;
}

/** Where the portal invites people: the sign-in pool and its tenant groups. */
export interface PeoplePoolConfig {
  readonly userPoolId: string;
  /** A tenant's admins are the members of `<prefix><tenant id>`. */
  readonly tenantGroupPrefix: string;
}

const ORIGIN = /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$|^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?$/;

function people(env: NodeJS.ProcessEnv): PeoplePoolConfig | undefined {
  const userPoolId = env.PEOPLE_POOL_ID;
  if (!userPoolId) return undefined;
  return { userPoolId, tenantGroupPrefix: required(env, 'PEOPLE_TENANT_GROUP_PREFIX') };
}

function origin(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.ALLOWED_ORIGIN;
  if (!value) return undefined;
  if (!ORIGIN.test(value)) {
    throw new ConfigurationError(`environment variable ALLOWED_ORIGIN: ${JSON.stringify(value)} is invalid: an https origin (scheme and host, no path), or http://localhost`);
  }
  return value;
}

function usageTiers(env: NodeJS.ProcessEnv): UsageTiersConfig[] {
  const raw = env[USAGE_TIERS_ENV];
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`environment variable ${USAGE_TIERS_ENV} is not JSON`);
  }
  const problem = usageTiersProblem(parsed);
  if (problem) throw new ConfigurationError(`environment variable ${problem}`);
  return parsed as UsageTiersConfig[];
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigurationError(`environment variable ${name} is required`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigurationError(`environment variable ${name}: ${JSON.stringify(raw)} is invalid: an integer from ${min} to ${max}`);
  }
  return n;
}

function limit(env: NodeJS.ProcessEnv, l: PortalLimit): number {
  return integer(env, l.env, l.default, l.min, l.max);
}

/**
 * Reads USER_POOL_ID, TABLE_NAME, TOKEN_ENDPOINT, ADMIN_SCOPE,
 * TENANT_ADMIN_SCOPE, GRANTABLE_SCOPES (JSON array of strings),
 * DEFAULT_TOKEN_VALIDITY_MINUTES (default 60, 5..1440),
 * ROTATION_GRACE_HOURS (default 24, 1..720), and for a portal with a web UI
 * PEOPLE_POOL_ID, PEOPLE_TENANT_GROUP_PREFIX and ALLOWED_ORIGIN, and for
 * tiered APIs USAGE_TIERS (JSON array of UsageTiersConfig), and the limits
 * MAX_CLIENTS_PER_TENANT, CALLER_REQUESTS_PER_MINUTE and APP_CLIENT_QUOTA
 * (defaults and ranges in lib/private/portal-contract.ts).
 */
export function loadConfig(env: NodeJS.ProcessEnv): PortalConfig {
  const adminScope = required(env, 'ADMIN_SCOPE');
  let grantable: unknown;
  try {
    grantable = JSON.parse(required(env, 'GRANTABLE_SCOPES'));
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    throw new ConfigurationError('environment variable GRANTABLE_SCOPES is not JSON');
  }
  if (!Array.isArray(grantable) || !grantable.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new ConfigurationError('environment variable GRANTABLE_SCOPES must be a JSON array of scope strings');
  }
  return {
    userPoolId: required(env, 'USER_POOL_ID'),
    tableName: required(env, 'TABLE_NAME'),
    tokenEndpoint: required(env, 'TOKEN_ENDPOINT'),
    adminScope,
    tenantAdminScope: required(env, 'TENANT_ADMIN_SCOPE'),
    // The admin scope is never grantable, whatever the environment says.
    grantableScopes: new Set((grantable as string[]).filter((s) => s !== adminScope)),
    defaultTokenValidityMinutes: integer(env, 'DEFAULT_TOKEN_VALIDITY_MINUTES', 60, 5, 1440),
    rotationGraceHours: integer(env, 'ROTATION_GRACE_HOURS', 24, 1, 720),
    people: people(env),
    allowedOrigin: origin(env),
    usageTiers: usageTiers(env),
    maxClientsPerTenant: limit(env, MAX_CLIENTS_PER_TENANT),
    callerRequestsPerMinute: limit(env, CALLER_REQUESTS_PER_MINUTE),
    appClientQuota: limit(env, APP_CLIENT_QUOTA),
  };
}
