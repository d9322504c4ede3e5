/**
 * The tenant-claim trigger (lib/tenant-claim.ts ↔ lambda/tenant-claim/): the
 * claim it adds to client-credentials access tokens, which the authorizer
 * checks against its own mapping, and its environment. Imports only other
 * contracts: the trigger bundles this module.
 */

/** The access-token claim the trigger adds and the authorizer checks against its own mapping, unless renamed. */
export const TENANT_CLAIM = 'tenant_id';
/** The trigger's own variables, both always set. */
export enum TENANT_CLAIM_ENV {
  /** The claim's name (TENANT_CLAIM unless renamed). */
  claimName = 'TENANT_CLAIM_NAME',
  /** `true` refuses tokens to clients without an active tenant. */
  denyUnknownClients = 'DENY_UNKNOWN_CLIENTS',
}
/** Claims Cognito writes itself or the authorizer relies on: a tenant claim may not take their names. */
const RESERVED_CLAIMS: readonly string[] = [
  'acr', 'amr', 'at_hash', 'aud', 'auth_time', 'azp', 'c_hash', 'client_id', 'device_key', 'event_id', 'exp', 'iat', 'identities',
  'iss', 'jti', 'nbf', 'nonce', 'origin_jti', 'scope', 'sub', 'token_use', 'username', 'version',
];
const CLAIM_NAME = /^[A-Za-z][A-Za-z0-9_.:/-]{0,127}$/;

/** The rule a tenant claim name breaks, or undefined for a valid name. */
export function claimNameProblem(name: string): string | undefined {
  if (!CLAIM_NAME.test(name)) return 'must be 1-128 letters, digits, _ . : / or -, starting with a letter';
  if (RESERVED_CLAIMS.includes(name) || name.startsWith('cognito:')) {
    return `must not be a claim Cognito sets or the authorizer reads (${RESERVED_CLAIMS.join(', ')}, cognito:*)`;
  }
  return undefined;
}
