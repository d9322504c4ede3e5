import { ADMIN, Env, GRANTABLE, READ, setup } from './harness';

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ env, close } = await setup());
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'acme' } })).status).toBe(201);
});
afterAll(async () => close());

const tenantCases: Array<[string, unknown, string]> = [
  ['missing tenantId', {}, 'tenantId: undefined is invalid: required'],
  ['tenantId not a string', { tenantId: 42 }, 'tenantId: 42 is invalid: must be a string'],
  ['tenantId with a space', { tenantId: 'a b' }, 'tenantId: "a b" is invalid: letters, digits, "_", "." and "-", 1-64 characters'],
  ['tenantId ending with a dot', { tenantId: 'abc.' }, 'tenantId: "abc." is invalid: letters, digits, "_", "." and "-", 1-64 characters, starting and ending with a letter or digit'],
  ['tenantId too long', { tenantId: 'a'.repeat(65) }, `tenantId: "${'a'.repeat(65)}" is invalid`],
  ['displayName not a string', { tenantId: 'ok', displayName: ['x'] }, 'displayName: ["x"] is invalid: must be a string'],
  ['displayName empty', { tenantId: 'ok', displayName: '' }, 'displayName: "" is invalid: 1-256 characters'],
  ['unknown field', { tenantId: 'ok', owner: 'me' }, 'owner: "me" is invalid: unknown field; allowed fields are tenantId, displayName'],
];

test.each(tenantCases)('POST /tenants: %s → 400 naming field, value and rule', async (_, body, message) => {
  const res = await env.call('POST', '/tenants', { body });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe('bad_request');
  expect(res.body.message).toContain(message);
});

const tooMany = GRANTABLE.slice(0, 51);
const clientCases: Array<[string, unknown, string]> = [
  ['missing name', { scopes: [READ] }, 'name: undefined is invalid: required'],
  ['name not a string', { name: 7, scopes: [READ] }, 'name: 7 is invalid: must be a string'],
  ['name with a dot', { name: 'a.b', scopes: [READ] }, 'name: "a.b" is invalid: 1-48 characters [A-Za-z0-9_-]'],
  ['name too long', { name: 'n'.repeat(49), scopes: [READ] }, 'is invalid: 1-48 characters'],
  ['missing scopes', { name: 'svc' }, 'scopes: undefined is invalid: required'],
  ['scopes not an array', { name: 'svc', scopes: READ }, `scopes: "${READ}" is invalid: must be an array of scope strings`],
  ['empty scopes', { name: 'svc', scopes: [] }, 'scopes: [] is invalid: at least one scope'],
  ['more than 50 scopes', { name: 'svc', scopes: tooMany }, 'scopes: 51 scopes is invalid: at most 50 scopes'],
  ['scope not grantable', { name: 'svc', scopes: ['https://evil.example/all'] }, 'scopes[0]: "https://evil.example/all" is invalid: not a scope the portal may grant'],
  ['admin scope never grantable', { name: 'svc', scopes: ['https://portal.acme.example/admin'] }, 'scopes[0]: "https://portal.acme.example/admin" is invalid: not a scope'],
  ['scope not a string', { name: 'svc', scopes: [READ, 3] }, 'scopes[1]: 3 is invalid: must be a string'],
  ['duplicate scope', { name: 'svc', scopes: [READ, READ] }, `scopes[1]: "${READ}" is invalid: listed twice`],
  ['validity below range', { name: 'svc', scopes: [READ], accessTokenValidityMinutes: 4 }, 'accessTokenValidityMinutes: 4 is invalid: from 5 to 1440 minutes'],
  ['validity above range', { name: 'svc', scopes: [READ], accessTokenValidityMinutes: 1441 }, 'accessTokenValidityMinutes: 1441 is invalid: from 5 to 1440 minutes'],
  ['validity not an integer', { name: 'svc', scopes: [READ], accessTokenValidityMinutes: 7.5 }, 'accessTokenValidityMinutes: 7.5 is invalid: must be an integer'],
  ['validity a string', { name: 'svc', scopes: [READ], accessTokenValidityMinutes: '60' }, 'accessTokenValidityMinutes: "60" is invalid: must be an integer'],
  ['unknown field', { name: 'svc', scopes: [READ], clientSecret: 'mine' }, 'clientSecret: "mine" is invalid: unknown field'],
  ['body an array', [{ name: 'svc' }], 'body: [{"name":"svc"}] is invalid: must be a JSON object'],
  ['body null', null, 'body: null is invalid: must be a JSON object'],
];

test.each(clientCases)('POST /tenants/{id}/clients: %s → 400 naming field, value and rule', async (_, body, message) => {
  const res = await env.call('POST', '/tenants/acme/clients', { body });
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ error: 'bad_request', message: expect.stringContaining(message) });
});

test('malformed JSON → 400', async () => {
  const res = await env.call('POST', '/tenants/acme/clients', { rawBody: '{"name": "svc",' });
  expect(res.status).toBe(400);
  expect(res.body.message).toBe('body: (malformed JSON) is invalid: must be a JSON object');
});

test('missing body → 400', async () => {
  const res = await env.call('POST', '/tenants/acme/clients');
  expect(res.status).toBe(400);
  expect(res.body.message).toBe('body: undefined is invalid: a JSON object is required');
});

test('oversized body → 400', async () => {
  const res = await env.call('POST', '/tenants/acme/clients', { body: { name: 'svc', scopes: [READ], pad: 'x'.repeat(17_000) } });
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(/^body: \d+ bytes is invalid: at most 16384 bytes$/);
});

test('PATCH client: empty change, bad status → 400', async () => {
  expect((await env.call('PATCH', '/tenants/acme/clients/abc123', { body: {} })).body.message)
    .toContain('body: {} is invalid: give at least one of status, scopes, accessTokenValidityMinutes');
  expect((await env.call('PATCH', '/tenants/acme/clients/abc123', { body: { status: 'paused' } })).body.message)
    .toBe('status: "paused" is invalid: one of "active", "suspended"');
});

test('PATCH tenant: missing status → 400', async () => {
  expect((await env.call('PATCH', '/tenants/acme', { body: {} })).body.message).toBe('status: undefined is invalid: required');
});

test('path, query and header values are validated', async () => {
  expect((await env.call('GET', '/tenants/bad%20id')).body.message).toContain('tenantId: "bad id" is invalid');
  expect((await env.call('GET', '/tenants/acme/clients/bad.id')).body.message).toContain('clientId: "bad.id" is invalid');
  expect((await env.call('GET', '/tenants', { query: { limit: '0' } })).body.message).toBe('limit: "0" is invalid: an integer from 1 to 100');
  expect((await env.call('GET', '/tenants', { query: { nextToken: 'garbage' } })).body.message).toContain('nextToken: "garbage" is invalid');
  const key = await env.call('POST', '/tenants/acme/clients', { body: { name: 'svc', scopes: [READ] }, headers: { 'Idempotency-Key': 'bad key!' } });
  expect(key.body.message).toBe('Idempotency-Key: "bad key!" is invalid: 1-128 characters [A-Za-z0-9_.:-]');
  expect((await env.call('PATCH', '/tenants/acme', { body: { status: 'active' }, headers: { 'If-Match': 'abc' } })).body.message)
    .toContain('If-Match: "abc" is invalid');
});

test('unknown tenant or client → 404, unknown route → 404', async () => {
  expect(await env.call('GET', '/tenants/nobody')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  expect(await env.call('POST', '/tenants/nobody/clients', { body: { name: 'svc', scopes: [READ] } })).toMatchObject({ status: 404 });
  expect(await env.call('GET', '/tenants/acme/clients/abc123')).toMatchObject({ status: 404 });
  expect(await env.call('GET', '/elsewhere')).toMatchObject({ status: 404 });
});

test('nothing was created by invalid requests', async () => {
  expect(await env.cognitoClients()).toEqual([]);
  expect(ADMIN.scopes).toHaveLength(1);
});

test('API Gateway resource templates with pathParameters are routed too', async () => {
  const event = {
    httpMethod: 'GET',
    resource: '/tenants/{tenantId}',
    path: '/prod/tenants/acme',
    pathParameters: { tenantId: 'acme' },
    headers: {},
    body: null,
    requestContext: { requestId: 'r1', authorizer: { clientId: ADMIN.clientId, tenantId: '', scopes: ADMIN.scopes.join(' ') } },
  };
  const res = await env.portal.api(event as any);
  expect(res.statusCode).toBe(200);
  expect(JSON.parse(res.body).tenantId).toBe('acme');
  expect(res.headers).toMatchObject({ 'Cache-Control': 'no-store', 'ETag': '"1"' });
});
