/**
 * The portal deletes only what it owns: its clients are named
 * `@portal.<tenantId>.<name>`, a name space no TenantAppClient can produce,
 * and its clean-up of orphans (after an ambiguous CreateUserPoolClient, or
 * when it takes over a stale reservation) never touches another name, and
 * never runs after a definite refusal such as LimitExceededException.
 *
 * The attack: a CDK tenant `acme.legacy` (created directly in Cognito, no
 * registry record) must survive the admin of portal tenant `acme`
 * registering a client named `legacy`, whatever Cognito answers.
 */
import {
  CreateUserPoolClientCommand, DeleteUserPoolClientCommand, DescribeUserPoolClientCommand, InternalErrorException, LimitExceededException,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkConsistency, Env, READ, setup, tenantAdmin, WRITE } from './harness';
import { Store } from '../../../lambda/portal/store';

let env: Env;
let close: () => Promise<void>;
let store: Store;
beforeAll(async () => {
  ({ env, close } = await setup());
  store = new Store(DynamoDBDocumentClient.from(env.ddb, { marshallOptions: { removeUndefinedValues: true } }), env.table);
});
afterAll(async () => close());
afterEach(() => env.injector.reset());

const ACME = tenantAdmin('acme');
const limitExceeded = () => new LimitExceededException({ message: 'Exceeded the limit of app clients', $metadata: { httpStatusCode: 400 } });
const internalError = () => new InternalErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } });
const deletes = () => env.cognitoMock.commandCalls(DeleteUserPoolClientCommand).map((c) => c.args[0].input.ClientId);

/** A client made outside the portal (a TenantAppClient), with no registry record. */
async function cdkClient(name: string): Promise<string> {
  const out = await env.real.send(new CreateUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientName: name, GenerateSecret: true }));
  return out.UserPoolClient!.ClientId!;
}

async function exists(clientId: string): Promise<boolean> {
  try {
    await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }));
    return true;
  } catch {
    return false;
  }
}

async function namesInPool(prefix: string): Promise<string[]> {
  return (await env.cognitoClients()).map((c) => c.ClientName!).filter((n) => n.startsWith(prefix)).sort();
}

/** A registration that died after reserving `name` six minutes ago (a Lambda timeout): its reservation is stale. */
async function abandonedReservation(tenantId: string, name: string): Promise<void> {
  const reservedAt = new Date(env.now.getTime() - 6 * 60_000).toISOString();
  const fp = JSON.stringify({ scopes: [READ], validity: 60 });
  expect(await store.reserveName(tenantId, name, { state: 'pending', requestId: `dead-${name}`, fingerprint: fp, reservedAt })).toBe(true);
}

beforeAll(async () => {
  for (const tenantId of ['acme', 'beta']) expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
});

test('a registered client is named in the portal\'s name space; a CDK client of the old-style name is left alone', async () => {
  const legacy = await cdkClient('acme.legacy');
  const res = await env.call('POST', '/tenants/acme/clients', { caller: ACME, body: { name: 'legacy', scopes: [READ] } });
  expect(res.status).toBe(201);
  const described = await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: res.body.clientId }));
  expect(described.UserPoolClient?.ClientName).toBe('@portal.acme.legacy');
  expect(await exists(legacy)).toBe(true);
  expect(await namesInPool('acme.')).toEqual(['acme.legacy']);
});

test('LimitExceededException: a definite refusal, so no clean-up at all; 409 saying what to do; the CDK client survives', async () => {
  const legacy = await cdkClient('acme.quota');
  // Even a client of the name space without a record here (another registry's, say) is not this request's orphan:
  // Cognito refused this request, so it created nothing.
  const unrelated = await cdkClient('@portal.acme.quota');
  const before = deletes().length;
  env.injector.override.set('cognito:CreateUserPoolClient', limitExceeded);
  const res = await env.call('POST', '/tenants/acme/clients', { caller: ACME, body: { name: 'quota', scopes: [READ] } });
  env.injector.reset();
  expect(res.status).toBe(409);
  expect(res.body).toEqual({
    error: 'pool_client_quota_reached',
    message: expect.stringContaining('the user pool holds as many app clients as its quota allows'),
  });
  expect(deletes().length - before).toBe(0);
  expect(await exists(legacy)).toBe(true);
  expect(await exists(unrelated)).toBe(true);
  await env.real.send(new DeleteUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: unrelated }));
  // The name and its slot were released: the same registration succeeds once Cognito accepts it.
  const again = await env.call('POST', '/tenants/acme/clients', { caller: ACME, body: { name: 'quota', scopes: [READ] } });
  expect(again.status).toBe(201);
  expect(await exists(legacy)).toBe(true);
  await checkConsistencyBesides(['acme.legacy', 'acme.quota']);
});

test('a 5xx from CreateUserPoolClient (the client may exist): only the portal\'s own orphan is deleted', async () => {
  const legacy = await cdkClient('acme.ambiguous');
  const before = deletes().length;
  // Cognito created the client, but the answer is a 500.
  env.injector.failAt = undefined;
  const original = env.injector.around.bind(env.injector);
  env.injector.around = async (name, call) => {
    const out = await original(name, call);
    if (name === 'cognito:CreateUserPoolClient') throw internalError();
    return out;
  };
  const res = await env.call('POST', '/tenants/acme/clients', { caller: ACME, body: { name: 'ambiguous', scopes: [READ] } });
  env.injector.around = original;
  expect(res.status).toBe(500);
  const deleted = deletes().slice(before);
  expect(deleted).toHaveLength(1);
  expect(deleted).not.toContain(legacy);
  expect(await exists(legacy)).toBe(true);
  expect(await namesInPool('@portal.acme.ambiguous')).toEqual([]);
  await checkConsistencyBesides(['acme.legacy', 'acme.quota', 'acme.ambiguous']);
});

test('taking over a stale reservation deletes the dead registration\'s client of the name space, never the CDK client', async () => {
  const legacy = await cdkClient('acme.stale');
  // The dead registration had created its client before it died.
  const orphan = await cdkClient('@portal.acme.stale');
  await abandonedReservation('acme', 'stale');
  const before = deletes().length;
  const res = await env.call('POST', '/tenants/acme/clients', { caller: ACME, body: { name: 'stale', scopes: [READ] } });
  expect(res.status).toBe(201);
  expect(deletes().slice(before)).toEqual([orphan]);
  expect(await exists(orphan)).toBe(false);
  expect(await exists(legacy)).toBe(true);
  expect(await namesInPool('@portal.acme.stale')).toEqual(['@portal.acme.stale']);
  await checkConsistencyBesides(['acme.legacy', 'acme.quota', 'acme.ambiguous', 'acme.stale']);
});

test('a stale reservation taken over while Cognito is at its quota: no deletion beyond the name space, 409', async () => {
  const legacy = await cdkClient('acme.full');
  await abandonedReservation('acme', 'full');
  const before = deletes().length;
  env.injector.override.set('cognito:CreateUserPoolClient', limitExceeded);
  const res = await env.call('POST', '/tenants/acme/clients', { caller: ACME, body: { name: 'full', scopes: [READ] } });
  env.injector.reset();
  expect(res.status).toBe(409);
  expect(deletes().length - before).toBe(0);
  expect(await exists(legacy)).toBe(true);
});

test('another tenant\'s name space is not this tenant\'s: beta registering "x" never touches @portal.acme.x', async () => {
  const acmeOrphan = await cdkClient('@portal.acme.x');
  await abandonedReservation('beta', 'x');
  const res = await env.call('POST', '/tenants/beta/clients', { caller: tenantAdmin('beta'), body: { name: 'x', scopes: [READ] } });
  expect(res.status).toBe(201);
  expect(await exists(acmeOrphan)).toBe(true);
  await env.real.send(new DeleteUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: acmeOrphan }));
});

describe('a client registered by an earlier portal version (old-style name, records as they were written)', () => {
  let clientId: string;
  beforeAll(async () => {
    expect((await env.call('POST', '/tenants', { body: { tenantId: 'old' } })).status).toBe(201);
    const out = await env.real.send(new CreateUserPoolClientCommand({
      UserPoolId: env.userPoolId,
      ClientName: 'old.billing',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [READ],
    }));
    clientId = out.UserPoolClient!.ClientId!;
    env.secrets.set(clientId, [{ id: `${clientId}--1767225600`, value: out.UserPoolClient!.ClientSecret!, created: new Date('2026-01-01T00:00:00Z') }]);
    const at = '2026-01-15T00:00:00.000Z';
    await store.putClient({
      clientId,
      tenantId: 'old',
      name: 'billing',
      scopes: [READ],
      accessTokenValidityMinutes: 60,
      status: 'active',
      createdAt: at,
      createdBy: 'adminclient1',
      updatedAt: at,
      updatedBy: 'adminclient1',
      version: 1,
    });
    await store.putClientPointer('old', clientId, 'billing', at);
    const fp = JSON.stringify({ scopes: [READ], validity: 60 });
    expect(await store.reserveName('old', 'billing', { state: 'pending', requestId: 'old-request', fingerprint: fp, reservedAt: at })).toBe(true);
    await store.completeReservation('old', 'billing', 'old-request', clientId);
  });

  test('keeps its name through a scope change, a suspension and a rotation', async () => {
    const old = tenantAdmin('old');
    expect((await env.call('PATCH', `/tenants/old/clients/${clientId}`, { caller: old, body: { scopes: [READ, WRITE] } })).status).toBe(200);
    expect((await env.call('PATCH', `/tenants/old/clients/${clientId}`, { caller: old, body: { status: 'suspended' } })).status).toBe(200);
    expect((await env.call('PATCH', `/tenants/old/clients/${clientId}`, { caller: old, body: { status: 'active' } })).status).toBe(200);
    expect((await env.call('POST', `/tenants/old/clients/${clientId}/secrets`, { caller: old })).status).toBe(201);
    const described = await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }));
    expect(described.UserPoolClient).toMatchObject({ ClientName: 'old.billing', AllowedOAuthScopes: [READ, WRITE] });
  });

  test('counts against the tenant\'s client limit (its slot is created from the existing reservation)', async () => {
    const items = await env.scanTable();
    expect(items.find((i) => i.pk === 'TENANT#old' && i.sk === 'CLIENT_SLOTS')).toBeUndefined();
    const res = await env.call('POST', '/tenants/old/clients', { caller: tenantAdmin('old'), body: { name: 'second', scopes: [READ] } });
    expect(res.status).toBe(201);
    const slots = (await env.scanTable()).find((i) => i.pk === 'TENANT#old' && i.sk === 'CLIENT_SLOTS');
    expect(slots?.slots).toEqual({ billing: 'old-request', second: expect.any(String) });
  });

  test('is deleted by DELETE (its own id), which frees its name and slot', async () => {
    expect((await env.call('DELETE', `/tenants/old/clients/${clientId}`, { caller: tenantAdmin('old') })).status).toBe(200);
    expect(await exists(clientId)).toBe(false);
    const slots = (await env.scanTable()).find((i) => i.pk === 'TENANT#old' && i.sk === 'CLIENT_SLOTS');
    expect(Object.keys(slots?.slots ?? {})).toEqual(['second']);
    const again = await env.call('POST', '/tenants/old/clients', { caller: tenantAdmin('old'), body: { name: 'billing', scopes: [READ] } });
    expect(again.status).toBe(201);
    const described = await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: again.body.clientId }));
    expect(described.UserPoolClient?.ClientName).toBe('@portal.old.billing');
  });
});

/** The registry and the pool agree, apart from the CDK clients these tests made on purpose (no record). */
async function checkConsistencyBesides(cdkNames: string[]): Promise<void> {
  const ids: string[] = [];
  for (const c of await env.cognitoClients()) if (cdkNames.includes(c.ClientName!)) ids.push(c.ClientId!);
  expect(ids).toHaveLength(cdkNames.length);
  const saved = env.cognitoClients;
  env.cognitoClients = async () => (await saved()).filter((c) => !ids.includes(c.ClientId!));
  try {
    await checkConsistency(env);
  } finally {
    env.cognitoClients = saved;
  }
}
