/**
 * The portal with a web UI: people's requests (the authorizer passes their
 * username), `/me`, inviting tenant admins into the sign-in pool
 * (cognito-local), the audit trail naming the person, and CORS for the UI.
 */
import { AdminListGroupsForUserCommand, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN, ADMIN_SCOPE, Env, InjectedError, READ, setup, TENANT_ADMIN_SCOPE } from './harness';

const ORIGIN = 'https://d111111abcdef8.cloudfront.net';
const WEB_CLIENT = 'webclient0000000000000001';
const ROOT = { clientId: WEB_CLIENT, tenantId: '', scopes: [ADMIN_SCOPE], username: 'root' };
const ALICE = { clientId: WEB_CLIENT, tenantId: 'globex', scopes: [TENANT_ADMIN_SCOPE], username: 'alice' };

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ env, close } = await setup({ people: true, allowedOrigin: ORIGIN }));
  for (const tenantId of ['globex', 'initech']) expect((await env.call('POST', '/tenants', { body: { tenantId }, caller: ROOT })).status).toBe(201);
});
afterAll(async () => close());
beforeEach(() => env.injector.reset());

describe('/me', () => {
  test('a tenant admin is a person of its tenant', async () => {
    const res = await env.call('GET', '/me', { caller: ALICE });
    expect(res).toMatchObject({ status: 200, body: { principal: 'alice', kind: 'person', role: 'tenant-admin', tenantId: 'globex' } });
  });

  test('a platform admin has no tenant', async () => {
    const res = await env.call('GET', '/me', { caller: ROOT });
    expect(res.body).toEqual({ principal: 'root', kind: 'person', role: 'platform-admin' });
  });

  test('an M2M admin client is a client', async () => {
    expect((await env.call('GET', '/me', { caller: ADMIN })).body).toEqual({ principal: ADMIN.clientId, kind: 'client', role: 'platform-admin' });
  });
});

describe('what people do is audited under their username', () => {
  test('a client registered by a person names the person as creator, in the record and the audit', async () => {
    const created = await env.call('POST', '/tenants/globex/clients', { caller: ALICE, body: { name: 'by-alice', scopes: [READ] } });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('user:alice');
    const audit = await env.call('GET', '/tenants/globex/audit', { caller: ALICE });
    const entry = audit.body.items.find((e: any) => e.action === 'client.registered' && e.detail?.clientId === created.body.clientId);
    expect(entry.actor).toBe('user:alice');
  });

  test('a tenant created by a platform admin names them', async () => {
    const created = await env.call('POST', '/tenants', { caller: ROOT, body: { tenantId: 'umbrella' } });
    expect(created.body.createdBy).toBe('user:root');
  });
});

describe('inviting a tenant admin', () => {
  test('creates the person with the e-mail Cognito sends the temporary password to, in the tenant\'s group', async () => {
    const res = await env.call('POST', '/tenants/globex/admins', { caller: ROOT, body: { username: 'bob', email: 'bob@globex.example' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'bob', email: 'bob@globex.example', tenantId: 'globex', status: 'FORCE_CHANGE_PASSWORD', enabled: true });
    const poolId = env.config.people!.userPoolId;
    const user = await env.real.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' }));
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email', Value: 'bob@globex.example' }]));
    const groups = await env.real.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'bob' }));
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['tenant-globex']);
    // The list of the tenant's admins shows the person; a tenant admin may read it.
    const list = await env.call('GET', '/tenants/globex/admins', { caller: ALICE });
    expect(list.body.items.map((p: any) => p.username)).toContain('bob');
    // The audit names who invited whom, without the address.
    const audit = await env.call('GET', '/tenants/globex/audit', { caller: ROOT });
    const entry = audit.body.items.find((e: any) => e.action === 'admin.invited');
    expect(entry).toMatchObject({ actor: 'user:root', detail: { username: 'bob' } });
    expect(JSON.stringify(entry)).not.toContain('bob@globex.example');
  });

  test('a second admin of the same tenant joins the existing group', async () => {
    expect((await env.call('POST', '/tenants/globex/admins', { caller: ROOT, body: { username: 'carol', email: 'carol@globex.example' } })).status).toBe(201);
    const list = await env.call('GET', '/tenants/globex/admins', { caller: ROOT });
    expect(list.body.items.map((p: any) => p.username).sort()).toEqual(expect.arrayContaining(['bob', 'carol']));
  });

  test('an existing username is a conflict that names it', async () => {
    const res = await env.call('POST', '/tenants/initech/admins', { caller: ROOT, body: { username: 'bob', email: 'bob@initech.example' } });
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', message: 'username: "bob" already exists in the sign-in pool' } });
  });

  test('a tenant without admins lists none', async () => {
    expect((await env.call('GET', '/tenants/initech/admins', { caller: ROOT })).body).toEqual({ items: [] });
  });

  test('a tenant admin may not invite, not even into its own tenant', async () => {
    const res = await env.call('POST', '/tenants/globex/admins', { caller: ALICE, body: { username: 'mallory', email: 'm@globex.example' } });
    expect(res).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });

  test('a tenant admin may not list another tenant\'s admins', async () => {
    expect((await env.call('GET', '/tenants/initech/admins', { caller: ALICE })).status).toBe(403);
  });

  test('an unknown tenant is 404 and creates nobody', async () => {
    const res = await env.call('POST', '/tenants/nosuch/admins', { caller: ROOT, body: { username: 'dave', email: 'dave@x.example' } });
    expect(res.status).toBe(404);
    expect(env.injector.calls.filter((c) => c.startsWith('cognito:'))).toEqual([]);
  });

  test.each([
    [{ email: 'e@x.example' }, 'username: undefined is invalid: required'],
    [{ username: 'has space', email: 'e@x.example' }, 'username: "has space" is invalid: 1-128 characters [A-Za-z0-9_.@+-]'],
    [{ username: 'erin' }, 'email: undefined is invalid: required'],
    [{ username: 'erin', email: 'not-an-address' }, 'email: "not-an-address" is invalid: an e-mail address'],
    [{ username: 'erin', email: 'e@x.example', role: 'platform-admin' }, 'role: "platform-admin" is invalid: unknown field'],
  ])('bad request %j → 400 naming the field', async (body, message) => {
    const res = await env.call('POST', '/tenants/globex/admins', { caller: ROOT, body });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });

  test('when adding to the group fails, the new person is deleted again', async () => {
    env.injector.override.set('cognito:AdminAddUserToGroup', () => new InjectedError('AdminAddUserToGroup'));
    const res = await env.call('POST', '/tenants/initech/admins', { caller: ROOT, body: { username: 'frank', email: 'frank@initech.example' } });
    expect(res.status).toBe(500);
    expect(env.injector.calls).toContain('cognito:AdminDeleteUser');
    env.injector.reset();
    await expect(env.real.send(new AdminGetUserCommand({ UserPoolId: env.config.people!.userPoolId, Username: 'frank' })))
      .rejects.toMatchObject({ name: 'UserNotFoundException' });
  });
});

describe('removing a tenant admin', () => {
  test('deletes the person from the sign-in pool (no more sign-in or refresh) and audits it', async () => {
    expect((await env.call('POST', '/tenants/initech/admins', { caller: ROOT, body: { username: 'gina', email: 'gina@initech.example' } })).status).toBe(201);
    const res = await env.call('DELETE', '/tenants/initech/admins/gina', { caller: ROOT });
    expect(res).toMatchObject({ status: 200, body: { username: 'gina', tenantId: 'initech', removed: true } });
    await expect(env.real.send(new AdminGetUserCommand({ UserPoolId: env.config.people!.userPoolId, Username: 'gina' })))
      .rejects.toMatchObject({ name: 'UserNotFoundException' });
    const audit = await env.call('GET', '/tenants/initech/audit', { caller: ROOT });
    expect(audit.body.items.find((e: any) => e.action === 'admin.removed')).toMatchObject({ actor: 'user:root', detail: { username: 'gina' } });
  });

  test('only an admin of this tenant can be removed through it', async () => {
    // bob is an admin of globex (invited above), not of initech.
    const res = await env.call('DELETE', '/tenants/initech/admins/bob', { caller: ROOT });
    expect(res).toMatchObject({ status: 404, body: { message: 'username: "bob" is not an admin of tenant initech' } });
    expect((await env.call('DELETE', '/tenants/initech/admins/nobody', { caller: ROOT })).status).toBe(404);
    expect((await env.call('GET', '/tenants/globex/admins', { caller: ROOT })).body.items.map((p: any) => p.username)).toContain('bob');
  });

  test('a tenant admin may not remove anybody', async () => {
    expect((await env.call('DELETE', '/tenants/globex/admins/bob', { caller: ALICE })).status).toBe(403);
  });

  test('a malformed username is a 400 naming it', async () => {
    const res = await env.call('DELETE', '/tenants/globex/admins/has%20space', { caller: ROOT });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('username: "has space" is invalid');
  });
});

describe('CORS for the web UI', () => {
  test('answers carry the one allowed origin and expose ETag', async () => {
    const res = await env.call('GET', '/tenants/globex', { caller: ALICE });
    expect(res.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, 'Access-Control-Expose-Headers': 'ETag, Retry-After', 'Vary': 'Origin' });
  });

  test('so do refusals and errors, so the UI can show them', async () => {
    const refused = await env.call('GET', '/tenants/initech', { caller: ALICE });
    expect(refused.status).toBe(403);
    expect(refused.headers['Access-Control-Allow-Origin']).toBe(ORIGIN);
    const unknown = await env.call('GET', '/nowhere', { caller: ALICE });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['Access-Control-Allow-Origin']).toBe(ORIGIN);
  });
});

test('a portal without a sign-in pool has nobody to invite', async () => {
  const plain = await setup();
  try {
    const res = await plain.env.call('POST', '/tenants', { body: { tenantId: 'globex' } }).then(() =>
      plain.env.call('POST', '/tenants/globex/admins', { body: { username: 'bob', email: 'bob@globex.example' } }));
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(res.headers['Access-Control-Allow-Origin']).toBeUndefined();
  } finally {
    await plain.close();
  }
});
