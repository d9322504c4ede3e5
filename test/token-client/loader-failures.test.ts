/**
 * Credentials loader failures, as the AWS SDK's Secrets Manager client raises them against a
 * loopback server speaking its JSON protocol: throttling, 5xx and outages are
 * `credentials_unavailable` and retryable; AccessDenied, a missing secret and a malformed secret
 * are `config` and not retryable. Neither names more than the error's type and HTTP status.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ScriptedServer, json, scriptedServer, tokenAnswer } from './support/servers';
import { TokenClient, TokenClientError } from '../../token-client/src';

const SECRET = 'sm-SECRET-x81v';
/** Text the store puts in its error messages, which must not reach the token client's error. */
const STORE_MESSAGE = 'Rate exceeded for arn:aws:secretsmanager:eu-west-1:111111111111:secret:tenant-db47';

let store: ScriptedServer | undefined;
let tokens: ScriptedServer;
beforeEach(async () => {
  tokens = await scriptedServer((_r, n, res) => tokenAnswer(res, `tok-${n}`));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await tokens.close();
});

/** A TokenClient whose loader calls GetSecretValue (no SDK retries) on a store endpoint. */
function clientOn(endpoint: string): TokenClient {
  const sm = new SecretsManagerClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-key' },
    maxAttempts: 1,
  });
  return new TokenClient({ credentials: async () => (await sm.send(new GetSecretValueCommand({ SecretId: 'tenant' }))).SecretString! });
}

/** A store answering every GetSecretValue with this status and body. */
async function storeAnswering(status: number, body: string | object): Promise<string> {
  store = await scriptedServer((_r, _n, res) => (typeof body === 'string'
    ? res.writeHead(status, { 'Content-Type': 'text/html' }).end(body)
    : json(res, status, body, { 'Content-Type': 'application/x-amz-json-1.1' })));
  return store.url.replace('/oauth2/token', '');
}

async function failure(client: TokenClient): Promise<TokenClientError> {
  const e = await client.getToken().then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(TokenClientError);
  return e as TokenClientError;
}

test.each([
  ['ThrottlingException', 400, { __type: 'ThrottlingException', message: STORE_MESSAGE }, 'ThrottlingException, HTTP 400'],
  ['InternalServiceError', 500, { __type: 'InternalServiceError', message: STORE_MESSAGE }, 'InternalServiceError, HTTP 500'],
  ['ServiceUnavailable', 503, { __type: 'ServiceUnavailable', message: STORE_MESSAGE }, 'ServiceUnavailable, HTTP 503'],
  ['a 502 from a proxy (not JSON)', 502, '<html>502 Bad Gateway</html>', 'HTTP 502'],
])('%s from Secrets Manager is credentials_unavailable and retryable', async (_what, status, body, named) => {
  // GIVEN a store that fails in a way that passes
  const client = clientOn(await storeAnswering(status, body));

  // WHEN
  const err = await failure(client);

  // THEN
  expect(err).toMatchObject({ code: 'credentials_unavailable', retryable: true, attempts: 0 });
  expect(err.message).toContain(`the credentials loader failed (${named})`);
  expect(err.message).not.toContain('tenant-db47');
  expect(tokens.requests).toHaveLength(0);
});

test('a store out of reach (connection refused) is credentials_unavailable and retryable', async () => {
  // A port that was just closed: nothing listens there.
  const closed = await scriptedServer(() => undefined);
  const endpoint = closed.url.replace('/oauth2/token', '');
  await closed.close();

  const err = await failure(clientOn(endpoint));

  expect(err).toMatchObject({ code: 'credentials_unavailable', retryable: true, remoteError: 'ECONNREFUSED' });
});

test('the Secrets Manager extension out of reach (fetch to localhost fails) is credentials_unavailable', async () => {
  const closed = await scriptedServer(() => undefined);
  const url = closed.url.replace('/oauth2/token', '/secretsmanager/get?secretId=tenant');
  await closed.close();
  const client = new TokenClient({ credentials: async () => ((await (await fetch(url)).json()) as { SecretString: string }).SecretString });

  const err = await failure(client);

  expect(err).toMatchObject({ code: 'credentials_unavailable', retryable: true, remoteError: 'ECONNREFUSED' });
});

test.each([
  ['AccessDeniedException', { __type: 'AccessDeniedException', message: STORE_MESSAGE }],
  ['ResourceNotFoundException', { __type: 'ResourceNotFoundException', message: STORE_MESSAGE }],
  ['DecryptionFailure (no kms:Decrypt)', { __type: 'DecryptionFailure', message: STORE_MESSAGE }],
])('%s stays a config error, not retryable', async (what, body) => {
  const client = clientOn(await storeAnswering(400, body));

  const err = await failure(client);

  expect(err).toMatchObject({ code: 'config', retryable: false, attempts: 0, remoteError: what.split(' ')[0] });
  expect(err.message).toBe(`Token client configuration: the credentials loader failed (${what.split(' ')[0]}, HTTP 400)`);
});

test.each([
  ['not JSON', `{"clientSecret":"${SECRET}",`, /the secret string is not valid JSON/],
  ['no clientSecret', JSON.stringify({ clientId: 'c1' }), /field "clientSecret" must be a non-empty string \(missing\)/],
])('a malformed secret (%s) stays a config error, not retryable', async (_what, secretString, message) => {
  const client = clientOn(await storeAnswering(200, { ARN: 'arn', Name: 'tenant', SecretString: secretString }));

  const err = await failure(client);

  expect(err).toMatchObject({ code: 'config', retryable: false });
  expect(err.message).toMatch(message);
  expect(`${err.message}${err.stack}${JSON.stringify(err)}`).not.toContain(SECRET);
});

test('after a throttled read the next call reads again and gets a token', async () => {
  store = await scriptedServer((_r, n, res) => (n === 0
    ? json(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' })
    : json(res, 200, { ARN: 'arn', Name: 'tenant', SecretString: JSON.stringify({ clientId: 'c1', clientSecret: SECRET, tokenEndpoint: tokens.url }) })));
  const client = clientOn(store.url.replace('/oauth2/token', ''));

  await expect(client.getToken()).rejects.toMatchObject({ code: 'credentials_unavailable' });
  expect(await client.getToken()).toBe('tok-0');
  expect(store.requests).toHaveLength(2);
});
