/**
 * Configuration from the environment the construct sets, plus routes.json
 * next to the bundle. Everything is validated at cold start; a problem is a
 * `ConfigError` and the handler then denies every request.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { DirectoryDeps, directoryFromEnv, outageBackoffFromEnv } from './directory';
import { ConfigError } from './errors';
import type { PeopleConfig } from './people';
import { RouteTable, routeTableOf } from './route-table';
import { StaticTenantResolver, TenantResolver } from './tenant-resolver';
import { CLIENT_TENANTS_ENV, CLIENT_TENANTS_PARAMETERS_ENV, CLIENT_TENANTS_PATH_ENV } from '../../lib/private/contracts/client-directory';
import {
  ADDITIONAL_USER_POOLS_ENV, ISSUER_FORMATS, IssuerFormatName, TrustedPoolEntry, USER_POOL_ISSUERS_ENV,
} from '../../lib/private/contracts/trusted-pools';
import { USAGE_KEY_PREFIX, USAGE_KEY_PREFIX_ENV } from '../../lib/private/contracts/usage-tiers';
import { logLevelFromEnv, LogLevel } from '../shared/log';

export interface AuthorizerConfig {
  /** The API's own pool, e.g. `us-east-1_AbC123`; the issuer and JWKS URI derive from it. */
  readonly userPoolId: string;
  /** The issuer formats accepted for the API's own pool. @default ['ORIGINAL'] */
  readonly issuerFormats?: readonly IssuerFormatName[];
  /** More pools whose tokens are accepted (their clients are keyed `<userPoolId>/<clientId>`). @default none */
  readonly additionalUserPools?: readonly TrustedPoolEntry[];
  readonly tenants: TenantResolver;
  readonly routes: RouteTable;
  /** @default 10000 */
  readonly tokenCacheMaxEntries?: number;
  /** @default 32 MiB */
  readonly tokenCacheMaxBytes?: number;
  /** @default 1500 */
  readonly jwksTimeoutMs?: number;
  /** @default 8192 */
  readonly maxTokenBytes?: number;
  /**
   * The API's usage key prefix (lib/private/usage-tiers.ts): allowed requests carry the
   * tenant's usage key as `usageIdentifierKey`. @default - none: the API has no usage tiers
   */
  readonly usageKeyPrefix?: string;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /** A JWKS file to load at cold start (no fetch needed while its keys match). */
  readonly jwksPath?: string;
  /** The developer portal's sign-in pool (portal build only, from PEOPLE_* variables). */
  readonly people?: PeopleConfig;
}

const USER_POOL_ID = /^(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d_[a-zA-Z0-9]+$/;
/** A DynamoDB table name, or a table ARN. */
const TABLE_NAME = /^(?:[A-Za-z0-9_.-]{3,255}|arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255})$/;

/** Parses issuer formats: a non-empty list of ORIGINAL and UPDATED without repeats. */
function issuerFormatsOf(value: unknown, source: string): IssuerFormatName[] {
  const list = typeof value === 'string' ? value.split(',').map((f) => f.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > ISSUER_FORMATS.length
    || list.some((f) => !(ISSUER_FORMATS as readonly unknown[]).includes(f)) || new Set(list).size !== list.length) {
    throw new ConfigError(`${source} must list ${ISSUER_FORMATS.join(' and/or ')}, each once; got ${JSON.stringify(value).slice(0, 80)}`);
  }
  return list as IssuerFormatName[];
}

/** Parses ADDITIONAL_USER_POOLS. */
function additionalPoolsOf(json: string | undefined, primary: string): TrustedPoolEntry[] {
  if (json === undefined || json === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new ConfigError(`${ADDITIONAL_USER_POOLS_ENV} is not valid JSON`);
  }
  if (!Array.isArray(doc)) throw new ConfigError(`${ADDITIONAL_USER_POOLS_ENV} must be a JSON array of { userPoolId, issuerFormats }`);
  const seen = new Set([primary]);
  return doc.map((entry: unknown, i) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const id = e.userPoolId;
    if (typeof id !== 'string' || !USER_POOL_ID.test(id)) throw new ConfigError(`${ADDITIONAL_USER_POOLS_ENV}[${i}].userPoolId is not a user pool id`);
    if (seen.has(id)) throw new ConfigError(`${ADDITIONAL_USER_POOLS_ENV}[${i}].userPoolId ${id} is listed twice`);
    seen.add(id);
    return { userPoolId: id, issuerFormats: issuerFormatsOf(e.issuerFormats, `${ADDITIONAL_USER_POOLS_ENV}[${i}].issuerFormats`) };
  });
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw.slice(0, 40))}`);
  const v = Number(raw);
  if (v < min || v > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** Reads and validates a routes.json file. */
export function loadRouteTable(file: string): RouteTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`routes.json could not be read from ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ConfigError(`routes.json at ${file} is not valid JSON`);
  }
  return routeTableOf(doc);
}

/**
 * Builds the tenant resolver for a tenant registry. Only the registry entry
 * (lambda/authorizer-registry, bundled as assets/authorizer-registry) passes
 * one, so the registry code is not in the bundle of an authorizer without a
 * registry.
 */
export type RegistryFactory = (options: RegistryOptions) => TenantResolver;
export interface RegistryOptions {
  readonly table: string;
  readonly ttlSeconds: number;
  /** The CDK-declared clients (CLIENT_TENANTS or the directory under CLIENT_TENANTS_PATH). */
  readonly declared: TenantResolver;
  /** OUTAGE_BACKOFF_MS. */
  readonly backoffMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The CDK-declared clients: the inline mapping, or the SSM directory (its
 * path and the parameters the library created in it). Exactly one of the two is set.
 */
function declaredFromEnv(env: NodeJS.ProcessEnv, deps: DirectoryDeps): TenantResolver {
  const path = env[CLIENT_TENANTS_PATH_ENV];
  const inline = env[CLIENT_TENANTS_ENV];
  if (path === undefined || path === '') {
    if (env[CLIENT_TENANTS_PARAMETERS_ENV]) throw new ConfigError(`${CLIENT_TENANTS_PARAMETERS_ENV} is set without ${CLIENT_TENANTS_PATH_ENV}`);
    return StaticTenantResolver.fromJson(inline);
  }
  if (inline !== undefined && inline !== '') throw new ConfigError(`${CLIENT_TENANTS_ENV} and ${CLIENT_TENANTS_PATH_ENV} are both set`);
  return directoryFromEnv(env, deps);
}

/**
 * The tenant resolver: the declared clients alone, or, when TABLE_NAME is set,
 * the registry as well (answers cached for REGISTRY_CACHE_TTL_SECONDS, integer
 * 0..900, default 30). TABLE_NAME on a bundle built without registry support
 * is a configuration error (fail closed), not a silently ignored setting.
 */
function tenantsFromEnv(env: NodeJS.ProcessEnv, registry: RegistryFactory | undefined, deps: DirectoryDeps): TenantResolver {
  const table = env.TABLE_NAME;
  if (table !== undefined && table !== '' && !TABLE_NAME.test(table)) {
    throw new ConfigError(`TABLE_NAME ${JSON.stringify(table.slice(0, 80))} is not a DynamoDB table name`);
  }
  const ttlSeconds = table ? intFromEnv(env, 'REGISTRY_CACHE_TTL_SECONDS', 30, 0, 900) : 0;
  if (table && !registry) throw new ConfigError('TABLE_NAME is set but this bundle has no tenant-registry support (deploy assets/authorizer-registry)');
  const backoffMs = outageBackoffFromEnv(env);
  const declared = declaredFromEnv(env, deps);
  return table && registry ? registry({ table, ttlSeconds, declared, backoffMs, now: deps.now }) : declared;
}

/**
 * Environment variables: USER_POOL_ID, USER_POOL_ISSUERS and ADDITIONAL_USER_POOLS (optional:
 * lib/private/trusted-pools.ts), CLIENT_TENANTS or CLIENT_TENANTS_PATH with CLIENT_TENANTS_PARAMETERS
 * (lib/private/client-directory.ts), OUTAGE_BACKOFF_MS (optional, default 5000), TOKEN_CACHE_MAX_ENTRIES,
 * JWKS_TIMEOUT_MS, MAX_TOKEN_BYTES, USAGE_KEY_PREFIX (optional: lib/private/usage-tiers.ts), LOG_LEVEL, ROUTE_TABLE_PATH
 * (default: routes.json next to the bundle), JWKS_PATH (optional), TABLE_NAME
 * and REGISTRY_CACHE_TTL_SECONDS (optional: the tenant registry).
 *
 * @param deps where the directory reports untrusted parameters, its clock and SSM client (tests); the Lambda passes none
 */
export function configFromEnv(env: NodeJS.ProcessEnv, bundleDir: string, registry?: RegistryFactory, deps: DirectoryDeps = {}): AuthorizerConfig {
  const userPoolId = env.USER_POOL_ID ?? '';
  if (!USER_POOL_ID.test(userPoolId)) throw new ConfigError(`USER_POOL_ID ${JSON.stringify(userPoolId.slice(0, 80))} is not a user pool id`);
  const usageKeyPrefix = env[USAGE_KEY_PREFIX_ENV] || undefined;
  if (usageKeyPrefix !== undefined && !USAGE_KEY_PREFIX.test(usageKeyPrefix)) {
    throw new ConfigError(`${USAGE_KEY_PREFIX_ENV} ${JSON.stringify(usageKeyPrefix.slice(0, 80))} does not match ${USAGE_KEY_PREFIX.source}`);
  }
  const issuers = env[USER_POOL_ISSUERS_ENV];
  return {
    userPoolId,
    issuerFormats: issuers === undefined || issuers === '' ? ['ORIGINAL'] : issuerFormatsOf(issuers, USER_POOL_ISSUERS_ENV),
    additionalUserPools: additionalPoolsOf(env[ADDITIONAL_USER_POOLS_ENV], userPoolId),
    tenants: tenantsFromEnv(env, registry, deps),
    routes: loadRouteTable(env.ROUTE_TABLE_PATH || join(bundleDir, 'routes.json')),
    tokenCacheMaxEntries: intFromEnv(env, 'TOKEN_CACHE_MAX_ENTRIES', 10_000, 0, 1_000_000),
    jwksTimeoutMs: intFromEnv(env, 'JWKS_TIMEOUT_MS', 1500, 50, 60_000),
    maxTokenBytes: intFromEnv(env, 'MAX_TOKEN_BYTES', 8192, 256, 1_000_000),
    usageKeyPrefix,
    logLevel: logLevelFromEnv(env.LOG_LEVEL),
    jwksPath: env.JWKS_PATH || undefined,
  };
}
