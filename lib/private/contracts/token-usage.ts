/**
 * What the tenant-aware authorizer says about the tokens it meets: the
 * contract between the handler, which writes one line per token it verifies
 * for the first time in an execution environment (lambda/authorizer/authorizer.ts),
 * and what reads those lines: the Contributor Insights rules and saved
 * queries of M2mMonitoring, and the token budgets. No imports: the handler
 * bundles this module.
 *
 * The line (JSON, one per first sighting, level `info`):
 *   {"level":"info","msg":"token first seen","clientId":"…","tenantId":"…",
 *    "tokenId":"<jti>","issuedAt":<iat, seconds>,"expiresAt":<exp, seconds>}
 *
 * - A token is seen first once per execution environment, so several
 *   environments (and a re-check after a registry answer's TTL) may each
 *   write a line for the same token: `tokenId` (the token's `jti`, which
 *   authenticates nothing) tells them apart. Counting lines gives an upper
 *   bound; counting distinct `tokenId`s gives the tokens.
 * - The handler writes its lines when the turn of the event loop is over,
 *   those of one turn in one write (lambda/shared/log.ts `afterTurn`): each
 *   is still a line of its own, and so a log event of its own.
 * - Tenant and client ids are fields, never metric dimensions.
 * - Tokens of people (the developer portal's sign-in pool) write no line.
 */

/** The `msg` of a first sighting. */
export const TOKEN_FIRST_SEEN_MESSAGE = 'token first seen';

/** The fields of a first sighting, as they appear in the JSON line. */
export const TOKEN_FIRST_SEEN_FIELDS = {
  clientId: 'clientId',
  tenantId: 'tenantId',
  tokenId: 'tokenId',
  issuedAt: 'issuedAt',
  expiresAt: 'expiresAt',
} as const;

/**
 * The token ids (`jti`) the line carries: Cognito's are UUIDs. The handlers'
 * logger checks `tokenId` with its client id pattern, which is this one
 * (lambda/shared/log.ts; one pattern keeps every bundle small); a `jti`
 * that does not match is left out of the line, which is written without it.
 */
export const TOKEN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
