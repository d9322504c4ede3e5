/**
 * The authorizer and the `tenant_id` claim (lib/tenant-claim.ts): the claim is
 * a hint the authorizer never trusts on its own. A verified token whose claim
 * names another tenant than the authorizer's own mapping is denied
 * `tenant_mismatch` (one warning line, like every denial); a matching claim,
 * or none, changes nothing.
 */
import { allowsAnything, claims, jwksOf, KeyPair, makeAuthorizer, makeKey, outcome, sign, tokenEvent } from './helpers';
import { DirectoryTenantResolver } from '../../../lambda/authorizer/directory';

let key: KeyPair;
beforeAll(() => { key = makeKey(); });

const tokenOf = (overrides: Record<string, unknown>) => sign(key, claims(overrides));

test('a claim naming the client\'s own tenant is allowed, with the tenant of the mapping in the context', async () => {
  // GIVEN client1globex belongs to globex
  const { authorizer, decisionLogs } = makeAuthorizer({ jwks: jwksOf(key) });
  // WHEN its token says so too
  const r = await outcome(authorizer, tokenEvent(tokenOf({ tenant_id: 'globex' })));
  // THEN
  expect(allowsAnything(r)).toBe(true);
  expect(typeof r !== 'string' && r.context.tenantId).toBe('globex');
  expect(decisionLogs()).toEqual([]);
});

test('a token without the claim is judged as before (the trigger is optional)', async () => {
  const { authorizer } = makeAuthorizer({ jwks: jwksOf(key) });
  const r = await outcome(authorizer, tokenEvent(tokenOf({})));
  expect(typeof r !== 'string' && r.context.tenantId).toBe('globex');
});

test('a claim naming another tenant is denied tenant_mismatch, logged with the client id', async () => {
  // GIVEN client1globex belongs to globex
  const { authorizer, logs } = makeAuthorizer({ jwks: jwksOf(key) });
  // WHEN its token claims initech (another tenant the authorizer knows)
  const r = await outcome(authorizer, tokenEvent(tokenOf({ tenant_id: 'initech' })));
  // THEN
  expect(r).toBe('Unauthorized');
  expect(logs()).toEqual([{ level: 'warn', msg: 'denied', reason: 'tenant_mismatch', clientId: 'client1globex' }]);
});

test.each([
  ['an empty string', ''],
  ['a number', 42],
  ['a list holding the right tenant', ['globex']],
  ['an object', { tenant: 'globex' }],
  ['null', null],
  ['the tenant in another case', 'GLOBEX'],
])('a claim that is %s is a mismatch', async (_, value) => {
  const { authorizer, logs } = makeAuthorizer({ jwks: jwksOf(key) });
  expect(await outcome(authorizer, tokenEvent(tokenOf({ tenant_id: value })))).toBe('Unauthorized');
  expect(logs().map((l) => l.reason)).toEqual(['tenant_mismatch']);
});

test('a mismatched token stays denied on every call (it is never cached as allowed), and the client\'s other tokens are unaffected', async () => {
  const { authorizer, decisionLogs, firstSeen } = makeAuthorizer({ jwks: jwksOf(key) });
  const mismatched = tokenOf({ tenant_id: 'initech' });
  for (let i = 0; i < 3; i++) expect(await outcome(authorizer, tokenEvent(mismatched))).toBe('Unauthorized');
  const matching = tokenOf({ tenant_id: 'globex' });
  expect(allowsAnything(await outcome(authorizer, tokenEvent(matching)))).toBe(true);
  expect(decisionLogs().map((l) => l.reason)).toEqual(['tenant_mismatch', 'tenant_mismatch', 'tenant_mismatch']);
  // A denied token is never counted as seen: only the allowed one is.
  expect(firstSeen().map((l) => l.tokenId)).toEqual([JSON.parse(Buffer.from(matching.split('.')[1], 'base64url').toString()).jti]);
});

test('the check also applies when the tenant is resolved asynchronously (the SSM client directory)', async () => {
  // GIVEN a directory (loaded on the first request) mapping client1globex to globex
  const tenants = new DirectoryTenantResolver({
    load: async () => [{ name: '/cdk-cognito-m2m/clients/Api/Test-0', value: JSON.stringify({ client1globex: 'globex' }) }],
    trusted: new Set(['/cdk-cognito-m2m/clients/Api/Test-0']),
  });
  const { authorizer, decisionLogs } = makeAuthorizer({ jwks: jwksOf(key), config: { tenants } });
  // THEN a mismatch is denied on the first (asynchronous) resolution and a match is allowed
  expect(await outcome(authorizer, tokenEvent(tokenOf({ tenant_id: 'initech' })))).toBe('Unauthorized');
  expect(allowsAnything(await outcome(authorizer, tokenEvent(tokenOf({ tenant_id: 'globex' }))))).toBe(true);
  expect(decisionLogs()).toEqual([{ level: 'warn', msg: 'denied', reason: 'tenant_mismatch', clientId: 'client1globex' }]);
});

test('an untrusted client carrying a tenant claim is still untrusted: the claim never makes a client known', async () => {
  const { authorizer, logs } = makeAuthorizer({ jwks: jwksOf(key) });
  const r = await outcome(authorizer, tokenEvent(tokenOf({ client_id: 'nobody', sub: 'nobody', tenant_id: 'globex' })));
  expect(r).toBe('Unauthorized');
  expect(logs()).toEqual([{ level: 'warn', msg: 'denied', reason: 'untrusted_client', clientId: 'nobody' }]);
});
