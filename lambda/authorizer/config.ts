/**
 * Configuration from the environment the construct sets, plus routes.json
 * next to the bundle. Everything is validated at cold start; a problem is a
 * `ConfigError` and the handler then denies every request.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { DirectoryDeps } from './directory';
import type { PeopleConfig } from './people';
import { RouteTable, routeTableOf } from './route-table';
import { StaticTenantResolver, TenantResolver } from './tenant-resolver';
import {
  AUTHORIZER_ENV, AUTHORIZER_OPERATOR_ENV, JWKS_TIMEOUT_MS, MAX_TOKEN_BYTES, TOKEN_CACHE_MAX_ENTRIES,
} from '../../lib/private/contracts/authorizer';
import { DIRECTORY_ENV, OUTAGE_BACKOFF_MS } from '../../lib/private/contracts/client-directory';
import { HANDLER_ENV, REGISTRY_ENV } from '../../lib/private/contracts/env';
import { matchesRule, USER_POOL_ID } from '../../lib/private/contracts/ids';
import { BUDGET_ENFORCEMENT_ENV } from '../../lib/private/contracts/token-budget';
import { ISSUER_FORMATS, IssuerFormatName, TrustedPoolEntry } from '../../lib/private/contracts/trusted-pools';
import { USAGE_KEY_PREFIX } from '../../lib/private/contracts/usage-tiers';
import { ConfigError, Env, integer, invalid, invalidField, json, optional, requiredId } from '../shared/config';
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
   * The API's usage key prefix (lib/private/contracts/usage-tiers.ts): allowed requests carry the
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

const ISSUER_RULE = `${ISSUER_FORMATS.join(' and/or ')}, each once`;

/** The issuer formats of a list: a non-empty list of ORIGINAL and UPDATED without repeats, or undefined. */
function issuerFormatsOf(list: unknown): IssuerFormatName[] | undefined {
  if (!Array.isArray(list) || list.length === 0 || list.length > ISSUER_FORMATS.length
    || list.some((f) => !(ISSUER_FORMATS as readonly unknown[]).includes(f)) || new Set(list).size !== list.length) {
    return undefined;
  }
  return list as IssuerFormatName[];
}

/** USER_POOL_ISSUERS: comma-separated issuer formats of the API's own pool. */
function ownIssuerFormats(env: Env): IssuerFormatName[] {
  const name = AUTHORIZER_ENV.userPoolIssuers;
  const raw = optional(env, name);
  if (raw === undefined) return ['ORIGINAL'];
  const formats = issuerFormatsOf(raw.split(',').map((f) => f.trim()));
  if (!formats) throw invalid(name, raw, `${ISSUER_RULE}, comma-separated`);
  return formats;
}

/** ADDITIONAL_USER_POOLS: a JSON array of { userPoolId, issuerFormats }, none of them the API's own pool or listed twice. */
function additionalPoolsOf(env: Env, primary: string): TrustedPoolEntry[] {
  const name = AUTHORIZER_ENV.additionalUserPools;
  const rule = 'a JSON array of { userPoolId, issuerFormats }';
  const doc = json(env, name, rule);
  if (doc === undefined) return [];
  if (!Array.isArray(doc)) throw invalidField(name, 'the value', rule);
  const seen = new Set([primary]);
  return doc.map((entry: unknown, i) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const id = e.userPoolId;
    if (!matchesRule(USER_POOL_ID, id)) throw invalidField(name, `[${i}].userPoolId`, USER_POOL_ID.describe);
    if (seen.has(id)) throw invalidField(name, `[${i}].userPoolId`, `${id} is listed twice (or is the API's own pool)`);
    seen.add(id);
    const issuerFormats = issuerFormatsOf(e.issuerFormats);
    if (!issuerFormats) throw invalidField(name, `[${i}].issuerFormats`, `a JSON array of ${ISSUER_RULE}`);
    return { userPoolId: id, issuerFormats };
  });
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
export interface RegistryFactory {
  /** The tenants: the registry behind the declared clients when TABLE_NAME is set (registry-resolver.ts `createRegistryTenantResolver`), else the declared clients. */
  (env: Env, options: RegistryOptions): TenantResolver;
  /**
   * The registry builds serve the client directory too (their declared clients
   * may be in SSM): `createRegistryTenantResolver` carries `directoryFromEnv`.
   * @default - none: CLIENT_TENANTS_PATH needs `ConfigDeps.directory`
   */
  readonly directory?: DirectoryFactory;
  /**
   * The registry builds enforce budget suspensions too (BUDGET_TABLE_NAME):
   * registry-build.ts `registryBuild` carries `budgetResolverFromEnv`.
   * @default - none: BUDGET_TABLE_NAME is a configuration error
   */
  readonly budgets?: BudgetFactory;
}

/** Wraps the tenant resolver with budget suspensions when BUDGET_TABLE_NAME is set (budget-resolver.ts `budgetResolverFromEnv`). */
export type BudgetFactory = (env: Env, inner: TenantResolver, now?: () => number) => TenantResolver;

export interface RegistryOptions {
  /** The CDK-declared clients (CLIENT_TENANTS or the directory under CLIENT_TENANTS_PATH). */
  readonly declared: TenantResolver;
  /** OUTAGE_BACKOFF_MS. */
  readonly backoffMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Builds the client directory in SSM (CLIENT_TENANTS_PATH; `directoryFromEnv`,
 * directory.ts). Only the directory entry (lambda/authorizer-directory) and the
 * registry builds (`RegistryFactory.directory`) pass one, so the SSM code is not
 * in the bundle of an authorizer whose clients are inline.
 */
export type DirectoryFactory = (env: Env, deps: DirectoryDeps) => TenantResolver;

/** What `configFromEnv` needs besides the environment. */
export interface ConfigDeps extends DirectoryDeps {
  /** Client-directory support. @default - the registry factory's, if any: without one, CLIENT_TENANTS_PATH is a configuration error */
  readonly directory?: DirectoryFactory;
}

/** A setting this bundle cannot honour: a configuration error (fail closed), never silently ignored. */
function unsupported(name: string, support: string, bundle = 'authorizer-registry'): ConfigError {
  return new ConfigError(`${name} is set but this bundle has no ${support} support (deploy assets/${bundle})`);
}

/**
 * The CDK-declared clients: the inline mapping, or the SSM directory (its
 * path and the parameters the library created in it). Exactly one of the two is set.
 * CLIENT_TENANTS_PATH on a bundle built without directory support is a
 * configuration error (fail closed), not a silently ignored setting.
 */
function declaredFromEnv(env: Env, directory: DirectoryFactory | undefined, deps: DirectoryDeps): TenantResolver {
  if (optional(env, DIRECTORY_ENV.path) === undefined) {
    if (optional(env, DIRECTORY_ENV.parameters) !== undefined) {
      throw new ConfigError(`${DIRECTORY_ENV.parameters} is set without ${DIRECTORY_ENV.path}`);
    }
    return StaticTenantResolver.fromJson(env[DIRECTORY_ENV.clientTenants]);
  }
  if (optional(env, DIRECTORY_ENV.clientTenants) !== undefined) {
    throw new ConfigError(`${DIRECTORY_ENV.clientTenants} and ${DIRECTORY_ENV.path} are both set`);
  }
  if (!directory) {
    throw unsupported(DIRECTORY_ENV.path, 'client-directory', 'authorizer-directory');
  }
  return directory(env, deps);
}

/**
 * The tenant resolver: the declared clients alone, or, when TABLE_NAME is set,
 * the registry as well (the registry factory reads TABLE_NAME and the TTL, so
 * that a bundle without registry support carries neither rule).
 * TABLE_NAME on a bundle built without registry support is a configuration
 * error (fail closed), not a silently ignored setting.
 */
function tenantsFromEnv(env: Env, registry: RegistryFactory | undefined, deps: ConfigDeps): TenantResolver {
  if (!registry && optional(env, REGISTRY_ENV.tableName) !== undefined) {
    throw unsupported(REGISTRY_ENV.tableName, 'tenant-registry');
  }
  const backoffMs = integer(env, OUTAGE_BACKOFF_MS);
  const { directory, ...directoryDeps } = deps;
  const declared = declaredFromEnv(env, directory ?? registry?.directory, directoryDeps);
  const tenants = registry ? registry(env, { declared, backoffMs, now: deps.now }) : declared;
  if (registry?.budgets) return registry.budgets(env, tenants, deps.now);
  if (optional(env, BUDGET_ENFORCEMENT_ENV.budgetTable) !== undefined) {
    throw unsupported(BUDGET_ENFORCEMENT_ENV.budgetTable, 'token-budget');
  }
  return tenants;
}

/**
 * The configuration from the authorizer's variables (AUTHORIZER_ENVIRONMENT,
 * lib/private/contracts/environments.ts); the route table from
 * ROUTE_TABLE_PATH, or routes.json next to the bundle.
 *
 * @param registry tenant-registry support (and, through it, client-directory support)
 * @param deps client-directory support, and where the directory reports untrusted parameters, its clock and SSM client (tests)
 */
export function configFromEnv(env: Env, bundleDir: string, registry?: RegistryFactory, deps: ConfigDeps = {}): AuthorizerConfig {
  const userPoolId = requiredId(env, AUTHORIZER_ENV.userPoolId, USER_POOL_ID);
  const usageKeyPrefix = optional(env, AUTHORIZER_ENV.usageKeyPrefix);
  if (usageKeyPrefix !== undefined && !USAGE_KEY_PREFIX.test(usageKeyPrefix)) {
    throw invalid(AUTHORIZER_ENV.usageKeyPrefix, usageKeyPrefix, 'm2musage and 10 lowercase hex digits');
  }
  return {
    userPoolId,
    issuerFormats: ownIssuerFormats(env),
    additionalUserPools: additionalPoolsOf(env, userPoolId),
    tenants: tenantsFromEnv(env, registry, deps),
    routes: loadRouteTable(optional(env, AUTHORIZER_OPERATOR_ENV.routeTablePath) ?? join(bundleDir, 'routes.json')),
    tokenCacheMaxEntries: integer(env, TOKEN_CACHE_MAX_ENTRIES),
    jwksTimeoutMs: integer(env, JWKS_TIMEOUT_MS),
    maxTokenBytes: integer(env, MAX_TOKEN_BYTES),
    usageKeyPrefix,
    logLevel: logLevelFromEnv(env[HANDLER_ENV.logLevel]),
    jwksPath: optional(env, AUTHORIZER_OPERATOR_ENV.jwksPath),
  };
}
