/**
 * The token client against a real third-party OAuth 2.0 server (oauth2-mock-server,
 * RS256-signed JWTs) on loopback, set to authenticate clients with HTTP Basic as Cognito does.
 */
import * as crypto from 'crypto';
import { MockOAuthServer, startMockOAuthServer } from './support/servers';
import { TokenClient, TokenClientError, credentialsFromSecretString } from '../../token-client/src';

// Characters that form encoding changes (space, +, :, %, /) prove RFC 6749 2.3.1 encoding before Basic.
const CLIENT_ID = 'tenant-client 1';
const CLIENT_SECRET = 's3cr3t+with:colon%and/slash and space';

let server: MockOAuthServer;

beforeAll(async () => {
  server = await startMockOAuthServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ttlSeconds: 900 });
});

afterAll(async () => {
  await server.stop();
});

function secretString(overrides: Record<string, string> = {}): string {
  return JSON.stringify({
    tenantId: 'globex',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenEndpoint: server.tokenEndpoint,
    scope: 'https://api.example/orders/read https://api.example/orders/write',
    ...overrides,
  });
}

function verifyJwt(token: string, keys: Array<crypto.JsonWebKey & { kid?: string }>): Record<string, unknown> {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid?: string; alg: string };
  const jwk = keys.find((k) => k.kid === header.kid)!;
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  expect(ok).toBe(true);
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}

test('a real token is fetched with client_secret_basic and then served from the cache', async () => {
  // GIVEN a client with the credentials of a TenantAppClient secret
  const before = (await server.requests()).length;
  const client = new TokenClient({ credentials: credentialsFromSecretString(secretString()) });

  // WHEN three calls ask for a token
  const first = await client.getToken();
  const again = await Promise.all([client.getToken(), client.getToken({ scopes: ['https://api.example/orders/write', 'https://api.example/orders/read'] })]);

  // THEN one request was made, with Basic auth, no secret in the body, and the secret's scopes
  const seen = (await server.requests()).slice(before);
  expect(seen).toEqual([{
    grantType: 'client_credentials',
    scope: 'https://api.example/orders/read https://api.example/orders/write',
    authScheme: 'Basic',
    idMatches: true,
    secretMatches: true,
    secretInBody: false,
    contentType: 'application/x-www-form-urlencoded',
  }]);
  expect(again).toEqual([first, first]);
  // and the token is a JWT signed by the server's key, with the requested scopes
  const { keys } = await (await fetch(server.jwksUri)).json() as { keys: Array<crypto.JsonWebKey & { kid?: string }> };
  const claims = verifyJwt(first, keys);
  expect(claims.scope).toBe('https://api.example/orders/read https://api.example/orders/write');
  expect(claims.client_id).toBe(CLIENT_ID);
});

test('a different scope set is a different cache entry', async () => {
  const before = (await server.requests()).length;
  const client = new TokenClient({ credentials: credentialsFromSecretString(secretString()) });

  const all = await client.getToken();
  const read = await client.getToken({ scopes: ['https://api.example/orders/read'] });

  expect(read).not.toEqual(all);
  expect((await server.requests()).slice(before).map((r) => r.scope)).toEqual([
    'https://api.example/orders/read https://api.example/orders/write',
    'https://api.example/orders/read',
  ]);
});

test('a wrong secret gets invalid_client after exactly one request', async () => {
  const before = (await server.requests()).length;
  const client = new TokenClient({ credentials: credentialsFromSecretString(secretString({ clientSecret: 'wrong-secret' })), sleep: async () => {} });

  const err = await client.getToken().catch((e: unknown) => e);

  expect(err).toBeInstanceOf(TokenClientError);
  expect(err).toMatchObject({ code: 'invalid_client', status: 401, attempts: 1, remoteError: 'invalid_client' });
  expect((err as Error).message).toContain(server.tokenEndpoint);
  expect((err as Error).message).not.toContain('wrong-secret');
  const seen = (await server.requests()).slice(before);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ authScheme: 'Basic', idMatches: true, secretMatches: false });
});

test('a credentials loader reads the secret once', async () => {
  let loads = 0;
  const client = new TokenClient({ credentials: async () => { loads++; return secretString(); } });

  const tokens = await Promise.all(Array.from({ length: 5 }, () => client.getToken()));

  expect(new Set(tokens).size).toBe(1);
  expect(loads).toBe(1);
});
