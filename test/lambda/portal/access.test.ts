import { ADMIN, ADMIN_SCOPE, Env, READ, setup, tenantAdmin, TENANT_ADMIN_SCOPE } from './harness';

let env: Env;
let close: () => Promise<void>;
let globexClient: string;
beforeAll(async () => {
  ({ env, close } = await setup());
  for (const tenantId of ['globex', 'initech']) expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
  globexClient = (await env.call('POST', '/tenants/globex/clients', { body: { name: 'svc', scopes: [READ] } })).body.clientId;
});
afterAll(async () => close());

const GLOBEX_ADMIN = tenantAdmin('globex');
const NOBODY = { clientId: 'someclient', tenantId: 'globex', scopes: [READ] };

test('a tenant admin manages its own tenant', async () => {
  expect((await env.call('GET', '/tenants/globex', { caller: GLOBEX_ADMIN })).status).toBe(200);
  const created = await env.call('POST', '/tenants/globex/clients', { caller: GLOBEX_ADMIN, body: { name: 'reports', scopes: [READ] } });
  expect(created.status).toBe(201);
  expect(created.body.createdBy).toBe(GLOBEX_ADMIN.clientId);
  expect((await env.call('PATCH', `/tenants/globex/clients/${created.body.clientId}`, { caller: GLOBEX_ADMIN, body: { status: 'suspended' } })).status).toBe(200);
  expect((await env.call('POST', `/tenants/globex/clients/${created.body.clientId}/secrets`, { caller: GLOBEX_ADMIN })).status).toBe(201);
  expect((await env.call('DELETE', `/tenants/globex/clients/${created.body.clientId}`, { caller: GLOBEX_ADMIN })).status).toBe(200);
  const list = await env.call('GET', '/tenants', { caller: GLOBEX_ADMIN });
  expect(list.body.items.map((t: any) => t.tenantId)).toEqual(['globex']);
  expect((await env.call('GET', '/tenants/globex/audit', { caller: GLOBEX_ADMIN })).status).toBe(200);
});

test.each([
  ['GET', '/tenants/initech'],
  ['GET', '/tenants/initech/clients'],
  ['POST', '/tenants/initech/clients'],
  ['GET', '/tenants/initech/audit'],
  ['GET', '/tenants/initech/clients/abc'],
  ['PATCH', '/tenants/initech/clients/abc'],
  ['DELETE', '/tenants/initech/clients/abc'],
  ['POST', '/tenants/initech/clients/abc/secrets'],
  ['DELETE', '/tenants/initech/clients/abc/secrets/abc--1'],
  ['GET', '/tenants/nosuchtenant'],
])('a tenant admin on another tenant: %s %s → 403', async (method, p) => {
  const res = await env.call(method, p, { caller: GLOBEX_ADMIN, body: { name: 'x', scopes: [READ] } });
  expect(res).toMatchObject({ status: 403, body: { error: 'forbidden' } });
});

test.each([
  ['POST', '/tenants', { tenantId: 'newco' }],
  ['PATCH', '/tenants/globex', { status: 'suspended' }],
  ['DELETE', '/tenants/globex', undefined],
])('tenant-level operations are for platform admins only: %s %s → 403 for a tenant admin', async (method, p, body) => {
  expect((await env.call(method, p, { caller: GLOBEX_ADMIN, body })).status).toBe(403);
});

test('a client of the tenant without an admin scope → 403 everywhere', async () => {
  expect((await env.call('GET', '/tenants', { caller: NOBODY })).status).toBe(403);
  expect((await env.call('GET', '/tenants/globex', { caller: NOBODY })).status).toBe(403);
  expect((await env.call('POST', '/tenants/globex/clients', { caller: NOBODY, body: { name: 'x', scopes: [READ] } })).status).toBe(403);
  expect((await env.call('GET', `/tenants/globex/clients/${globexClient}`, { caller: NOBODY })).status).toBe(403);
});

test('tenant-admin scope without a tenant in the context → 403', async () => {
  expect((await env.call('GET', '/tenants/globex', { caller: { clientId: 'x1', scopes: [TENANT_ADMIN_SCOPE] } })).status).toBe(403);
});

test('no authorizer context → 403', async () => {
  expect((await env.call('GET', '/tenants', { caller: null })).status).toBe(403);
});

test('the platform admin may do everything', async () => {
  const list = await env.call('GET', '/tenants', { caller: ADMIN });
  expect(list.body.items.map((t: any) => t.tenantId).sort()).toEqual(['globex', 'initech']);
  expect((await env.call('GET', '/tenants/initech', { caller: ADMIN })).status).toBe(200);
  expect((await env.call('PATCH', '/tenants/initech', { caller: { clientId: 'ops1', scopes: [READ, ADMIN_SCOPE] }, body: { status: 'suspended' } })).status).toBe(200);
});

test('admin listing paginates', async () => {
  for (const id of ['t1', 't2', 't3']) await env.call('POST', '/tenants', { body: { tenantId: id } });
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await env.call('GET', '/tenants', { query: nextToken ? { limit: '2', nextToken } : { limit: '2' } });
    expect(page.body.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.body.items.map((t: any) => t.tenantId));
    nextToken = page.body.nextToken;
  } while (nextToken);
  expect(seen.sort()).toEqual(['globex', 'initech', 't1', 't2', 't3']);
});
