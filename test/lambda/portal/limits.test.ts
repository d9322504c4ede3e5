/**
 * Limits per tenant and per caller, and the pool's headroom:
 * - a tenant holds at most `maxClientsPerTenant` clients (active, suspended,
 *   pending): 101 registrations by one tenant admin, at once and one after
 *   the other, create exactly that many app clients;
 * - one caller makes at most `callerRequestsPerMinute` changes a minute
 *   (429 with Retry-After), and another caller is not affected;
 * - the sweep (and a registration refused at the quota) publishes the pool's
 *   app client count and headroom as EMF metrics.
 */
import { CreateUserPoolClientCommand, LimitExceededException } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkConsistency, Env, READ, setup, tenantAdmin, TENANT_ADMIN_SCOPE } from './harness';
import { loadConfig } from '../../../lambda/portal/config';
import { Store } from '../../../lambda/portal/store';

const LIMIT = 25;
const creates = (env: Env) => env.cognitoMock.commandCalls(CreateUserPoolClientCommand).length;
const portalClients = async (env: Env, tenantId: string) =>
  (await env.cognitoClients()).filter((c) => c.ClientName!.startsWith(`@portal.${tenantId}.`)).length;
const slotsOf = async (env: Env, tenantId: string) =>
  Object.keys((await env.scanTable()).find((i) => i.pk === `TENANT#${tenantId}` && i.sk === 'CLIENT_SLOTS')?.slots ?? {}).length;

describe('clients per tenant (default limit, 25)', () => {
  let env: Env;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ env, close } = await setup());
    for (const tenantId of ['burst', 'serial', 'other']) expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
  });
  afterAll(async () => close());

  test('101 concurrent registrations by one tenant admin create exactly 25 app clients; the rest get 409 naming limit and count', async () => {
    const before = creates(env);
    const results = await Promise.all(Array.from({ length: 101 }, (_, i) =>
      env.call('POST', '/tenants/burst/clients', { caller: tenantAdmin('burst'), body: { name: `svc-${i}`, scopes: [READ] } })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 409)).toHaveLength(101 - LIMIT);
    expect(creates(env) - before).toBe(LIMIT);
    expect(await portalClients(env, 'burst')).toBe(LIMIT);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body).toEqual({
      error: 'client_limit_reached',
      message: 'tenant burst holds 25 clients (active, suspended and pending registrations) and the limit is 25 per tenant: ' +
        'delete a client before registering another, or ask a platform admin to raise the limit (DeveloperPortal maxClientsPerTenant)',
    });
    await checkConsistency(env);
  });

  test('101 registrations one after the other: 25 created, and suspended clients count too', async () => {
    const before = creates(env);
    const statuses: number[] = [];
    let first: string | undefined;
    for (let i = 0; i < 101; i++) {
      const r = await env.call('POST', '/tenants/serial/clients', { caller: tenantAdmin('serial'), body: { name: `svc-${i}`, scopes: [READ] } });
      statuses.push(r.status);
      if (i === 0) {
        first = r.body.clientId;
        expect((await env.call('PATCH', `/tenants/serial/clients/${first}`, { caller: tenantAdmin('serial'), body: { status: 'suspended' } })).status).toBe(200);
      }
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(LIMIT).every((s) => s === 409)).toBe(true);
    expect(creates(env) - before).toBe(LIMIT);
    // Another tenant is not affected by serial's limit.
    expect((await env.call('POST', '/tenants/other/clients', { caller: tenantAdmin('other'), body: { name: 'svc', scopes: [READ] } })).status).toBe(201);

    // Deleting a client frees its place (the suspended one here); a retried name that is registered is not a new client.
    expect((await env.call('DELETE', `/tenants/serial/clients/${first}`, { caller: tenantAdmin('serial') })).status).toBe(200);
    expect((await env.call('POST', '/tenants/serial/clients', { caller: tenantAdmin('serial'), body: { name: 'svc-1', scopes: [READ] } })).status).toBe(200);
    expect((await env.call('POST', '/tenants/serial/clients', { caller: tenantAdmin('serial'), body: { name: 'late', scopes: [READ] } })).status).toBe(201);
    expect((await env.call('POST', '/tenants/serial/clients', { caller: tenantAdmin('serial'), body: { name: 'later', scopes: [READ] } })).status).toBe(409);
    expect(await portalClients(env, 'serial')).toBe(LIMIT);
    await checkConsistency(env);
  });

  test('a failed registration frees its place; a slot a failed compensation left behind is reclaimed', async () => {
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'failing' } })).status).toBe(201);
    for (let i = 0; i < LIMIT - 1; i++) {
      expect((await env.call('POST', '/tenants/failing/clients', { caller: tenantAdmin('failing'), body: { name: `svc-${i}`, scopes: [READ] } })).status).toBe(201);
    }
    env.injector.override.set('cognito:CreateUserPoolClient', () => new LimitExceededException({ message: 'quota', $metadata: { httpStatusCode: 400 } }));
    expect((await env.call('POST', '/tenants/failing/clients', { caller: tenantAdmin('failing'), body: { name: 'refused', scopes: [READ] } })).status).toBe(409);
    env.injector.reset();
    expect(await slotsOf(env, 'failing')).toBe(LIMIT - 1);

    // A registration whose slot release and name release both failed (its Lambda died in compensation): the slot
    // outlives the reservation. Simulated by deleting the reservation of a registered name behind the portal's back.
    const items = await env.scanTable();
    const victim = items.find((i) => i.pk === 'TENANT#failing' && i.sk === 'NAME#svc-0')!;
    expect((await env.call('POST', '/tenants/failing/clients', { caller: tenantAdmin('failing'), body: { name: 'fills', scopes: [READ] } })).status).toBe(201);
    await DynamoDBDocumentClient.from(env.ddb).send(new DeleteCommand({ TableName: env.table, Key: { pk: victim.pk, sk: victim.sk } }));
    expect(await slotsOf(env, 'failing')).toBe(LIMIT);
    const res = await env.call('POST', '/tenants/failing/clients', { caller: tenantAdmin('failing'), body: { name: 'reclaimed', scopes: [READ] } });
    expect(res.status).toBe(201);
    expect(await slotsOf(env, 'failing')).toBe(LIMIT);
  });
});

describe('configured limit', () => {
  test('maxClientsPerTenant: 2 is honoured, and a tenant already over it (from before the limit) registers nothing more', async () => {
    const { env, close } = await setup({ config: { maxClientsPerTenant: 2 } });
    try {
      expect((await env.call('POST', '/tenants', { body: { tenantId: 'small' } })).status).toBe(201);
      const statuses = [];
      for (const name of ['a', 'b', 'c']) statuses.push((await env.call('POST', '/tenants/small/clients', { body: { name, scopes: [READ] } })).status);
      expect(statuses).toEqual([201, 201, 409]);
      expect((await env.call('POST', '/tenants/small/clients', { body: { name: 'c', scopes: [READ] } })).body.message)
        .toContain('tenant small holds 2 clients (active, suspended and pending registrations) and the limit is 2 per tenant');

      // A tenant whose three clients an earlier portal version registered (reservations, no slots item yet).
      expect((await env.call('POST', '/tenants', { body: { tenantId: 'before' } })).status).toBe(201);
      const store = new Store(DynamoDBDocumentClient.from(env.ddb), env.table);
      for (const name of ['x', 'y', 'z']) {
        expect(await store.reserveName('before', name, { state: 'pending', requestId: `r-${name}`, fingerprint: '{}', reservedAt: env.now.toISOString() })).toBe(true);
        await store.completeReservation('before', name, `r-${name}`, `client${name}`);
      }
      const over = await env.call('POST', '/tenants/before/clients', { body: { name: 'w', scopes: [READ] } });
      expect(over).toMatchObject({ status: 409, body: { error: 'client_limit_reached' } });
      expect(over.body.message).toContain('tenant before holds 3 clients (active, suspended and pending registrations) and the limit is 2 per tenant');
    } finally {
      await close();
    }
  });
});

describe('changes per caller and minute', () => {
  let env: Env;
  let close: () => Promise<void>;
  const PER_MINUTE = 5;
  beforeAll(async () => {
    ({ env, close } = await setup({ config: { callerRequestsPerMinute: PER_MINUTE } }));
    env.now = new Date('2026-03-01T10:00:00.000Z');
    for (const tenantId of ['noisy', 'quiet']) expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
    env.now = new Date('2026-03-01T10:01:00.000Z');
  });
  afterAll(async () => close());

  test('a tenant admin over its budget gets 429 with Retry-After and a clear message; another tenant admin is not affected; reads go on', async () => {
    env.now = new Date('2026-03-01T10:01:17.000Z');
    const noisy = tenantAdmin('noisy');
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 3; i++) {
      statuses.push((await env.call('POST', '/tenants/noisy/clients', { caller: noisy, body: { name: `n-${i}`, scopes: [READ] } })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    const refused = await env.call('PATCH', '/tenants/noisy/clients/whatever', { caller: noisy, body: { status: 'suspended' } });
    expect(refused.status).toBe(429);
    expect(refused.headers['Retry-After']).toBe('43');
    expect(refused.body).toEqual({
      error: 'rate_limited',
      message: `caller ${noisy.clientId} made 5 changes this minute and the portal allows 5 per caller per minute ` +
        '(DeveloperPortal callerRequestsPerMinute); retry after 43 seconds',
    });
    // The other tenant's admin, in the same minute, is served in full.
    const quiet = tenantAdmin('quiet');
    for (let i = 0; i < PER_MINUTE; i++) {
      expect((await env.call('POST', '/tenants/quiet/clients', { caller: quiet, body: { name: `q-${i}`, scopes: [READ] } })).status).toBe(201);
    }
    // Reads are not counted.
    expect((await env.call('GET', '/tenants/noisy/clients', { caller: noisy })).status).toBe(200);
    // The next minute, the noisy admin may change again.
    env.now = new Date('2026-03-01T10:02:00.000Z');
    expect((await env.call('POST', '/tenants/noisy/clients', { caller: noisy, body: { name: 'next-minute', scopes: [READ] } })).status).toBe(201);
    await checkConsistency(env);
  });

  test('concurrent changes of one caller never exceed the budget', async () => {
    env.now = new Date('2026-03-01T10:05:00.000Z');
    const noisy = tenantAdmin('noisy');
    const before = creates(env);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      env.call('POST', '/tenants/noisy/clients', { caller: noisy, body: { name: `c-${i}`, scopes: [READ] } })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(PER_MINUTE);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20 - PER_MINUTE);
    expect(creates(env) - before).toBe(PER_MINUTE);
  });

  test('people share the web UI\'s client id but each has a budget of their own', async () => {
    env.now = new Date('2026-03-01T10:07:00.000Z');
    const person = (username: string) => ({ clientId: 'webclient', username, tenantId: 'quiet', scopes: [TENANT_ADMIN_SCOPE] });
    for (let i = 0; i < PER_MINUTE; i++) {
      expect((await env.call('POST', '/tenants/quiet/clients', { caller: person('alice'), body: { name: `a-${i}`, scopes: [READ] } })).status).toBe(201);
    }
    const alice = await env.call('POST', '/tenants/quiet/clients', { caller: person('alice'), body: { name: 'a-x', scopes: [READ] } });
    expect(alice.status).toBe(429);
    expect(alice.body.message).toContain('caller user:alice made 5 changes this minute');
    expect((await env.call('POST', '/tenants/quiet/clients', { caller: person('bob'), body: { name: 'b-0', scopes: [READ] } })).status).toBe(201);
  });

  test('a clock behind another container\'s counts in the later minute instead of starting over', async () => {
    env.now = new Date('2026-03-01T10:09:00.000Z');
    const caller = tenantAdmin('quiet');
    for (let i = 0; i < PER_MINUTE; i++) {
      expect((await env.call('PATCH', '/tenants/quiet', { caller: { ...caller, scopes: ['x'] }, body: { status: 'active' } })).status).toBe(403);
    }
    env.now = new Date('2026-03-01T10:08:59.000Z');
    expect((await env.call('PATCH', '/tenants/quiet', { caller: { ...caller, scopes: ['x'] }, body: { status: 'active' } })).status).toBe(429);
  });
});

describe('pool headroom metric', () => {
  let env: Env;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ env, close } = await setup({ config: { appClientQuota: 100 } }));
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'm' } })).status).toBe(201);
  });
  afterAll(async () => close());

  const metricLines = () => env.logs.map((l) => JSON.parse(l)).filter((l) => l._aws && l.PoolAppClientHeadroom !== undefined);

  test('the sweep counts every app client of the pool (the CDK\'s too) and writes count and headroom in EMF', async () => {
    for (const name of ['a', 'b', 'c']) expect((await env.call('POST', '/tenants/m/clients', { body: { name, scopes: [READ] } })).status).toBe(201);
    await env.real.send(new CreateUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientName: 'cdk-tenant' }));
    const total = (await env.cognitoClients()).length;
    expect(total).toBe(4);
    env.logs.length = 0;
    const result = await env.portal.handler({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' });
    expect(result).toMatchObject({ poolClients: 4, failed: 0 });
    const lines = metricLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: 'info',
      msg: 'pool app clients counted',
      count: 4,
      userPoolId: env.userPoolId,
      PoolAppClients: 4,
      PoolAppClientHeadroom: 96,
      _aws: {
        Timestamp: env.now.getTime(),
        CloudWatchMetrics: [{
          Namespace: 'CdkCognitoM2m',
          Dimensions: [['userPoolId']],
          Metrics: [{ Name: 'PoolAppClients', Unit: 'Count' }, { Name: 'PoolAppClientHeadroom', Unit: 'Count' }],
        }],
      },
    });
  });

  test('counts past one page of ListUserPoolClients', async () => {
    for (let i = 0; i < 62; i++) await env.real.send(new CreateUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientName: `bulk-${i}` }));
    env.logs.length = 0;
    const result = await env.portal.handler({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' });
    expect(result).toMatchObject({ poolClients: 66 });
    expect(metricLines()[0]).toMatchObject({ PoolAppClients: 66, PoolAppClientHeadroom: 34 });
  });

  test('a registration Cognito refuses at the quota writes the metrics at once', async () => {
    env.logs.length = 0;
    env.injector.override.set('cognito:CreateUserPoolClient', () => new LimitExceededException({ message: 'quota', $metadata: { httpStatusCode: 400 } }));
    const res = await env.call('POST', '/tenants/m/clients', { body: { name: 'refused', scopes: [READ] } });
    env.injector.reset();
    expect(res.status).toBe(409);
    expect(metricLines()).toEqual([expect.objectContaining({ PoolAppClients: 66, PoolAppClientHeadroom: 34 })]);
  });

  test('a count that fails leaves the sweep\'s own work done and is logged, not thrown', async () => {
    env.logs.length = 0;
    env.injector.override.set('cognito:ListUserPoolClients', () => Object.assign(new Error('down'), { name: 'InternalErrorException' }));
    const result = await env.portal.handler({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' });
    env.injector.reset();
    expect(result).toMatchObject({ failed: 0, poolClients: undefined });
    expect(metricLines()).toEqual([]);
    expect(env.logs.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ reason: 'pool_count_failed', errorName: 'InternalErrorException' }));
  });
});

describe('configuration', () => {
  const base = {
    USER_POOL_ID: 'us-east-1_x',
    TABLE_NAME: 'registry',
    TOKEN_ENDPOINT: 'https://x/oauth2/token',
    ADMIN_SCOPE: 'p/admin',
    TENANT_ADMIN_SCOPE: 'p/tenant-admin',
    GRANTABLE_SCOPES: '["a/read"]',
  };

  test('the limits default to 25 clients per tenant, 60 changes per caller and minute, a quota of 1,000; set values are read', () => {
    expect(loadConfig(base)).toMatchObject({ maxClientsPerTenant: 25, callerRequestsPerMinute: 60, appClientQuota: 1000 });
    expect(loadConfig({ ...base, MAX_CLIENTS_PER_TENANT: '3', CALLER_REQUESTS_PER_MINUTE: '7', APP_CLIENT_QUOTA: '10000' }))
      .toMatchObject({ maxClientsPerTenant: 3, callerRequestsPerMinute: 7, appClientQuota: 10000 });
  });

  test.each([
    ['MAX_CLIENTS_PER_TENANT', '0', 'an integer from 1 to 1000'],
    ['MAX_CLIENTS_PER_TENANT', 'lots', 'an integer from 1 to 1000'],
    ['CALLER_REQUESTS_PER_MINUTE', '10001', 'an integer from 1 to 10000'],
    ['APP_CLIENT_QUOTA', '1.5', 'an integer from 1 to 100000'],
  ])('%s=%s is a configuration error naming the variable, the value and the rule', (name, value, rule) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(`${name}: ${JSON.stringify(value)} is invalid: ${rule}`);
  });
});
