/**
 * testSecret's live check: the token client (`cdk-cognito-m2m-token-client`,
 * the code consumers run) gets one access token with the pending secret, from
 * the pool's own token endpoint when it has a domain, else with
 * GetClientToken for the pool. Both come from the function's configuration
 * (set by the construct), never from the secret's value, so a secret cannot
 * send its new client secret anywhere else. Two attempts within ten
 * seconds; the token is discarded.
 */
import type { TokenCheck } from './rotation';
import { TokenClient } from '../../token-client/src';

export interface TokenCheckTarget {
  /** The pool's token endpoint (TOKEN_ENDPOINT); absent when the pool has no domain. */
  readonly tokenEndpoint?: string;
  /** The pool the function rotates for (USER_POOL_ID): GetClientToken's pool. */
  readonly userPoolId: string;
}

export function tokenCheck(target: TokenCheckTarget, fetchImpl: typeof globalThis.fetch = globalThis.fetch): TokenCheck {
  return async (clientId, clientSecret) => {
    const client = new TokenClient({
      credentials: { clientId, clientSecret, tokenEndpoint: target.tokenEndpoint, userPoolId: target.userPoolId },
      fetch: fetchImpl,
      maxAttempts: 2,
      deadlineMs: 10_000,
    });
    await client.getToken();
  };
}
