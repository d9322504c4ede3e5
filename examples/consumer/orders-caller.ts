/**
 * A tenant's service that calls the Orders API a number of times per
 * invocation: the consumers of examples/runaway-consumer.ts, invoked by hand
 * with `{"calls": 20}` (1 to 200 calls; 20 when not given).
 *
 * - Built as it should be (initech's), it keeps one token client per
 *   execution environment, at module scope: every call shares its cache, one
 *   token request per token lifetime.
 * - With NEW_CLIENT_PER_CALL=true (globex's), it has the bug the example is
 *   about: it builds a token client for every call, whose cache is empty, so
 *   every call asks Cognito for a new token (and reads the secret again).
 *
 * The client's events become CloudWatch metrics (embedded metric format,
 * namespace CognitoM2mExample/OrdersCaller, dimension Service): with the bug,
 * TokenFetched equals the calls and TokenCacheHit stays at zero. The answer
 * counts the API's status codes, and the token errors by code.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TokenClient, TokenClientError, TokenClientOptions, emfMetrics } from 'cdk-cognito-m2m-token-client';

const secrets = new SecretsManagerClient({});
const metrics = emfMetrics({ namespace: 'CognitoM2mExample/OrdersCaller', dimensions: { Service: process.env.SERVICE_NAME ?? 'orders-caller' } });
const options: TokenClientOptions = {
  credentials: async () => {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.M2M_SECRET_ARN }));
    if (!out.SecretString) throw new Error('the credentials secret has no SecretString');
    return out.SecretString;
  },
  onEvent: metrics.onEvent,
};
const shared = new TokenClient(options);
const newClientPerCall = process.env.NEW_CLIENT_PER_CALL === 'true';

/** The calls of an invocation: a whole number from 1 to 200, 20 when not given. */
function callsOf(event: unknown): number {
  const calls = (event as { calls?: unknown } | null)?.calls ?? 20;
  if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 1 || calls > 200) {
    throw new Error(`calls: ${JSON.stringify(calls)} is invalid: must be a whole number from 1 to 200`);
  }
  return calls;
}

export async function handler(event: unknown): Promise<{ calls: number; statuses: Record<string, number> }> {
  const calls = callsOf(event);
  const statuses: Record<string, number> = {};
  try {
    for (let i = 0; i < calls; i++) {
      // The bug (globex's): a new client per call has an empty cache.
      const tokens = newClientPerCall ? new TokenClient(options) : shared;
      let outcome: string;
      try {
        const res = await tokens.fetchWithToken(`${process.env.ORDERS_API_URL}orders`, { method: 'GET' },
          { scopes: [process.env.ORDERS_READ_SCOPE!] });
        await res.arrayBuffer();
        outcome = String(res.status);
      } catch (e) {
        // The error names its cause (code, endpoint, status) and never the secret or a token.
        if (!(e instanceof TokenClientError)) throw e;
        outcome = `token ${e.code}`;
      }
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
    }
  } finally {
    metrics.flush();
  }
  return { calls, statuses };
}
