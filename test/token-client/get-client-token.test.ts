/**
 * The GetClientToken method against a loopback server speaking the AWS JSON 1.1 protocol.
 */
import { ScriptedServer, json, scriptedServer, Script } from './support/servers';
import { TokenClient, TokenClientError } from '../../token-client/src';

const SECRET = 'gct-SECRET-3kq0';
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function ok(res: Parameters<Script>[2], token: string): void {
  json(res, 200, { ClientAuthenticationResult: { AccessToken: token, ExpiresIn: 3600, TokenType: 'Bearer' } }, { 'Content-Type': 'application/x-amz-json-1.1' });
}

function awsError(res: Parameters<Script>[2], status: number, type: string, message: string): void {
  json(res, status, { __type: type, message }, { 'Content-Type': 'application/x-amz-json-1.1' });
}

async function clientFor(script: Script, scopes?: string[]) {
  server = await scriptedServer(script);
  const waits: number[] = [];
  const client = new TokenClient({
    credentials: { clientId: 'client-7', clientSecret: SECRET, scope: 'z/read a/write' },
    method: { type: 'get-client-token', endpoint: server.url.replace('/oauth2/token', '/') },
    scopes,
    sleep: async (ms) => { waits.push(ms); },
    random: () => 0.5,
  });
  return { client, waits, requests: server.requests };
}

test('sends an unsigned AWS JSON 1.1 GetClientToken request and caches the answer', async () => {
  const { client, requests } = await clientFor((_r, n, res) => ok(res, `gct-${n}`));

  const tokens = await Promise.all([client.getToken(), client.getToken(), client.getToken({ scopes: ['a/write', 'z/read'] })]);

  expect(tokens).toEqual(['gct-0', 'gct-0', 'gct-0']);
  expect(requests).toHaveLength(1);
  const [req] = requests;
  expect(req).toMatchObject({ method: 'POST', url: '/' });
  expect(req.headers['x-amz-target']).toBe('AWSCognitoIdentityProviderService.GetClientToken');
  expect(req.headers['content-type']).toBe('application/x-amz-json-1.1');
  expect(req.headers.authorization).toBeUndefined();
  expect(JSON.parse(req.body)).toEqual({ ClientId: 'client-7', Secret: SECRET, Scopes: ['a/write', 'z/read'] });
});

test('no Scopes field when no scope is configured', async () => {
  server = await scriptedServer((_r, _n, res) => ok(res, 'gct'));
  const client = new TokenClient({ credentials: { clientId: 'c', clientSecret: SECRET }, method: { type: 'get-client-token', endpoint: server.url } });

  await client.getToken();

  expect(JSON.parse(server.requests[0].body)).toEqual({ ClientId: 'c', Secret: SECRET });
});

test.each([
  ['NotAuthorizedException', 'invalid_client'],
  ['InvalidParameterException', 'invalid_request'],
  ['com.amazonaws.cognito.identity.idp.model#NotAuthorizedException', 'invalid_client'],
])('%s is not retried (code %s)', async (type, code) => {
  const { client, waits, requests } = await clientFor((_r, _n, res) => awsError(res, 400, type, `Incorrect secret ${SECRET}`));

  const err = await client.getToken().catch((e: unknown) => e as TokenClientError);

  expect(err).toBeInstanceOf(TokenClientError);
  expect(err).toMatchObject({ code, status: 400, attempts: 1, remoteError: type.split('#').pop() });
  expect(requests).toHaveLength(1);
  expect(waits).toEqual([]);
  expect(`${(err as Error).message}${JSON.stringify(err)}`).not.toContain(SECRET);
});

test.each([
  ['TooManyRequestsException', 400, 'rate_limited'],
  ['InternalErrorException', 500, 'server_error'],
])('%s is retried, then succeeds', async (type, status) => {
  const { client, waits, requests } = await clientFor((_r, n, res) => (n === 0 ? awsError(res, status, type, 'try later') : ok(res, 'gct-ok')));

  expect(await client.getToken()).toBe('gct-ok');
  expect(requests).toHaveLength(2);
  expect(waits).toEqual([50]);
});

test('TooManyRequestsException on every attempt ends with rate_limited after maxAttempts', async () => {
  const { client, requests } = await clientFor((_r, _n, res) => awsError(res, 400, 'TooManyRequestsException', 'Rate exceeded'));

  const err = await client.getToken().catch((e: unknown) => e);

  expect(err).toMatchObject({ code: 'rate_limited', attempts: 4, remoteError: 'TooManyRequestsException' });
  expect(requests).toHaveLength(4);
});

test('the error type may come in the x-amzn-ErrorType header', async () => {
  const { client } = await clientFor((_r, _n, res) => res.writeHead(400, { 'x-amzn-ErrorType': 'NotAuthorizedException:http://internal' }).end('{}'));

  await expect(client.getToken()).rejects.toMatchObject({ code: 'invalid_client', remoteError: 'NotAuthorizedException' });
});

test('a 200 without ClientAuthenticationResult is bad_response', async () => {
  const { client } = await clientFor((_r, _n, res) => json(res, 200, {}));

  await expect(client.getToken()).rejects.toMatchObject({ code: 'bad_response', attempts: 1 });
});

test('the Region comes from a Cognito-domain token endpoint', async () => {
  const seen: string[] = [];
  const fakeFetch = (async (url: string | URL | Request) => {
    seen.push(String(url));
    return new Response(JSON.stringify({ ClientAuthenticationResult: { AccessToken: 't', ExpiresIn: 60, TokenType: 'Bearer' } }), { status: 200 });
  }) as typeof fetch;
  const client = new TokenClient({
    credentials: { clientId: 'c', clientSecret: SECRET, tokenEndpoint: 'https://acme-m2m.auth.eu-west-1.amazoncognito.com/oauth2/token' },
    method: { type: 'get-client-token' },
    fetch: fakeFetch,
  });

  await client.getToken();

  expect(seen).toEqual(['https://cognito-idp.eu-west-1.amazonaws.com/']);
});

describe('credentials of a client in a pool without a domain (no tokenEndpoint, a userPoolId)', () => {
  function recordingFetch(seen: Array<{ url: string; target: string | null }>): typeof fetch {
    return (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), target: new Headers(init?.headers).get('x-amz-target') });
      return new Response(JSON.stringify({ ClientAuthenticationResult: { AccessToken: 't', ExpiresIn: 60, TokenType: 'Bearer' } }), { status: 200 });
    }) as typeof fetch;
  }

  test('use GetClientToken without being told, in the Region of the user pool', async () => {
    const seen: Array<{ url: string; target: string | null }> = [];
    const client = new TokenClient({
      // The secret string TenantAppClient writes for such a client.
      credentials: async () => JSON.stringify({ tenantId: 'globex', clientId: 'c', clientSecret: SECRET, scope: 'orders/read', userPoolId: 'ap-southeast-2_AbC123' }),
      fetch: recordingFetch(seen),
    });

    await client.getToken();

    expect(seen).toEqual([{ url: 'https://cognito-idp.ap-southeast-2.amazonaws.com/', target: 'AWSCognitoIdentityProviderService.GetClientToken' }]);
  });

  test('the user pool\'s Region wins over AWS_REGION', async () => {
    const seen: Array<{ url: string; target: string | null }> = [];
    const before = process.env.AWS_REGION;
    process.env.AWS_REGION = 'us-west-2';
    try {
      const client = new TokenClient({ credentials: async () => ({ clientId: 'c', clientSecret: SECRET, userPoolId: 'eu-central-1_Xyz9' }), fetch: recordingFetch(seen) });
      await client.getToken();
    } finally {
      if (before === undefined) delete process.env.AWS_REGION; else process.env.AWS_REGION = before;
    }
    expect(seen.map((s) => s.url)).toEqual(['https://cognito-idp.eu-central-1.amazonaws.com/']);
  });

  test('with a token endpoint too, the token endpoint stays the default', async () => {
    const seen: Array<{ url: string; target: string | null }> = [];
    const client = new TokenClient({
      credentials: async () => ({ clientId: 'c', clientSecret: SECRET, userPoolId: 'eu-central-1_Xyz9', tokenEndpoint: 'https://acme.auth.eu-central-1.amazoncognito.com/oauth2/token' }),
      fetch: (async (url: string | URL | Request) => {
        seen.push({ url: String(url), target: null });
        return new Response(JSON.stringify({ access_token: 't', expires_in: 60, token_type: 'Bearer' }), { status: 200 });
      }) as typeof fetch,
    });
    await client.getToken();
    expect(seen.map((s) => s.url)).toEqual(['https://acme.auth.eu-central-1.amazoncognito.com/oauth2/token']);
  });

  test('a malformed userPoolId is a config error naming the field', async () => {
    const client = new TokenClient({ credentials: async () => JSON.stringify({ clientId: 'c', clientSecret: SECRET, userPoolId: 'AbC123' }), fetch: recordingFetch([]) });
    const err = await client.getToken().catch((e: unknown) => e as TokenClientError);
    expect(err).toMatchObject({ code: 'config' });
    expect((err as Error).message).toContain('field "userPoolId" must look like <region>_<id>');
    expect((err as Error).message).not.toContain(SECRET);
  });
});
