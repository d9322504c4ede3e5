/**
 * Who may undo what: a platform admin's suspension of a client is lifted by
 * a platform admin only (the record keeps who suspended), and the admins of
 * a suspended tenant may read its clients but not register, change, resume,
 * rotate or delete them.
 */
import { AddUserPoolClientSecretCommand, CreateUserPoolClientCommand, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { checkConsistency, Env, READ, setup, tenantAdmin, TENANT_ADMIN_SCOPE, WRITE } from './harness';

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ env, close } = await setup());
  for (const tenantId of ['acme', 'frozen']) expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
});
afterAll(async () => close());

const ACME = tenantAdmin('acme');
let seq = 0;

async function newClient(tenantId = 'acme'): Promise<string> {
  const res = await env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: `svc-${++seq}`, scopes: [READ] } });
  expect(res.status).toBe(201);
  return res.body.clientId;
}

const statusOf = async (clientId: string) => (await env.call('GET', `/tenants/acme/clients/${clientId}`)).body;

describe('a platform admin\'s suspension', () => {
  test('cannot be lifted by the tenant\'s admin (403), only by a platform admin', async () => {
    const clientId = await newClient();
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { body: { status: 'suspended' } })).status).toBe(200);
    expect(await statusOf(clientId)).toMatchObject({ status: 'suspended', suspendedBy: 'platform-admin' });

    const refused = await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'active' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'forbidden', message: `client ${clientId} was suspended by a platform admin: only a platform admin can resume it` });
    expect(await statusOf(clientId)).toMatchObject({ status: 'suspended' });

    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { body: { status: 'active' } })).status).toBe(200);
    const resumed = await statusOf(clientId);
    expect(resumed.status).toBe('active');
    expect(resumed).not.toHaveProperty('suspendedBy');
  });

  test('cannot be lifted together with a scope change either, and the app client is left as it was', async () => {
    const clientId = await newClient();
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { body: { status: 'suspended' } })).status).toBe(200);
    const refused = await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'active', scopes: [READ, WRITE] } });
    expect(refused.status).toBe(403);
    const described = await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }));
    expect(described.UserPoolClient?.AllowedOAuthScopes).toEqual([READ]);
    expect(await statusOf(clientId)).toMatchObject({ status: 'suspended', scopes: [READ] });
  });

  test('takes over a tenant admin\'s suspension: the tenant admin can then no longer resume', async () => {
    const clientId = await newClient();
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'suspended' } })).status).toBe(200);
    expect(await statusOf(clientId)).toMatchObject({ suspendedBy: 'tenant-admin' });
    const platform = await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { body: { status: 'suspended' } });
    expect(platform.status).toBe(200);
    expect(platform.body).toMatchObject({ status: 'suspended', suspendedBy: 'platform-admin' });
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'active' } })).status).toBe(403);
  });

  test('a person who is a tenant admin is refused as well', async () => {
    const clientId = await newClient();
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { body: { status: 'suspended' } })).status).toBe(200);
    const person = { clientId: 'webclient', username: 'alice', tenantId: 'acme', scopes: [TENANT_ADMIN_SCOPE] };
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: person, body: { status: 'active' } })).status).toBe(403);
  });

  test('a suspension recorded before roles were (no suspendedBy) counts as a platform admin\'s', async () => {
    const clientId = await newClient();
    await DynamoDBDocumentClient.from(env.ddb).send(new UpdateCommand({
      TableName: env.table,
      Key: { pk: `CLIENT#${clientId}`, sk: 'CLIENT' },
      UpdateExpression: 'SET #s = :s, version = version + :one',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': 'suspended', ':one': 1 },
    }));
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'active' } })).status).toBe(403);
    expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { body: { status: 'active' } })).status).toBe(200);
  });
});

test('a tenant admin\'s own suspension is lifted by the tenant admin', async () => {
  const clientId = await newClient();
  expect((await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'suspended' } })).status).toBe(200);
  const resumed = await env.call('PATCH', `/tenants/acme/clients/${clientId}`, { caller: ACME, body: { status: 'active' } });
  expect(resumed).toMatchObject({ status: 200, body: { status: 'active' } });
  const audit = await env.call('GET', '/tenants/acme/audit');
  expect(audit.body.items.slice(0, 2).map((e: any) => [e.action, e.detail.role])).toEqual([['client.resumed', 'tenant-admin'], ['client.suspended', 'tenant-admin']]);
  await checkConsistency(env);
});

describe('the admins of a suspended tenant', () => {
  const FROZEN = tenantAdmin('frozen');
  let clientId: string;
  let suspendedClient: string;
  let secretsBefore: number;
  beforeAll(async () => {
    clientId = await newClient('frozen');
    suspendedClient = await newClient('frozen');
    // Rotated once, so a secret can be deleted.
    expect((await env.call('POST', `/tenants/frozen/clients/${clientId}/secrets`, { caller: FROZEN })).status).toBe(201);
    expect((await env.call('PATCH', `/tenants/frozen/clients/${suspendedClient}`, { caller: FROZEN, body: { status: 'suspended' } })).status).toBe(200);
    expect((await env.call('PATCH', '/tenants/frozen', { body: { status: 'suspended' } })).status).toBe(200);
    secretsBefore = env.cognitoMock.commandCalls(AddUserPoolClientSecretCommand).length;
  });

  const refusal = (status: number) => ({
    status,
    body: { error: 'forbidden', message: 'tenant frozen is suspended: its admins cannot register, change, rotate or delete its clients until a platform admin resumes it' },
  });

  test('cannot register a client (403)', async () => {
    const creates = env.cognitoMock.commandCalls(CreateUserPoolClientCommand).length;
    expect(await env.call('POST', '/tenants/frozen/clients', { caller: FROZEN, body: { name: 'new', scopes: [READ] } })).toMatchObject(refusal(403));
    expect(env.cognitoMock.commandCalls(CreateUserPoolClientCommand).length).toBe(creates);
  });

  test('cannot rotate a secret or delete one (403)', async () => {
    expect(await env.call('POST', `/tenants/frozen/clients/${clientId}/secrets`, { caller: FROZEN })).toMatchObject(refusal(403));
    expect(env.cognitoMock.commandCalls(AddUserPoolClientSecretCommand).length).toBe(secretsBefore);
    const old = env.secrets.get(clientId)![0].id;
    expect(await env.call('DELETE', `/tenants/frozen/clients/${clientId}/secrets/${old}`, { caller: FROZEN })).toMatchObject(refusal(403));
    expect(env.secrets.get(clientId)).toHaveLength(2);
  });

  test('cannot resume a client, change its scopes, suspend or delete it (403)', async () => {
    expect(await env.call('PATCH', `/tenants/frozen/clients/${suspendedClient}`, { caller: FROZEN, body: { status: 'active' } })).toMatchObject(refusal(403));
    expect(await env.call('PATCH', `/tenants/frozen/clients/${clientId}`, { caller: FROZEN, body: { scopes: [READ, WRITE] } })).toMatchObject(refusal(403));
    expect(await env.call('PATCH', `/tenants/frozen/clients/${clientId}`, { caller: FROZEN, body: { status: 'suspended' } })).toMatchObject(refusal(403));
    expect(await env.call('DELETE', `/tenants/frozen/clients/${clientId}`, { caller: FROZEN })).toMatchObject(refusal(403));
    const got = await env.call('GET', `/tenants/frozen/clients/${suspendedClient}`, { caller: FROZEN });
    expect(got).toMatchObject({ status: 200, body: { status: 'suspended' } });
    expect((await env.call('GET', `/tenants/frozen/clients/${clientId}`, { caller: FROZEN })).body).toMatchObject({ status: 'active', scopes: [READ] });
  });

  test('may still read; a platform admin may still act; after the tenant is resumed its admins may act again', async () => {
    expect((await env.call('GET', '/tenants/frozen/clients', { caller: FROZEN })).status).toBe(200);
    expect((await env.call('GET', '/tenants/frozen/audit', { caller: FROZEN })).status).toBe(200);
    const old = env.secrets.get(clientId)![0].id;
    expect((await env.call('DELETE', `/tenants/frozen/clients/${clientId}/secrets/${old}`)).status).toBe(200);
    expect((await env.call('PATCH', '/tenants/frozen', { body: { status: 'active' } })).status).toBe(200);
    expect((await env.call('PATCH', `/tenants/frozen/clients/${suspendedClient}`, { caller: FROZEN, body: { status: 'active' } })).status).toBe(200);
    expect((await env.call('POST', `/tenants/frozen/clients/${clientId}/secrets`, { caller: FROZEN })).status).toBe(201);
  });
});
