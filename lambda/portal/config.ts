/**
 * The portal's settings, read once from the environment at cold start:
 * PORTAL_ENVIRONMENT (lib/private/contracts/environments.ts), set by
 * DeveloperPortal. A problem is a `ConfigError`: every
 * request is then answered with an internal error.
 */
import { PEOPLE_ENV, REGISTRY_ENV } from '../../lib/private/contracts/env';
import { GROUP_NAME, matchesRule, TABLE_NAME, TOKEN_ENDPOINT, USER_POOL_ID } from '../../lib/private/contracts/ids';
import {
  APP_CLIENT_QUOTA, CALLER_REQUESTS_PER_MINUTE, DEFAULT_TOKEN_VALIDITY_MINUTES, MAX_CLIENTS_PER_TENANT, PORTAL_ENV, ROTATION_GRACE_HOURS,
} from '../../lib/private/contracts/portal';
import { TOKEN_BUDGET_ENV } from '../../lib/private/contracts/token-budget';
import { UsageTiersConfig, usageTiersProblem } from '../../lib/private/contracts/usage-tiers';
import { ConfigError, Env, integer, invalid, invalidField, json, missing, optional, optionalId, requiredId } from '../shared/config';

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
  /** The token budget table (DeveloperPortal.addTokenBudgets): budget suspensions to show and lift. @default none */
  readonly budgetTable?: string;
}

/** Where the portal invites people: the sign-in pool and its tenant groups. */
export interface PeoplePoolConfig {
  readonly userPoolId: string;
  /** A tenant's admins are the members of `<prefix><tenant id>`. */
  readonly tenantGroupPrefix: string;
}

const ORIGIN = /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$|^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?$/;
const SCOPE_RULE = 'a full scope string (1-512 characters without spaces)';
const SCOPE = { pattern: /^\S+$/, minLength: 1, maxLength: 512, describe: SCOPE_RULE };

function people(env: Env): PeoplePoolConfig | undefined {
  const userPoolId = optionalId(env, PEOPLE_ENV.poolId, USER_POOL_ID);
  if (userPoolId === undefined) return undefined;
  return { userPoolId, tenantGroupPrefix: requiredId(env, PEOPLE_ENV.tenantGroupPrefix, GROUP_NAME) };
}

function origin(env: Env): string | undefined {
  const value = optional(env, PORTAL_ENV.allowedOrigin);
  if (value !== undefined && !ORIGIN.test(value)) {
    throw invalid(PORTAL_ENV.allowedOrigin, value, 'an https origin (scheme and host, no path), or http://localhost');
  }
  return value;
}

function usageTiers(env: Env): UsageTiersConfig[] {
  const parsed = json(env, PORTAL_ENV.usageTiers, 'a JSON array of tiered APIs');
  if (parsed === undefined) return [];
  const problem = usageTiersProblem(parsed);
  if (problem) throw new ConfigError(problem);
  return parsed as UsageTiersConfig[];
}

function grantableScopes(env: Env): string[] {
  const rule = `a JSON array of ${SCOPE_RULE}s`;
  const parsed = json(env, PORTAL_ENV.grantableScopes, rule);
  if (parsed === undefined) throw missing(PORTAL_ENV.grantableScopes, rule);
  if (!Array.isArray(parsed) || !parsed.every((s) => matchesRule(SCOPE, s))) throw invalidField(PORTAL_ENV.grantableScopes, 'the value', rule);
  return parsed;
}

/** Reads and checks every variable of PORTAL_ENVIRONMENT. */
export function loadConfig(env: Env): PortalConfig {
  const adminScope = requiredId(env, PORTAL_ENV.adminScope, SCOPE);
  return {
    userPoolId: requiredId(env, PORTAL_ENV.userPoolId, USER_POOL_ID),
    tableName: requiredId(env, REGISTRY_ENV.tableName, TABLE_NAME),
    tokenEndpoint: requiredId(env, PORTAL_ENV.tokenEndpoint, TOKEN_ENDPOINT),
    adminScope,
    tenantAdminScope: requiredId(env, PORTAL_ENV.tenantAdminScope, SCOPE),
    // The admin scope is never grantable, whatever the environment says.
    grantableScopes: new Set(grantableScopes(env).filter((s) => s !== adminScope)),
    defaultTokenValidityMinutes: integer(env, DEFAULT_TOKEN_VALIDITY_MINUTES),
    rotationGraceHours: integer(env, ROTATION_GRACE_HOURS),
    people: people(env),
    allowedOrigin: origin(env),
    usageTiers: usageTiers(env),
    maxClientsPerTenant: integer(env, MAX_CLIENTS_PER_TENANT),
    callerRequestsPerMinute: integer(env, CALLER_REQUESTS_PER_MINUTE),
    appClientQuota: integer(env, APP_CLIENT_QUOTA),
    budgetTable: optionalId(env, TOKEN_BUDGET_ENV.budgetTable, TABLE_NAME),
  };
}
