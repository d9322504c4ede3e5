/**
 * testSecret's live check uses the token client as consumers do: one token
 * from the token endpoint with the pending secret (HTTP Basic), or a
 * refusal whose message never holds the secret. And the function's
 * configuration is checked at cold start.
 */
import { loadConfig } from '../../../lambda/client-rotation/config';
import { tokenCheck } from '../../../lambda/client-rotation/token-check';

const PENDING = JSON.stringify({
  tenantId: 'globex', clientId: 'client1', clientSecret: 'pending+secret_value_24chars', tokenEndpoint: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token', scope: '',
});

test('gets a token from the token endpoint with the pending secret and no scope', async () => {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify({ access_token: 'a.b.c', expires_in: 3600, token_type: 'Bearer' }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  await tokenCheck(fetchImpl)(PENDING);
  expect(calls).toHaveLength(1);
  expect(calls[0].url).toBe('https://acme.auth.us-east-1.amazoncognito.com/oauth2/token');
  const headers = calls[0].init.headers as Record<string, string>;
  expect(Buffer.from(headers.Authorization.replace('Basic ', ''), 'base64').toString()).toBe('client1:pending%2Bsecret_value_24chars');
  expect(calls[0].init.body).toBe('grant_type=client_credentials');
});

test('a refused secret fails the check without quoting it', async () => {
  const fetchImpl = (async () => new Response(JSON.stringify({ error: 'invalid_client' }), { status: 400 })) as unknown as typeof fetch;
  const failure = await tokenCheck(fetchImpl)(PENDING).catch((e: Error) => e);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).message).toMatch(/invalid_client/);
  expect((failure as Error).message).not.toContain('pending+secret');
});

test('configuration: a pool id and a grace period of at least an hour', () => {
  expect(loadConfig({ USER_POOL_ID: 'us-east-1_AbC123', GRACE_SECONDS: '86400' })).toEqual({ userPoolId: 'us-east-1_AbC123', graceMs: 86_400_000, logLevel: 'info' });
  expect(() => loadConfig({ USER_POOL_ID: 'nope', GRACE_SECONDS: '86400' })).toThrow('USER_POOL_ID: "nope" is invalid: must be a user pool id');
  expect(() => loadConfig({ USER_POOL_ID: 'us-east-1_AbC123', GRACE_SECONDS: '60' })).toThrow('GRACE_SECONDS: "60" is invalid: must be a whole number of seconds, at least 3600');
});
