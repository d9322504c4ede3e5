/**
 * The portal's real answers have exactly the shape of the contract the web
 * UI reads (lib/private/contracts/portal-api.ts): every required field, no
 * field the contract does not name. The handler's functions return the
 * contract's types (checked by the compiler); this checks the JSON that
 * leaves it, through the real handler, DynamoDB (dynalite) and Cognito
 * (cognito-local).
 */
import { ADMIN, ADMIN_SCOPE, Env, READ, setup, TENANT_ADMIN_SCOPE } from './harness';
import type {
  AuditEntry, Client, ClientWithoutSecret, ClientWithSecrets, InvitedAdmin, Me, PortalErrorBody, RemovedAdmin, RotatedClient, Tenant, TenantAdmin,
  TenantWithClients,
} from '../../../lib/private/contracts/portal-api';

/** The fields of a contract type, each marked required or optional; the compiler keeps it exactly the type's. */
type Shape<T> = { readonly [K in keyof T]-?: undefined extends T[K] ? 'optional' : 'required' };

const TENANT: Shape<Tenant> = {
  tenantId: 'required',
  displayName: 'optional',
  status: 'required',
  createdAt: 'required',
  createdBy: 'required',
  updatedAt: 'required',
  updatedBy: 'required',
  usageTiers: 'optional',
  version: 'required',
};
const TENANT_WITH_CLIENTS: Shape<TenantWithClients> = { ...TENANT, clients: 'required', clientsNextToken: 'optional' };
const CLIENT: Shape<Client> = {
  tenantId: 'required',
  clientId: 'required',
  name: 'required',
  scopes: 'required',
  accessTokenValidityMinutes: 'required',
  status: 'required',
  tokenEndpoint: 'required',
  createdAt: 'required',
  createdBy: 'required',
  updatedAt: 'required',
  updatedBy: 'required',
  lastRotatedAt: 'optional',
  deletedAt: 'optional',
  rotation: 'optional',
  suspendedBy: 'optional',
  version: 'required',
};
const CLIENT_WITH_SECRETS: Shape<ClientWithSecrets> = { ...CLIENT, secrets: 'optional' };
const REGISTERED: Shape<Client & { clientSecret: string }> = { ...CLIENT, clientSecret: 'required' };
const REGISTERED_AGAIN: Shape<Client & { secretAlreadyIssued: true }> = { ...CLIENT, secretAlreadyIssued: 'required' };
const ROTATED: Shape<RotatedClient> = { ...CLIENT, clientSecretId: 'required', clientSecret: 'required', oldSecretId: 'required', graceUntil: 'required' };
const WITHOUT_SECRET: Shape<ClientWithoutSecret> = { ...CLIENT, deletedSecretId: 'required', secrets: 'required' };
const ME: Shape<Me> = { principal: 'required', kind: 'required', role: 'required', tenantId: 'optional' };
const ADMIN_VIEW: Shape<TenantAdmin> = { username: 'required', email: 'optional', status: 'required', enabled: 'required' };
const INVITED: Shape<InvitedAdmin> = { ...ADMIN_VIEW, tenantId: 'required' };
const REMOVED: Shape<RemovedAdmin> = { username: 'required', tenantId: 'required', removed: 'required' };
const AUDIT: Shape<AuditEntry> = { tenantId: 'required', at: 'required', actor: 'required', action: 'required', requestId: 'required', detail: 'optional' };
const ERROR: Shape<PortalErrorBody> = { error: 'required', message: 'required', requestId: 'optional' };
const PAGE = { items: 'required', nextToken: 'optional' } as const;

/** The fields of `body` the shape lacks, and the required ones `body` lacks (both empty when it fits). */
function misfit(body: Record<string, unknown>, shape: Record<string, 'required' | 'optional'>): { unknown: string[]; missing: string[] } {
  return {
    unknown: Object.keys(body).filter((k) => !(k in shape)),
    missing: Object.entries(shape).filter(([k, need]) => need === 'required' && !(k in body)).map(([k]) => k),
  };
}

function expectShape(body: Record<string, unknown>, shape: Record<string, 'required' | 'optional'>): void {
  expect(misfit(body, shape)).toEqual({ unknown: [], missing: [] });
}

function expectPage(body: Record<string, unknown>, item: Record<string, 'required' | 'optional'>): void {
  expectShape(body, PAGE);
  expect((body.items as Array<Record<string, unknown>>).length).toBeGreaterThan(0);
  for (const i of body.items as Array<Record<string, unknown>>) expectShape(i, item);
}

const WEB_CLIENT = 'webclient0000000000000001';
const ROOT = { clientId: WEB_CLIENT, tenantId: '', scopes: [ADMIN_SCOPE], username: 'root' };
const ALICE = { clientId: WEB_CLIENT, tenantId: 'globex', scopes: [TENANT_ADMIN_SCOPE], username: 'alice' };

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => ({ env, close } = await setup({ people: true })));
afterAll(async () => close());

test('tenants: created, listed, read with its clients, suspended, deleted', async () => {
  const created = await env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Globex' } });
  expect(created.status).toBe(201);
  expectShape(created.body, TENANT);
  expectPage((await env.call('GET', '/tenants')).body, TENANT);
  expectShape((await env.call('GET', '/tenants/globex')).body, TENANT_WITH_CLIENTS);
  expectShape((await env.call('PATCH', '/tenants/globex', { body: { status: 'suspended' } })).body, TENANT);
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'doomed' } })).status).toBe(201);
  const deleted = await env.call('DELETE', '/tenants/doomed');
  expect(deleted.body.status).toBe('deleted');
  expectShape(deleted.body, TENANT);
});

test('clients: registered (and again), listed, read, changed, rotated, a secret deleted, deleted', async () => {
  await env.call('POST', '/tenants', { body: { tenantId: 'initech' } });
  const request = { name: 'billing', scopes: [READ], accessTokenValidityMinutes: 15 };
  const registered = await env.call('POST', '/tenants/initech/clients', { body: request });
  expect(registered.status).toBe(201);
  expectShape(registered.body, REGISTERED);
  const again = await env.call('POST', '/tenants/initech/clients', { body: request });
  expect(again.status).toBe(200);
  expectShape(again.body, REGISTERED_AGAIN);
  const clientId: string = registered.body.clientId;
  const path = `/tenants/initech/clients/${clientId}`;

  expectPage((await env.call('GET', '/tenants/initech/clients')).body, CLIENT);
  const read = await env.call('GET', path);
  expectShape(read.body, CLIENT_WITH_SECRETS);
  expect(read.body.secrets).toHaveLength(1);
  const suspended = await env.call('PATCH', path, { body: { status: 'suspended' } });
  expect(suspended.body.suspendedBy).toBe('platform-admin');
  expectShape(suspended.body, CLIENT);
  expectShape((await env.call('PATCH', path, { body: { status: 'active' } })).body, CLIENT);

  const rotated = await env.call('POST', `${path}/secrets`);
  expect(rotated.status).toBe(201);
  expectShape(rotated.body, ROTATED);
  expect(Object.keys(rotated.body.rotation).sort()).toEqual(['graceUntil', 'newSecretId', 'oldSecretId', 'state']);
  const confirmed = await env.call('DELETE', `${path}/secrets/${rotated.body.oldSecretId}`);
  expectShape(confirmed.body, WITHOUT_SECRET);
  for (const s of confirmed.body.secrets) expect(Object.keys(s)).toEqual(['clientSecretId']);

  const deleted = await env.call('DELETE', path);
  expect(deleted.body.status).toBe('deleted');
  expectShape(deleted.body, CLIENT);
  expectPage((await env.call('GET', '/tenants/initech/audit')).body, AUDIT);
});

test('people: who calls, and a tenant\'s admins invited, listed and removed', async () => {
  await env.call('POST', '/tenants', { body: { tenantId: 'globex-people' }, caller: ROOT });
  expectShape((await env.call('GET', '/me', { caller: ALICE })).body, ME);
  expectShape((await env.call('GET', '/me', { caller: ADMIN })).body, ME);
  const invited = await env.call('POST', '/tenants/globex-people/admins', { caller: ROOT, body: { username: 'bob', email: 'bob@acme.example' } });
  expect(invited.status).toBe(201);
  expectShape(invited.body, INVITED);
  expectPage((await env.call('GET', '/tenants/globex-people/admins', { caller: ROOT })).body, ADMIN_VIEW);
  expectShape((await env.call('DELETE', '/tenants/globex-people/admins/bob', { caller: ROOT })).body, REMOVED);
});

test('errors: the error code and message (and a request id for an internal error)', async () => {
  const refused = await env.call('GET', '/tenants/nobody');
  expect(refused.status).toBe(404);
  expectShape(refused.body, ERROR);
  expect(refused.body.error).toBe('not_found');
  const bad = await env.call('POST', '/tenants', { body: { tenantId: 'a b' } });
  expect(bad.body.error).toBe('bad_request');
  expectShape(bad.body, ERROR);
  env.injector.reset();
  env.injector.failAt = 1;
  const internal = await env.call('GET', '/tenants/globex');
  env.injector.reset();
  expect(internal.status).toBe(500);
  expect(misfit(internal.body, { ...ERROR, requestId: 'required' })).toEqual({ unknown: [], missing: [] });
});
