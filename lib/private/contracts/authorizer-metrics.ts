/**
 * The tenant-aware authorizer's CloudWatch metrics: the contract between the
 * handler, which writes them in Embedded Metric Format (lambda/authorizer/metrics.ts),
 * and the constructs that read them (TenantAwareAuthorizer's metric methods
 * in lib/authorizers/tenant-aware-authorizer.ts, M2mMonitoring). No imports:
 * the handler bundles this module.
 *
 * - Namespace `CdkCognitoM2m`.
 * - `Denied` (Count): 1 per denial, on the denial's log line, with the
 *   dimension sets [`functionName`] and [`functionName`, `reason`]; the
 *   line's `reason` field is the reason dimension (one of DENY_REASONS).
 * - `Allowed` (Count): allowed decisions, counted in memory and written as one
 *   line at most every ALLOWED_FLUSH_MS per execution environment, with the
 *   dimension set [`functionName`].
 * - `UntrustedDirectoryParameters`: parameters under the client directory's
 *   path that the library did not create (client-directory.ts),
 *   ignored; written by the authorizer and by the tenant-claim trigger on
 *   each directory load that finds any (the count of that load), with the
 *   dimension set [`functionName`]. Any is worth an alarm.
 * - `functionName`: the authorizer function's name (Lambda's
 *   AWS_LAMBDA_FUNCTION_NAME), or the trigger's. Outside Lambda the handlers write no metrics.
 *
 * Tenant and client ids are never dimensions (each distinct combination of
 * dimension values is a custom metric, and there is no bound on tenants):
 * they stay plain fields of the log line, for CloudWatch Logs Insights.
 */

export const METRICS_NAMESPACE = 'CdkCognitoM2m';
export const FUNCTION_DIMENSION = 'functionName';
export const REASON_DIMENSION = 'reason';
export const ALLOWED_METRIC = 'Allowed';
export const DENIED_METRIC = 'Denied';
export const UNTRUSTED_DIRECTORY_PARAMETERS_METRIC = 'UntrustedDirectoryParameters';

/** The longest an execution environment keeps allowed decisions counted before it writes them. */
export const ALLOWED_FLUSH_MS = 10_000;

/** Every reason the handler gives a denial (lambda/authorizer/errors.ts must give no other: metrics.ts checks it). */
export const DENY_REASONS = [
  'missing_header', 'bad_scheme', 'malformed', 'too_large', 'alg_not_allowed', 'unknown_kid', 'bad_signature', 'expired', 'not_yet_valid',
  'wrong_issuer', 'wrong_token_use', 'untrusted_client', 'no_scope', 'no_role', 'suspended', 'token_budget', 'tenant_mismatch', 'jwks_unavailable',
  'registry_unavailable', 'tenants_unavailable', 'config_error',
] as const;
export type DenyReasonName = typeof DENY_REASONS[number];

/** Denials answered with a Deny policy: a normal return, so not a Lambda function error (all others throw `Unauthorized`). */
export const DENY_POLICY_REASONS: readonly DenyReasonName[] = ['no_scope'];

/** Denials because a dependency was unavailable (the platform's business, not the caller's). */
export const UNAVAILABLE_REASONS: readonly DenyReasonName[] = ['jwks_unavailable', 'registry_unavailable', 'tenants_unavailable'];
