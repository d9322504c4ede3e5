/**
 * testSecret's live check: the token client (`cdk-cognito-m2m-token-client`,
 * the code consumers run) gets one access token with the pending credentials,
 * from the token endpoint when they name one, else with GetClientToken. Two
 * attempts within ten seconds; the token is discarded.
 */
import type { TokenCheck } from './rotation';
import { credentialsFromSecretString, TokenClient } from '../../token-client/src';

export function tokenCheck(fetchImpl: typeof globalThis.fetch = globalThis.fetch): TokenCheck {
  return async (secretString) => {
    const client = new TokenClient({
      credentials: credentialsFromSecretString(secretString),
      fetch: fetchImpl,
      maxAttempts: 2,
      deadlineMs: 10_000,
    });
    await client.getToken();
  };
}
