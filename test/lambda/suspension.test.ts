/**
 * Suspension end to end, with real local servers: the developer portal
 * (through its handler, on dynalite + cognito-local, see portal/harness.ts)
 * registers a tenant and a client; the authorizer resolves that client through
 * the real `getClientStatus` against the same dynalite table, with an
 * injectable clock, and verifies locally signed RS256 tokens whose `client_id`
 * is the id cognito-local issued.
 *
 * The bound checked here is the authorizer's: a suspension (or a resume) takes
 * effect at most REGISTRY_CACHE_TTL_SECONDS (30 s) after the portal wrote it.
 * Until then the same token is still allowed: the registry answer (and the
 * verified-token cache entry tied to it by `recheckAt`) is reused for the TTL,
 * by design. In a deployment API Gateway caches the authorizer's result for its
 * own TTL (30 s by default) on top, hence the documented guarantee:
 * REGISTRY_CACHE_TTL_SECONDS + the result TTL, ≤ 60 s by default.
 */
import { CreateUserPoolClientCommand, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { allowsAnything, claims, closedPort, isFirstSeen, jwksOf, KeyPair, makeKey, outcome, sign, tokenEvent, USER_POOL_ID } from './authorizer/helpers';
import { CREDENTIALS, Env, READ, REGION, setup, WRITE } from './portal/harness';
import { Authorizer, AuthorizerResponse, createAuthorizer } from '../../lambda/authorizer/authorizer';
import { REGISTRY_CLIENT_OPTIONS, RegistryTenantResolver } from '../../lambda/authorizer/registry-resolver';
import { StaticTenantResolver } from '../../lambda/authorizer/tenant-resolver';
import { Logger } from '../../lambda/shared/log';
import { getClientStatus } from '../../lambda/shared/registry';
import { planRouteTable } from '../../lib/private/route-plan';

const REGISTRY_CACHE_TTL_SECONDS = 30;
const TTL_MS = REGISTRY_CACHE_TTL_SECONDS * 1000;
/** The clock advances in steps of this many ms while waiting for a change to take effect. */
const STEP_MS = 1000;

let env: Env;
let close: () => Promise<void>;
let key: KeyPair;
let clock: number;
let registryDdb: DynamoDBClient;
let lookups: number;
/** The authorizer's log lines (its decisions), and apart from them the tokens' first sightings. */
let lines: string[];
let sightings: Record<string, unknown>[];
let authorizer: Authorizer;
let clientId: string;
let declaredClientId: string;
const extraClients: DynamoDBClient[] = [];

const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const tokenFor = (id: string) => sign(key, claims({ client_id: id, sub: id, scope: `${READ} ${WRITE}` }));

/** A DynamoDB client as the Lambda builds it (bounded retries and timeouts), for this endpoint. */
function registryClient(endpoint: string): DynamoDBClient {
  const c = new DynamoDBClient({ ...REGISTRY_CLIENT_OPTIONS, endpoint, region: REGION, credentials: CREDENTIALS });
  extraClients.push(c);
  return c;
}

async function allowed(token: string): Promise<AuthorizerResponse> {
  const r = await outcome(authorizer, tokenEvent(token));
  if (typeof r === 'string' || !allowsAnything(r)) throw new Error(`expected an Allow at t+${clock}, got ${JSON.stringify(r)}`);
  return r;
}

/**
 * Advances the clock by STEP_MS until `token` gets the expected outcome;
 * returns the clock at that moment. Fails after 2 TTLs.
 */
async function stepUntil(token: string, want: 'allowed' | 'denied'): Promise<number> {
  const limit = clock + 2 * TTL_MS;
  for (; clock <= limit; clock += STEP_MS) {
    const r = await outcome(authorizer, tokenEvent(token));
    if ((want === 'denied') === (typeof r === 'string')) {
      if (want === 'denied') expect(r).toBe('Unauthorized');
      return clock;
    }
  }
  throw new Error(`still not ${want} after ${2 * TTL_MS} ms`);
}

beforeAll(async () => {
  ({ env, close } = await setup());
  key = makeKey();
  clock = Date.now();

  // The tenant and its client, through the portal handler.
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Globex Corp' } })).status).toBe(201);
  const c = await env.call('POST', '/tenants/globex/clients', { body: { name: 'billing', scopes: [READ, WRITE] } });
  expect(c.status).toBe(201);
  clientId = c.body.clientId;
  // A real cognito-local app client id.
  const described = await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }));
  expect(described.UserPoolClient?.ClientName).toBe('@portal.globex.billing');
  // A CDK-declared client (CLIENT_TENANTS): also a real app client, but not in the registry.
  const declared = await env.real.send(new CreateUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientName: 'declared' }));
  declaredClientId = declared.UserPoolClient!.ClientId!;

  // The authorizer's own DynamoDB client, on the same dynalite server as the portal's.
  const endpoint = await env.ddb.config.endpoint!();
  registryDdb = registryClient(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`);
  lookups = 0;
  lines = [];
  sightings = [];
  const tenants = new RegistryTenantResolver({
    declared: new StaticTenantResolver(new Map([[declaredClientId, 'platform']])),
    lookup: (id) => {
      lookups++;
      return getClientStatus(registryDdb, env.table, id);
    },
    ttlSeconds: REGISTRY_CACHE_TTL_SECONDS,
    now: () => clock,
  });
  authorizer = createAuthorizer({
    userPoolId: USER_POOL_ID,
    tenants,
    routes: planRouteTable({
      scopes: [READ, WRITE],
      routes: [
        { method: 'GET', path: '/orders', scopes: [0], match: 'ANY_OF' },
        { method: 'POST', path: '/orders', scopes: [1], match: 'ANY_OF' },
        { method: 'GET', path: '/orders/{orderId}', scopes: [0], match: 'ANY_OF' },
      ],
    }),
  }, { logger: new Logger('info', (l) => { if (isFirstSeen(l)) sightings.push(JSON.parse(l)); else lines.push(l); }), now: () => clock });
  authorizer.cacheJwks(jwksOf(key));
});

afterAll(async () => {
  for (const c of extraClients) c.destroy();
  await close();
});

test('suspend and resume a client, suspend its tenant, lose the registry: the authorizer follows within the TTL and fails closed', async () => {
  const token = tokenFor(clientId);

  // 1. Registered and active: allowed, with the registered tenant in the context.
  const first = await allowed(token);
  expect(first.principalId).toBe(clientId);
  expect(first.context).toEqual({ tenantId: 'globex', clientId, scopes: `${READ} ${WRITE}` });
  expect(first.policyDocument.Statement.some((s) => s.Effect === 'Allow')).toBe(true);
  expect(lookups).toBe(1);
  const firstLookupAt = clock;

  // 2. Suspend the client through the portal, a few seconds later.
  clock += 5_000;
  const suspended = await env.call('PATCH', `/tenants/globex/clients/${clientId}`, { body: { status: 'suspended' } });
  expect(suspended.status).toBe(200);
  expect(suspended.body.status).toBe('suspended');
  const suspendedAt = clock;
  // The same token is still allowed right after, from the caches (no registry read): by design, for up to the TTL.
  await allowed(token);
  expect(lookups).toBe(1);
  expect(lines).toEqual([]);

  // ... and denied once the registry answer is older than the TTL: one log line, reason `suspended`.
  const deniedAt = await stepUntil(token, 'denied');
  expect(deniedAt).toBe(firstLookupAt + TTL_MS);
  // The authorizer's bound: at most REGISTRY_CACHE_TTL_SECONDS after the suspension. With API Gateway's
  // result cache (30 s by default) on top, this is the documented ≤ 60 s.
  expect(deniedAt - suspendedAt).toBeLessThanOrEqual(TTL_MS);
  expect(logs()).toEqual([{ level: 'warn', msg: 'denied', reason: 'suspended', clientId }]);
  expect(lines.join('')).not.toContain(token.slice(-32));
  expect(lookups).toBe(2);
  // A fresh token of the suspended client is denied too (the answer is cached, no new read).
  expect(await outcome(authorizer, tokenEvent(tokenFor(clientId)))).toBe('Unauthorized');
  expect(lookups).toBe(2);

  // 3. Resume through the portal: allowed again within the TTL.
  clock += 3_000;
  expect((await env.call('PATCH', `/tenants/globex/clients/${clientId}`, { body: { status: 'active' } })).body.status).toBe('active');
  const resumedAt = clock;
  const allowedAt = await stepUntil(token, 'allowed');
  expect(allowedAt - resumedAt).toBeLessThanOrEqual(TTL_MS);
  expect(allowedAt).toBe(deniedAt + TTL_MS);
  expect((await allowed(token)).context.tenantId).toBe('globex');
  expect(logs().every((l) => l.reason === 'suspended' && l.clientId === clientId)).toBe(true);

  // 4. Suspend the whole tenant: denied within the TTL, reason `suspended`.
  clock += 7_000;
  const tenantSuspended = await env.call('PATCH', '/tenants/globex', { body: { status: 'suspended' } });
  expect(tenantSuspended.status).toBe(200);
  expect(tenantSuspended.body.status).toBe('suspended');
  const tenantSuspendedAt = clock;
  const before = lines.length;
  await allowed(token); // still within the TTL of the last answer
  const tenantDeniedAt = await stepUntil(token, 'denied');
  expect(tenantDeniedAt - tenantSuspendedAt).toBeLessThanOrEqual(TTL_MS);
  expect(logs().slice(before)).toEqual([{ level: 'warn', msg: 'denied', reason: 'suspended', clientId }]);

  // Resume the tenant, wait for the client to be allowed again.
  expect((await env.call('PATCH', '/tenants/globex', { body: { status: 'active' } })).body.status).toBe('active');
  await stepUntil(token, 'allowed');

  // 5. Registry outage: the authorizer's DynamoDB client now reaches a closed loopback port.
  const healthy = registryDdb;
  registryDdb = registryClient(`http://127.0.0.1:${await closedPort()}`);
  const outageStart = lines.length;
  const lookupsBefore = lookups;
  // Within the TTL the last answer still holds (no read) ...
  await allowed(token);
  expect(lookups).toBe(lookupsBefore);
  // ... past it, the registry client is denied: fail closed, never the expired answer.
  clock += TTL_MS;
  expect(await outcome(authorizer, tokenEvent(token))).toBe('Unauthorized');
  expect(lookups).toBe(lookupsBefore + 1);
  const outageLogs = logs().slice(outageStart);
  expect(outageLogs).toHaveLength(1);
  expect(outageLogs[0]).toMatchObject({ level: 'error', msg: 'denied', reason: 'registry_unavailable', clientId });
  expect(typeof outageLogs[0].errorName).toBe('string');
  // Failures are not cached: every request tries again, and is denied again.
  expect(await outcome(authorizer, tokenEvent(tokenFor(clientId)))).toBe('Unauthorized');
  expect(lookups).toBe(lookupsBefore + 2);
  // The CDK-declared client does not depend on the registry: still allowed, no lookup.
  const declared = await allowed(tokenFor(declaredClientId));
  expect(declared.context).toMatchObject({ tenantId: 'platform', clientId: declaredClientId });
  expect(lookups).toBe(lookupsBefore + 2);
  expect(logs().slice(outageStart).map((l) => l.reason)).toEqual(['registry_unavailable', 'registry_unavailable']);

  // 6. The registry is back: the next request reads it and is allowed.
  registryDdb = healthy;
  expect((await allowed(token)).context.tenantId).toBe('globex');

  // Token traffic: the client's token was seen once through every suspension, resumption and outage (each re-check
  // stored it again), its denied fresh tokens never; the declared client's token once.
  expect(sightings.map((l) => [l.clientId, l.tenantId])).toEqual([[clientId, 'globex'], [declaredClientId, 'platform']]);
});
