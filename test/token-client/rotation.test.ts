/**
 * A secret rotated while the process is idle: the token endpoint (or GetClientToken) refuses the
 * cached credentials with invalid_client, the client re-reads them through its loader (asking it
 * to bypass its own cache) and, when they changed, tries once more within the same call. A
 * loopback server accepts only the secret currently in the store; the clock is injected.
 */
import { ScriptedServer, SeenRequest, eventually, json, scriptedServer, tokenAnswer } from './support/servers';
import { CredentialsLoadRequest, TokenClient, TokenClientError, TokenClientOptions } from '../../token-client/src';

const T0 = 1_800_000_000_000;
const OLD = 'old-secret-5e1b';
const NEW = 'new-secret-93ac';

let server: ScriptedServer;
let clock: number;
/** The credentials in the store (what the loader reads) and what the server accepts. */
let stored: { clientId: string; clientSecret: string };
let accepted: { clientId: string; clientSecret: string };
/** Every loader call, with what the client asked for. */
let reads: Array<CredentialsLoadRequest | undefined>;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const secretOf = (r: SeenRequest) => Buffer.from((r.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':')[1];

beforeEach(async () => {
  clock = T0;
  stored = { clientId: 'c1', clientSecret: OLD };
  accepted = { ...stored };
  reads = [];
  // As Cognito: 400 invalid_client for any other credential, else a token that lives 100 s.
  server = await scriptedServer((r, n, res) => (r.headers.authorization === basic(accepted.clientId, accepted.clientSecret)
    ? tokenAnswer(res, `tok-${n}`, 100) : json(res, 400, { error: 'invalid_client', error_description: 'Client authentication failed' })));
});
afterEach(() => server.close());

/** A loader that reads the store as Secrets Manager would (a secret string), one turn of the event loop later. */
function client(options: Partial<TokenClientOptions> = {}): TokenClient {
  return new TokenClient({
    credentials: async (request) => {
      reads.push(request);
      await new Promise((r) => setImmediate(r));
      return JSON.stringify({ ...stored, tokenEndpoint: server.url });
    },
    now: () => clock,
    refreshSkewMs: 0,
    sleep: async () => undefined,
    ...options,
  });
}

/** The secret is rotated: the store and the server both move to the new one; the cached token has expired. */
function rotateWhileIdle(to: { clientId: string; clientSecret: string } = { clientId: 'c1', clientSecret: NEW }): void {
  stored = { ...to };
  accepted = { ...to };
  clock = T0 + 2 * 3600_000;
}

test('the first call after a rotation succeeds: 2 token requests (old refused, new accepted) and 2 loader reads', async () => {
  // GIVEN a warm client holding the old secret
  const c = client();
  expect(await c.getToken()).toBe('tok-0');

  // WHEN the secret is rotated while the process is idle, and the next call comes
  rotateWhileIdle();
  const before = server.requests.length;
  const token = await c.getToken();

  // THEN that call gets a token with the new secret
  expect(token).toBe('tok-2');
  expect(server.requests.slice(before).map(secretOf)).toEqual([OLD, NEW]);
  expect(reads).toEqual([{ refresh: false }, { refresh: true }]);
  // and later calls use the cached token and the re-read credentials
  clock += 1_000;
  expect(await c.getToken()).toBe('tok-2');
  expect(server.requests).toHaveLength(3);
  expect(reads).toHaveLength(2);
});

test('unchanged credentials: no second request; the refusal surfaces after 1 token request and 1 re-read', async () => {
  // GIVEN a client whose secret the server refuses while the store still holds it (e.g. revoked, not yet rotated)
  accepted = { clientId: 'c1', clientSecret: 'something-else' };
  const c = client();

  // WHEN
  const err = await c.getToken().then(() => undefined, (e: unknown) => e as TokenClientError);

  // THEN invalid_client as before, after one request and one re-read
  expect(err).toBeInstanceOf(TokenClientError);
  expect(err).toMatchObject({ code: 'invalid_client', attempts: 1, retryable: false });
  expect(server.requests).toHaveLength(1);
  expect(reads).toEqual([{ refresh: false }, { refresh: true }]);

  // and each later refused call does the same once, without a loop
  await expect(c.getToken()).rejects.toMatchObject({ code: 'invalid_client', attempts: 1 });
  expect(server.requests).toHaveLength(2);
  expect(reads).toHaveLength(3);
});

test('20 concurrent callers over 4 scope sets share one re-read after a rotation', async () => {
  // GIVEN a warm client with tokens for 4 scope sets
  const c = client();
  const scopeSets = [['a'], ['b'], ['a', 'b'], ['c']];
  for (const scopes of scopeSets) await c.getToken({ scopes });
  const before = server.requests.length;

  // WHEN the secret rotates while idle and 20 callers arrive at once
  rotateWhileIdle();
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => c.getToken({ scopes: scopeSets[i % 4] })));

  // THEN all get a token; one refused and one accepted request per scope set; one re-read in all
  expect(new Set(tokens).size).toBe(4);
  const after = server.requests.slice(before);
  expect(after.filter((r) => secretOf(r) === OLD)).toHaveLength(4);
  expect(after.filter((r) => secretOf(r) === NEW)).toHaveLength(4);
  expect(reads).toEqual([{ refresh: false }, { refresh: true }]);
});

test('a rotation seen by a background refresh: the valid token is served meanwhile, then the new one', async () => {
  const c = client();
  expect(await c.getToken()).toBe('tok-0');

  // The secret is rotated; the token has passed its refresh point (75 s) but not its expiry.
  stored = { clientId: 'c1', clientSecret: NEW };
  accepted = { ...stored };
  clock = T0 + 80_000;
  expect(await c.getToken()).toBe('tok-0');

  await eventually(async () => (await c.getToken()) === 'tok-2', 'the background refresh lands with the new secret');
  expect(server.requests.map(secretOf)).toEqual([OLD, OLD, NEW]);
  expect(reads).toEqual([{ refresh: false }, { refresh: true }]);
});

test('a rotation to another client id: the token is cached under the new id', async () => {
  const c = client();
  await c.getToken();

  rotateWhileIdle({ clientId: 'c2', clientSecret: NEW });
  expect(await c.getToken()).toBe('tok-2');
  clock += 1_000;
  expect(await c.getToken()).toBe('tok-2');

  expect(server.requests.map((r) => r.headers.authorization)).toEqual([basic('c1', OLD), basic('c1', OLD), basic('c2', NEW)]);
  expect(reads).toHaveLength(2);
});

test('a re-read that fails leaves the refusal as the answer, and the next call reads again', async () => {
  let throttled = true;
  const c = new TokenClient({
    credentials: async (request) => {
      reads.push(request);
      if (request?.refresh && throttled) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      return { ...stored, tokenEndpoint: server.url };
    },
    now: () => clock,
  });
  await c.getToken();
  rotateWhileIdle();

  await expect(c.getToken()).rejects.toMatchObject({ code: 'invalid_client', attempts: 1 });

  throttled = false;
  expect(await c.getToken()).toBe('tok-2');
  expect(reads).toEqual([{ refresh: false }, { refresh: true }, { refresh: false }]);
});

test('credentials given directly are never re-read: invalid_client after one request', async () => {
  const c = new TokenClient({ credentials: { clientId: 'c1', clientSecret: 'wrong', tokenEndpoint: server.url }, now: () => clock });

  await expect(c.getToken()).rejects.toMatchObject({ code: 'invalid_client', attempts: 1 });
  expect(server.requests).toHaveLength(1);
});

describe('GetClientToken', () => {
  let gct: ScriptedServer;
  beforeEach(async () => {
    // As Cognito's GetClientToken: NotAuthorizedException for any other secret.
    gct = await scriptedServer((r, n, res) => {
      const body = JSON.parse(r.body) as { ClientId: string; Secret: string };
      return body.ClientId === accepted.clientId && body.Secret === accepted.clientSecret
        ? json(res, 200, { ClientAuthenticationResult: { AccessToken: `gct-${n}`, ExpiresIn: 100, TokenType: 'Bearer' } })
        : json(res, 400, { __type: 'NotAuthorizedException', message: 'Incorrect client secret.' });
    });
  });
  afterEach(() => gct.close());

  test('NotAuthorizedException after a rotation: re-read and one more request in the same call', async () => {
    const c = new TokenClient({
      credentials: async (request) => {
        reads.push(request);
        return JSON.stringify({ ...stored, userPoolId: 'eu-west-1_AbC123' });
      },
      method: { type: 'get-client-token', endpoint: gct.url },
      now: () => clock,
    });
    expect(await c.getToken()).toBe('gct-0');

    rotateWhileIdle();
    expect(await c.getToken()).toBe('gct-2');

    expect(gct.requests.map((r) => (JSON.parse(r.body) as { Secret: string }).Secret)).toEqual([OLD, OLD, NEW]);
    expect(reads).toEqual([{ refresh: false }, { refresh: true }]);
  });
});
