/** Accepted tokens: response shape, both event shapes, usage identifier hook, quiet logging. */
import { jwksOf, makeAuthorizer, makeKey, outcome, requestEvent, sign, claims, tokenEvent, API_PREFIX, READ, WRITE } from './helpers';

const key = makeKey();

test('TOKEN event: principal, context (all strings) and the policy for every stage', async () => {
  // GIVEN
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const token = sign(key, claims({ scope: `${READ}  ${WRITE} other/scope` }));
  // WHEN
  const r = await t.authorizer.handle(tokenEvent(token));
  // THEN
  expect(r.principalId).toBe('client1globex');
  expect(r.context).toEqual({ tenantId: 'globex', clientId: 'client1globex', scopes: `${READ} ${WRITE} other/scope` });
  for (const v of Object.values(r.context)) expect(typeof v).toBe('string');
  expect(r.usageIdentifierKey).toBeUndefined();
  expect(r.policyDocument).toEqual({
    Version: '2012-10-17',
    Statement: [{
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
      Resource: [`${API_PREFIX}/*/GET/orders`, `${API_PREFIX}/*/POST/orders`, `${API_PREFIX}/*/GET/orders/*`, `${API_PREFIX}/*/*/admin/*`],
    }],
  });
  // No per-request log line for allowed requests by default: one line when the token is first seen (token traffic), none after.
  expect(t.logs().map((l) => l.msg)).toEqual(['token first seen']);
  await t.authorizer.handle(tokenEvent(token));
  expect(t.lines).toHaveLength(1);
});

test('REQUEST event with a lower-case header gives the same answer', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const token = sign(key, claims({ client_id: 'client2initech' }));
  const r = await t.authorizer.handle(requestEvent({ 'authorization': `Bearer ${token}`, 'x-other': 'v' }));
  expect(r.context.tenantId).toBe('initech');
});

test('the tenant comes only from the trusted mapping, never from token claims', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const r = await t.authorizer.handle(tokenEvent(sign(key, claims({ 'tenantId': 'initech', 'custom:tenant': 'initech' }))));
  expect(r.context.tenantId).toBe('globex');
});

test('with usage tiers (USAGE_KEY_PREFIX) an allowed request carries the tenant\'s usage key', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key), config: { usageKeyPrefix: 'm2musage0123456789' } });
  const r = await t.authorizer.handle(tokenEvent(sign(key, claims())));
  // m2musage + the first 40 hex digits of SHA-256("globex"): alphanumeric, as API key values must be.
  expect(r.usageIdentifierKey).toBe('m2musage01234567895bc1a08d28e40fe79ca3ecb077b3bd14ff00df9b');
});

test('without usage tiers no usage key is returned', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const r = await t.authorizer.handle(tokenEvent(sign(key, claims())));
  expect(Object.keys(r)).not.toContain('usageIdentifierKey');
});

test('a denied request carries no usage key, whatever the tenant', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key), config: { usageKeyPrefix: 'm2musage0123456789' } });
  const r = await t.authorizer.handle(tokenEvent(sign(key, claims({ client_id: 'unknown-client' })))).catch((e: unknown) => e);
  expect(JSON.stringify(r)).not.toContain('m2musage');
});

test('LOG_LEVEL=debug logs allowed requests at debug level, without the token', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key), logLevel: 'debug' });
  const token = sign(key, claims());
  await t.authorizer.handle(tokenEvent(token));
  expect(t.decisionLogs()).toEqual([{ level: 'debug', msg: 'allowed', clientId: 'client1globex', tenantId: 'globex' }]);
  for (const line of t.lines) expect(line).not.toContain(token.split('.')[2].slice(0, 20));
});

test('an asynchronous tenant resolver (future registry) is awaited', async () => {
  const t = makeAuthorizer({
    jwks: jwksOf(key),
    deps: { tenants: { resolve: async (id: string) => (id === 'client1globex' ? 'from-registry' : undefined) } },
  });
  const r = await t.authorizer.handle(tokenEvent(sign(key, claims())));
  expect(r.context.tenantId).toBe('from-registry');
  expect(await outcome(t.authorizer, tokenEvent(sign(key, claims({ client_id: 'client2initech' }))))).toBe('Unauthorized');
  expect(t.decisionLogs().map((l) => l.reason)).toEqual(['untrusted_client']);
  // The allowed token's first sighting carries the tenant the resolver answered.
  expect(t.firstSeen()).toEqual([expect.objectContaining({ clientId: 'client1globex', tenantId: 'from-registry' })]);
});

test('a methodArn that is not an execute-api ARN is denied', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  expect(await outcome(t.authorizer, tokenEvent(sign(key, claims()), 'arn:aws:s3:::bucket/key'))).toBe('Unauthorized');
  expect(t.logs().map((l) => l.reason)).toEqual(['malformed']);
});

test('the policy is computed per API (cached tokens used with another API get that API\'s ARNs)', async () => {
  const t = makeAuthorizer({ jwks: jwksOf(key) });
  const token = sign(key, claims({ scope: READ }));
  await t.authorizer.handle(tokenEvent(token));
  const other = 'arn:aws-cn:execute-api:cn-north-1:210987654321:zyx987';
  const r = await t.authorizer.handle(tokenEvent(token, `${other}/dev/GET/orders`));
  expect(r.policyDocument.Statement[0].Resource).toEqual([`${other}/*/GET/orders`]);
});
