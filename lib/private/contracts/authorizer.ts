/**
 * The tenant-aware authorizer's environment (lib/authorizers/tenant-aware-binding.ts,
 * lib/private/trusted-clients.ts and lib/scoped-rest-api/usage-tiers.ts set it;
 * lambda/authorizer/config.ts and people.ts read it). The formats are in the
 * contracts each variable comes from: trusted-pools.ts, client-directory.ts,
 * usage-tiers.ts, env.ts. Imports only other contracts: the handler bundles
 * this module.
 */
import type { DefaultedSetting } from './env';

/**
 * The authorizer function's own variables: the API's pool (USER_POOL_ID),
 * its issuer formats other than ORIGINAL (USER_POOL_ISSUERS,
 * comma-separated), more trusted pools (ADDITIONAL_USER_POOLS,
 * trusted-pools.ts), JWKS_TIMEOUT_MS and a tiered API's USAGE_KEY_PREFIX
 * (usage-tiers.ts).
 */
export enum AUTHORIZER_ENV {
  userPoolId = 'USER_POOL_ID',
  userPoolIssuers = 'USER_POOL_ISSUERS',
  additionalUserPools = 'ADDITIONAL_USER_POOLS',
  jwksTimeoutMs = 'JWKS_TIMEOUT_MS',
  usageKeyPrefix = 'USAGE_KEY_PREFIX',
}

/** What the authorizer also reads and no construct sets: an operator's overrides (and the tests'). */
export enum AUTHORIZER_OPERATOR_ENV {
  tokenCacheMaxEntries = 'TOKEN_CACHE_MAX_ENTRIES',
  maxTokenBytes = 'MAX_TOKEN_BYTES',
  /** The route table to load instead of `routes.json` beside the bundle. */
  routeTablePath = 'ROUTE_TABLE_PATH',
  /** A JWKS file loaded at cold start, so no fetch is needed while its keys match. */
  jwksPath = 'JWKS_PATH',
}

/** How long the authorizer waits for the JWKS; the construct sets the default. */
export const JWKS_TIMEOUT_MS: DefaultedSetting = { env: AUTHORIZER_ENV.jwksTimeoutMs, default: 1500, min: 50, max: 60_000, unit: 'milliseconds' };
/** Verified tokens an execution environment remembers. */
export const TOKEN_CACHE_MAX_ENTRIES: DefaultedSetting = {
  env: AUTHORIZER_OPERATOR_ENV.tokenCacheMaxEntries, default: 10_000, min: 0, max: 1_000_000,
};
/** The longest bearer token the authorizer parses. */
export const MAX_TOKEN_BYTES: DefaultedSetting = {
  env: AUTHORIZER_OPERATOR_ENV.maxTokenBytes, default: 8192, min: 256, max: 1_000_000, unit: 'bytes',
};
