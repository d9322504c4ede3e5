/**
 * The tenant-aware authorizer's environment (lib/authorizers/tenant-aware-binding.ts,
 * lib/private/trusted-clients.ts and lib/scoped-rest-api/usage-tiers.ts set it;
 * lambda/authorizer/config.ts and people.ts read it). The formats are in the
 * contracts each variable comes from: trusted-pools.ts, client-directory.ts,
 * usage-tiers.ts, env.ts. Imports only other contracts: the handler bundles
 * this module.
 */
import { CLIENT_TENANTS_ENV, CLIENT_TENANTS_PARAMETERS_ENV, CLIENT_TENANTS_PATH_ENV, OUTAGE_BACKOFF_MS } from './client-directory';
import { DefaultedSetting, LOG_LEVEL_ENV, REGISTRY_CACHE_TTL_SECONDS, TABLE_NAME_ENV } from './env';
import { ADDITIONAL_USER_POOLS_ENV, USER_POOL_ISSUERS_ENV } from './trusted-pools';
import { USAGE_KEY_PREFIX_ENV } from './usage-tiers';

/** How long the authorizer waits for the JWKS; the construct sets the default. */
export const JWKS_TIMEOUT_MS: DefaultedSetting = { env: 'JWKS_TIMEOUT_MS', default: 1500, min: 50, max: 60_000, unit: 'milliseconds' };
/** Verified tokens an execution environment remembers. */
export const TOKEN_CACHE_MAX_ENTRIES: DefaultedSetting = { env: 'TOKEN_CACHE_MAX_ENTRIES', default: 10_000, min: 0, max: 1_000_000 };
/** The longest bearer token the authorizer parses. */
export const MAX_TOKEN_BYTES: DefaultedSetting = { env: 'MAX_TOKEN_BYTES', default: 8192, min: 256, max: 1_000_000, unit: 'bytes' };

/**
 * Every variable the constructs set on the authorizer function: the pool,
 * `JWKS_TIMEOUT_MS` and the client mapping always (inline `CLIENT_TENANTS`, or
 * the directory's path and parameters); the others with the option that
 * needs them (issuer formats other than ORIGINAL, additional pools,
 * `outageBackoff`, a tiered API, `registry`). The portal's own authorizer
 * adds PEOPLE_ENV (env.ts).
 */
export const AUTHORIZER_ENV = {
  userPoolId: 'USER_POOL_ID',
  userPoolIssuers: USER_POOL_ISSUERS_ENV,
  additionalUserPools: ADDITIONAL_USER_POOLS_ENV,
  clientTenants: CLIENT_TENANTS_ENV,
  clientTenantsPath: CLIENT_TENANTS_PATH_ENV,
  clientTenantsParameters: CLIENT_TENANTS_PARAMETERS_ENV,
  outageBackoffMs: OUTAGE_BACKOFF_MS.env,
  jwksTimeoutMs: JWKS_TIMEOUT_MS.env,
  usageKeyPrefix: USAGE_KEY_PREFIX_ENV,
  tableName: TABLE_NAME_ENV,
  registryCacheTtlSeconds: REGISTRY_CACHE_TTL_SECONDS.env,
} as const;

/** What the handler also reads and no construct sets: an operator's overrides (and the tests'). */
export const AUTHORIZER_OPERATOR_ENV = {
  logLevel: LOG_LEVEL_ENV,
  tokenCacheMaxEntries: TOKEN_CACHE_MAX_ENTRIES.env,
  maxTokenBytes: MAX_TOKEN_BYTES.env,
  /** The route table to load instead of `routes.json` beside the bundle. */
  routeTablePath: 'ROUTE_TABLE_PATH',
  /** A JWKS file loaded at cold start, so no fetch is needed while its keys match. */
  jwksPath: 'JWKS_PATH',
} as const;
