/**
 * Why the tenant-aware authorizer denied a request: the `reason` dimension of
 * its `Denied` metric and the `reason` field of its log line.
 */
export enum DenyReason {
  /** No `Authorization` header. */
  MISSING_HEADER = 'missing_header',
  /** The header is not `Bearer <token>`. */
  BAD_SCHEME = 'bad_scheme',
  /** The token is not a well-formed JWT. */
  MALFORMED = 'malformed',
  /** The token is larger than the authorizer accepts. */
  TOO_LARGE = 'too_large',
  /** The token is not signed with RS256. */
  ALG_NOT_ALLOWED = 'alg_not_allowed',
  /** The token's key id is not in the user pool's JWKS. */
  UNKNOWN_KID = 'unknown_kid',
  /** The signature does not verify. */
  BAD_SIGNATURE = 'bad_signature',
  /** The token has expired. */
  EXPIRED = 'expired',
  /** The token is not valid yet. */
  NOT_YET_VALID = 'not_yet_valid',
  /** The token comes from an issuer the authorizer does not trust. */
  WRONG_ISSUER = 'wrong_issuer',
  /** The token is not an access token. */
  WRONG_TOKEN_USE = 'wrong_token_use',
  /** The token's app client is not a trusted client. */
  UNTRUSTED_CLIENT = 'untrusted_client',
  /** The token's scopes reach no method of the API (answered with a Deny policy, not `Unauthorized`). */
  NO_SCOPE = 'no_scope',
  /** A person of the developer portal's sign-in pool whose groups give no role. */
  NO_ROLE = 'no_role',
  /** The tenant registry knows the client, but the client or its tenant is not active. */
  SUSPENDED = 'suspended',
  /** The client or its tenant crossed its token budget and is suspended for a while (TokenBudgets, `suspendFor`). */
  TOKEN_BUDGET = 'token_budget',
  /** The token's tenant claim names another tenant than the authorizer's own mapping. */
  TENANT_MISMATCH = 'tenant_mismatch',
  /** The user pool's JWKS could not be fetched (an outage, not the caller's fault). */
  JWKS_UNAVAILABLE = 'jwks_unavailable',
  /** The tenant registry could not be read (an outage, not the caller's fault). */
  REGISTRY_UNAVAILABLE = 'registry_unavailable',
  /** The client directory in SSM Parameter Store could not be read (an outage, not the caller's fault). */
  TENANTS_UNAVAILABLE = 'tenants_unavailable',
  /** The authorizer's deployment is misconfigured: it denies every request. */
  CONFIG_ERROR = 'config_error',
}
