/**
 * Errors of the authorizer. Every denial of a request is an `AuthorizerError`
 * with a fixed reason class; a configuration error is the handlers' shared
 * `ConfigError` (lambda/shared/config.ts, reason `config_error`), kept apart
 * because it carries a message. API Gateway only ever sees `Unauthorized` (or
 * a Deny policy): the reason goes to the structured log.
 */

export type DenyReason =
  | 'missing_header' | 'bad_scheme' | 'malformed' | 'too_large' | 'alg_not_allowed' | 'unknown_kid'
  | 'bad_signature' | 'expired' | 'not_yet_valid' | 'wrong_issuer' | 'wrong_token_use' | 'untrusted_client'
  | 'no_scope' | 'no_role' | 'suspended' | 'jwks_unavailable' | 'registry_unavailable' | 'tenants_unavailable' | 'config_error'
  | 'tenant_mismatch' | 'token_budget';

/**
 * A denial with its reason class. Token errors have no message: only the
 * reason is ever logged (a message could end up quoting claim values).
 * `jwks_unavailable`, `registry_unavailable` and `tenants_unavailable` (the
 * client directory in SSM, lambda/authorizer/directory.ts) are infrastructure
 * failures, not the caller's fault; `suspended`: the registry knows the client, but the
 * client or its tenant is not active; `no_role`: a person of the portal's
 * sign-in pool whose groups give no role (lambda/authorizer/people.ts);
 * `tenant_mismatch`: the token's `tenant_id` claim names another tenant than
 * the authorizer's own mapping (lib/tenant-claim.ts); `token_budget`: the
 * client or its tenant is suspended for crossing its token budget
 * (budget-resolver.ts).
 */
export class AuthorizerError extends Error {
  /**
   * @param reason the reason class (what the log line names)
   * @param cause the underlying error, if any (never logged, apart from a registry outage's class name)
   * @param clientId the verified client id, when the failure happened after the signature was checked
   */
  constructor(public readonly reason: DenyReason, cause?: unknown, public clientId?: string) {
    super('', cause === undefined ? undefined : { cause });
  }
}
