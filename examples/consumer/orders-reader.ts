/**
 * A tenant's service that calls the Orders API: the Lambda handler of
 * examples/token-client-consumer.ts.
 *
 * The token client is built once per execution environment, at module scope,
 * so every invocation shares its cache: one token request per token lifetime
 * (refreshed in the background at 75% of it), not one per call. The secret is
 * read with the AWS SDK the Lambda runtime provides, on the first call and
 * again after an `invalid_client` answer (a rotated secret).
 *
 * The client's events become CloudWatch metrics (embedded metric format):
 * one log line per invocation, flushed in `finally`, with TokenFetched,
 * TokenCacheHit, TokenRefreshFailed, TokenRetry... under the Service
 * dimension only. If the client were built per call, TokenFetched would
 * equal the invocations and TokenCacheHit stay at zero.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TokenClient, TokenClientError, emfMetrics } from 'cdk-cognito-m2m-token-client';

const secrets = new SecretsManagerClient({});
const metrics = emfMetrics({ namespace: 'CognitoM2mExample/OrdersReader', dimensions: { Service: 'orders-reader' } });
const tokens = new TokenClient({
  credentials: async () => {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.M2M_SECRET_ARN }));
    if (!out.SecretString) throw new Error('the credentials secret has no SecretString');
    return out.SecretString;
  },
  onEvent: metrics.onEvent,
});

export async function handler(): Promise<{ statusCode: number; body: string }> {
  try {
    const res = await tokens.fetchWithToken(`${process.env.ORDERS_API_URL}orders`, { method: 'GET' },
      { scopes: [process.env.ORDERS_READ_SCOPE!] });
    return { statusCode: res.status, body: await res.text() };
  } catch (e) {
    // The error names its cause (code, endpoint, status) and never the secret or a token.
    if (e instanceof TokenClientError) {
      console.error(JSON.stringify({ msg: 'no token', code: e.code, status: e.status, attempts: e.attempts }));
      return { statusCode: 502, body: JSON.stringify({ message: 'could not get a token for the Orders API' }) };
    }
    throw e;
  } finally {
    metrics.flush();
  }
}
