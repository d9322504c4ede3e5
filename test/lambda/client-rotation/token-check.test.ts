/**
 * testSecret's live check uses the token client as consumers do: one token
 * with the pending secret (HTTP Basic) from the pool's own token endpoint, or
 * GetClientToken for the pool, both from the function's configuration and
 * never from the secret's value; a refusal never quotes the secret. And the
 * function's configuration is checked at cold start.
 */
import { loadConfig } from '../../../lambda/client-rotation/config';
import { tokenCheck } from '../../../lambda/client-rotation/token-check';

const TOKEN_ENDPOINT = 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token';
const SECRET = 'pending+secret_value_24chars';

function recordingFetch(status = 200, body: object = { access_token: 'a.b.c', expires_in: 3600, token_type: 'Bearer' }) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url: String(url), init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

test('gets a token from the pool\'s token endpoint with the pending secret and no scope', async () => {
  const { calls, fetchImpl } = recordingFetch();
  await tokenCheck({ tokenEndpoint: TOKEN_ENDPOINT, userPoolId: 'us-east-1_AbC123' }, fetchImpl)('client1', SECRET);
  expect(calls).toHaveLength(1);
  expect(calls[0].url).toBe(TOKEN_ENDPOINT);
  const headers = calls[0].init.headers as Record<string, string>;
  expect(Buffer.from(headers.Authorization.replace('Basic ', ''), 'base64').toString()).toBe('client1:pending%2Bsecret_value_24chars');
  expect(calls[0].init.body).toBe('grant_type=client_credentials');
});

test('without a token endpoint, asks GetClientToken of the configured pool\'s Region', async () => {
  const { calls, fetchImpl } = recordingFetch(200, { AuthenticationResult: { AccessToken: 'a.b.c', ExpiresIn: 3600, TokenType: 'Bearer' } });
  await tokenCheck({ userPoolId: 'eu-west-1_AbC123' }, fetchImpl)('client1', SECRET).catch(() => undefined);
  expect(calls.map((c) => c.url)).toEqual(['https://cognito-idp.eu-west-1.amazonaws.com/']);
});

test('a refused secret fails the check without quoting it', async () => {
  const { fetchImpl } = recordingFetch(400, { error: 'invalid_client' });
  const failure = await tokenCheck({ tokenEndpoint: TOKEN_ENDPOINT, userPoolId: 'us-east-1_AbC123' }, fetchImpl)('client1', SECRET).catch((e: Error) => e);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).message).toMatch(/invalid_client/);
  expect((failure as Error).message).not.toContain('pending+secret');
});

test('configuration: a pool id, a grace period of at least an hour, the trusted stacks and the pool\'s token endpoint', () => {
  const env = { USER_POOL_ID: 'us-east-1_AbC123', GRACE_SECONDS: '86400', TRUSTED_STACKS: '["Tenants","Pool"]', TOKEN_ENDPOINT };
  expect(loadConfig(env)).toEqual({ userPoolId: 'us-east-1_AbC123', graceMs: 86_400_000, trustedStacks: ['Tenants', 'Pool'], tokenEndpoint: TOKEN_ENDPOINT, logLevel: 'info' });
  expect(loadConfig({ ...env, TOKEN_ENDPOINT: undefined })).not.toHaveProperty('tokenEndpoint');
  expect(() => loadConfig({ ...env, USER_POOL_ID: 'nope' })).toThrow('USER_POOL_ID: "nope" is invalid: a user pool id like us-east-1_AbCdEf123');
  expect(() => loadConfig({ ...env, GRACE_SECONDS: '60' })).toThrow('GRACE_SECONDS: "60" is invalid: an integer of at least 3600 (seconds)');
  expect(() => loadConfig({ ...env, GRACE_SECONDS: undefined })).toThrow('GRACE_SECONDS is not set: an integer of at least 3600 (seconds)');
  expect(() => loadConfig({ ...env, TRUSTED_STACKS: '[]' }))
    .toThrow('TRUSTED_STACKS: "[]" is invalid: a JSON array of one or more CloudFormation stack names');
  expect(() => loadConfig({ ...env, TRUSTED_STACKS: '["a b"]' })).toThrow('TRUSTED_STACKS');
  expect(() => loadConfig({ ...env, TOKEN_ENDPOINT: 'https://attacker.example/collect' }))
    .toThrow('TOKEN_ENDPOINT: "https://attacker.example/collect" is invalid: https://<domain>/oauth2/token');
});
