/**
 * Which user pools the Lambda authorizer trusts, and with which issuer
 * formats: the contract between the construct (lib/authorizers/tenant-aware-binding.ts)
 * and the handler (lambda/authorizer/config.ts, authorizer.ts). No imports:
 * the handler bundles this module.
 *
 * - `USER_POOL_ID`: the API's own pool. `USER_POOL_ISSUERS`: its issuer
 *   formats, comma-separated (absent: `ORIGINAL`).
 * - `ADDITIONAL_USER_POOLS`: a JSON array of `{ "userPoolId", "issuerFormats" }`
 *   for more pools (absent: none). The names are in authorizer.ts (AUTHORIZER_ENV).
 * - Trusted clients of the API's pool are keyed by client id; those of an
 *   additional pool by `<userPoolId>/<clientId>` (`clientKey`), so a client
 *   is trusted for tokens of its own pool only.
 */

/** Cognito's issuer formats (IssuerConfiguration Type). */
export const ISSUER_FORMATS = ['ORIGINAL', 'UPDATED'] as const;
export type IssuerFormatName = typeof ISSUER_FORMATS[number];

/** An additional pool as ADDITIONAL_USER_POOLS lists it. */
export interface TrustedPoolEntry {
  readonly userPoolId: string;
  readonly issuerFormats: readonly IssuerFormatName[];
}

/**
 * The host of a pool's issuer: `cognito-idp.<region>` (ORIGINAL) or
 * `issuer-cognito-idp.<region>` (UPDATED, where region is the pool's primary
 * Region, the one in its id).
 */
export function issuerHostPrefix(format: IssuerFormatName): string {
  return format === 'UPDATED' ? 'issuer-cognito-idp' : 'cognito-idp';
}

/** The key of a trusted client in the client → tenant mapping. */
export function clientKey(userPoolId: string | undefined, clientId: string): string {
  return userPoolId === undefined ? clientId : `${userPoolId}/${clientId}`;
}
