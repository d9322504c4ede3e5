/**
 * The tenant-claim trigger (lib/tenant-claim.ts ↔ lambda/tenant-claim/): the
 * claim it adds to client-credentials access tokens, which the authorizer
 * checks against its own mapping, and its environment. Imports only other
 * contracts: the trigger bundles this module.
 */
import { CLIENT_TENANTS_PARAMETERS_ENV, CLIENT_TENANTS_PATH_ENV, OUTAGE_BACKOFF_MS } from './client-directory';
import { LOG_LEVEL_ENV, REGISTRY_CACHE_TTL_SECONDS, TABLE_NAME_ENV } from './env';

/** The access-token claim the trigger adds and the authorizer checks against its own mapping, unless renamed. */
export const TENANT_CLAIM = 'tenant_id';
/** Environment variable of the trigger: the claim's name. */
export const TENANT_CLAIM_NAME_ENV = 'TENANT_CLAIM_NAME';
/** Environment variable of the trigger: `true` refuses tokens to clients without an active tenant. */
export const DENY_UNKNOWN_CLIENTS_ENV = 'DENY_UNKNOWN_CLIENTS';
/** Claims Cognito writes itself or the authorizer relies on: a tenant claim may not take their names. */
const RESERVED_CLAIMS = new Set([
  'acr', 'amr', 'at_hash', 'aud', 'auth_time', 'azp', 'c_hash', 'client_id', 'device_key', 'event_id', 'exp', 'iat', 'identities',
  'iss', 'jti', 'nbf', 'nonce', 'origin_jti', 'scope', 'sub', 'token_use', 'username', 'version',
]);
const CLAIM_NAME = /^[A-Za-z][A-Za-z0-9_.:/-]{0,127}$/;

/** The rule a tenant claim name breaks, or undefined for a valid name. */
export function claimNameProblem(name: string): string | undefined {
  if (!CLAIM_NAME.test(name)) return 'must be 1-128 letters, digits, _ . : / or -, starting with a letter';
  if (RESERVED_CLAIMS.has(name) || name.startsWith('cognito:')) {
    return `must not be a claim Cognito sets or the authorizer reads (${[...RESERVED_CLAIMS].join(', ')}, cognito:*)`;
  }
  return undefined;
}

/**
 * Every variable TenantClaim sets on the trigger: the claim and the refusal
 * always, the client directory once every tenant is declared, the outage
 * back-off with `outageBackoff`, the registry with `registry`. The trigger
 * always reads a directory (its pool refers to the function, so the function
 * may not refer to the pool's client ids).
 */
export const TENANT_CLAIM_ENV = {
  claimName: TENANT_CLAIM_NAME_ENV,
  denyUnknownClients: DENY_UNKNOWN_CLIENTS_ENV,
  clientTenantsPath: CLIENT_TENANTS_PATH_ENV,
  clientTenantsParameters: CLIENT_TENANTS_PARAMETERS_ENV,
  outageBackoffMs: OUTAGE_BACKOFF_MS.env,
  tableName: TABLE_NAME_ENV,
  registryCacheTtlSeconds: REGISTRY_CACHE_TTL_SECONDS.env,
} as const;

/** What the trigger also reads and no construct sets. */
export const TENANT_CLAIM_OPERATOR_ENV = { logLevel: LOG_LEVEL_ENV } as const;
