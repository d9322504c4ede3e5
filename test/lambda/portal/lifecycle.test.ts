import { DescribeUserPoolClientCommand, UpdateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN, checkConsistency, Env, expectNoSecretLeak, READ, setup, WRITE } from './harness';
import { getClientStatus } from '../../../lambda/shared/registry';

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => ({ env, close } = await setup()));
afterAll(async () => close());

test('full lifecycle through the handler', async () => {
  // GIVEN a tenant
  const t = await env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Globex Corp' } });
  expect(t.status).toBe(201);
  expect(t.body).toMatchObject({ tenantId: 'globex', status: 'active', createdBy: ADMIN.clientId, version: 1 });
  // idempotent repeat
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Globex Corp' } })).status).toBe(200);
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Other' } })).status).toBe(409);

  // WHEN a client is registered
  const c = await env.call('POST', '/tenants/globex/clients', { body: { name: 'billing', scopes: [WRITE, READ], accessTokenValidityMinutes: 15 } });
  expect(c.status).toBe(201);
  expect(c.body).toMatchObject({ tenantId: 'globex', name: 'billing', scopes: [READ, WRITE], accessTokenValidityMinutes: 15, status: 'active' });
  expect(typeof c.body.clientSecret).toBe('string');
  expect(c.body.tokenEndpoint).toBe(env.config.tokenEndpoint);
  const clientId: string = c.body.clientId;

  // THEN the app client is configured for client credentials only
  const clients = await env.cognitoClients();
  expect(clients.map((x) => x.ClientName)).toEqual(['@portal.globex.billing']);
  const created = (await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }))).UserPoolClient!;
  expect(created).toMatchObject({
    AllowedOAuthFlows: ['client_credentials'],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: [READ, WRITE],
    EnableTokenRevocation: true,
    PreventUserExistenceErrors: 'ENABLED',
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    SupportedIdentityProviders: ['COGNITO'],
    AccessTokenValidity: 15,
    TokenValidityUnits: { AccessToken: 'minutes' },
  });

  // list/get never show secrets
  const list = await env.call('GET', '/tenants/globex/clients');
  expect(list.status).toBe(200);
  expect(list.body.items).toHaveLength(1);
  const got = await env.call('GET', `/tenants/globex/clients/${clientId}`);
  expect(got.status).toBe(200);
  expect(got.body.secrets).toHaveLength(1);
  const tenant = await env.call('GET', '/tenants/globex');
  expect(tenant.body.clients).toHaveLength(1);
  for (const r of [list, got, tenant]) expect(JSON.stringify(r.body)).not.toContain(c.body.clientSecret);
  expect(JSON.stringify(list.body)).not.toMatch(/clientSecret"/);

  // rotate: both secret ids listed during the overlap
  const oldSecretId = got.body.secrets[0].clientSecretId;
  const rot = await env.call('POST', `/tenants/globex/clients/${clientId}/secrets`);
  expect(rot.status).toBe(201);
  expect(rot.body).toMatchObject({ oldSecretId, graceUntil: '2026-03-02T10:00:00.000Z' });
  expect(typeof rot.body.clientSecret).toBe('string');
  const during = await env.call('GET', `/tenants/globex/clients/${clientId}`);
  expect(during.body.secrets.map((s: any) => s.clientSecretId).sort()).toEqual([oldSecretId, rot.body.clientSecretId].sort());
  expect(during.body.rotation).toMatchObject({ state: 'overlap', oldSecretId, newSecretId: rot.body.clientSecretId });
  // a second rotation while one is pending
  expect((await env.call('POST', `/tenants/globex/clients/${clientId}/secrets`)).status).toBe(409);

  // confirm: delete the old secret; the last one cannot be deleted
  const del = await env.call('DELETE', `/tenants/globex/clients/${clientId}/secrets/${oldSecretId}`);
  expect(del.status).toBe(200);
  expect(del.body.secrets).toEqual([{ clientSecretId: rot.body.clientSecretId }]);
  expect((await env.call('DELETE', `/tenants/globex/clients/${clientId}/secrets/${rot.body.clientSecretId}`)).status).toBe(409);
  expect((await env.call('DELETE', `/tenants/globex/clients/${clientId}/secrets/${oldSecretId}`)).status).toBe(404);

  // suspend client, then tenant: visible to the authorizer's lookup
  expect(await getClientStatus(env.ddb, env.table, clientId)).toEqual({ tenantId: 'globex', clientStatus: 'active', tenantStatus: 'active' });
  expect((await env.call('PATCH', `/tenants/globex/clients/${clientId}`, { body: { status: 'suspended' } })).body.status).toBe('suspended');
  expect(await getClientStatus(env.ddb, env.table, clientId)).toMatchObject({ clientStatus: 'suspended', tenantStatus: 'active' });
  expect((await env.call('PATCH', `/tenants/globex/clients/${clientId}`, { body: { status: 'active' } })).body.status).toBe('active');
  expect((await env.call('PATCH', '/tenants/globex', { body: { status: 'suspended' } })).body.status).toBe('suspended');
  expect(await getClientStatus(env.ddb, env.table, clientId)).toMatchObject({ clientStatus: 'active', tenantStatus: 'suspended' });
  expect((await env.call('PATCH', '/tenants/globex', { body: { status: 'active' } })).body.status).toBe('active');
  expect(await getClientStatus(env.ddb, env.table, clientId)).toMatchObject({ clientStatus: 'active', tenantStatus: 'active' });
  expect(await getClientStatus(env.ddb, env.table, 'unknownclient')).toBeUndefined();

  // change scopes: UpdateUserPoolClient receives every field Describe returned
  const before = (await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }))).UserPoolClient;
  const patched = await env.call('PATCH', `/tenants/globex/clients/${clientId}`, { body: { scopes: [READ], accessTokenValidityMinutes: 30 } });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({ scopes: [READ], accessTokenValidityMinutes: 30 });
  const updates = env.cognitoMock.commandCalls(UpdateUserPoolClientCommand);
  const input = updates[updates.length - 1].args[0].input as unknown as Record<string, unknown>;
  for (const field of ['ClientName', 'AllowedOAuthFlows', 'AllowedOAuthFlowsUserPoolClient', 'EnableTokenRevocation', 'ExplicitAuthFlows',
    'PreventUserExistenceErrors', 'SupportedIdentityProviders', 'TokenValidityUnits', 'IdTokenValidity', 'RefreshTokenValidity']) {
    expect({ field, sent: field in input }).toEqual({ field, sent: (before as any)[field] !== undefined });
  }
  expect(input).toMatchObject({ ClientName: '@portal.globex.billing', AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [READ], AccessTokenValidity: 30 });
  expect(input).not.toHaveProperty('ClientSecret');
  const after = (await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }))).UserPoolClient!;
  expect(after).toMatchObject({ AllowedOAuthScopes: [READ], AccessTokenValidity: 30, AllowedOAuthFlows: ['client_credentials'], EnableTokenRevocation: true });

  // delete
  const gone = await env.call('DELETE', `/tenants/globex/clients/${clientId}`);
  expect(gone.status).toBe(200);
  expect(gone.body.status).toBe('deleted');
  expect(await env.cognitoClients()).toEqual([]);
  expect(await getClientStatus(env.ddb, env.table, clientId)).toMatchObject({ clientStatus: 'deleted' });
  await checkConsistency(env);

  // audit trail has every step, newest first
  const audit = await env.call('GET', '/tenants/globex/audit', { query: { limit: '100' } });
  const actions = audit.body.items.map((a: any) => a.action).reverse();
  expect(actions).toEqual([
    'tenant.created', 'client.register.requested', 'client.registered',
    'client.secret.rotate.requested', 'client.secret.added', 'client.secret.delete.requested', 'client.secret.deleted',
    'client.suspended', 'client.resumed', 'tenant.suspended', 'tenant.resumed',
    'client.update.requested', 'client.updated', 'client.delete.requested', 'client.deleted',
  ]);
  expect(audit.body.items.every((a: any) => a.actor === ADMIN.clientId)).toBe(true);
});

test('no secret in any log line or stored item', async () => {
  expect(env.issuedSecrets.size).toBe(2);
  await expectNoSecretLeak(env);
});
