/**
 * Idempotent creates, Cognito throttling, optimistic concurrency and the
 * rotation sweep.
 */
import { CreateUserPoolClientCommand, UpdateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { checkConsistency, Env, expectNoSecretLeak, READ, setup, WRITE } from './harness';

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ env, close } = await setup());
  for (const tenantId of ['idem', 'throttle', 'race', 'sweep']) expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
});
afterAll(async () => close());

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
const creates = () => env.cognitoMock.commandCalls(CreateUserPoolClientCommand).length;

describe('idempotency', () => {
  test('a retry with the same Idempotency-Key never creates a second app client', async () => {
    const before = creates();
    const body = { name: 'orders', scopes: [READ] };
    const first = await env.call('POST', '/tenants/idem/clients', { body, headers: { 'Idempotency-Key': 'k-1' } });
    expect(first.status).toBe(201);
    const again = await env.call('POST', '/tenants/idem/clients', { body, headers: { 'idempotency-key': 'k-1' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ clientId: first.body.clientId, secretAlreadyIssued: true });
    expect(again.body).not.toHaveProperty('clientSecret');
    expect(creates() - before).toBe(1);
    // the same key for another request
    const other = await env.call('POST', '/tenants/idem/clients', { body: { name: 'other', scopes: [READ] }, headers: { 'Idempotency-Key': 'k-1' } });
    expect(other).toMatchObject({ status: 400, body: { message: 'Idempotency-Key: "k-1" is invalid: already used for a different request' } });
  });

  test('a retry with the same tenant and name (no key) returns the client; other scopes → 409', async () => {
    const before = creates();
    const first = await env.call('POST', '/tenants/idem/clients', { body: { name: 'billing', scopes: [WRITE, READ] } });
    expect(first.status).toBe(201);
    const again = await env.call('POST', '/tenants/idem/clients', { body: { name: 'billing', scopes: [READ, WRITE] } });
    expect(again).toMatchObject({ status: 200, body: { clientId: first.body.clientId, secretAlreadyIssued: true } });
    const conflict = await env.call('POST', '/tenants/idem/clients', { body: { name: 'billing', scopes: [READ] } });
    expect(conflict).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(creates() - before).toBe(1);
    expect((await env.cognitoClients()).filter((c) => c.ClientName === '@portal.idem.billing')).toHaveLength(1);
  });

  test('concurrent identical creates make exactly one app client', async () => {
    const before = creates();
    const results = await Promise.all([1, 2, 3].map(() => env.call('POST', '/tenants/idem/clients', { body: { name: 'race', scopes: [READ] } })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results) expect([200, 201, 409]).toContain(r.status);
    expect(creates() - before).toBe(1);
    await checkConsistency(env);
  });
});

describe('throttling', () => {
  test('TooManyRequestsException twice, then success → 201 after backoff', async () => {
    env.injector.reset();
    let calls = 0;
    const original = env.injector.around.bind(env.injector);
    env.injector.around = async (name, call) => {
      if (name === 'cognito:CreateUserPoolClient' && ++calls <= 2) throw throttled();
      return original(name, call);
    };
    env.sleeps = [];
    const res = await env.call('POST', '/tenants/throttle/clients', { body: { name: 'svc', scopes: [READ] } });
    env.injector.around = original;
    env.injector.reset();
    expect(res.status).toBe(201);
    expect(calls).toBe(3);
    expect(env.sleeps).toEqual([100, 200]); // full jitter with random() = 0.5: 0.5 × 200, 0.5 × 400
    await checkConsistency(env);
  });

  test('always throttled → 429 with Retry-After, nothing left behind', async () => {
    env.injector.reset();
    env.injector.override.set('cognito:CreateUserPoolClient', throttled);
    env.sleeps = [];
    const res = await env.call('POST', '/tenants/throttle/clients', { body: { name: 'svc2', scopes: [READ] } });
    env.injector.reset();
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('throttled');
    expect(res.headers['Retry-After']).toBe('2');
    expect(env.sleeps).toHaveLength(3); // 4 attempts
    await checkConsistency(env);
    // the name was released: a later request succeeds
    expect((await env.call('POST', '/tenants/throttle/clients', { body: { name: 'svc2', scopes: [READ] } })).status).toBe(201);
  });

  test('throttled scope change → 429, app client unchanged', async () => {
    const c = await env.call('POST', '/tenants/throttle/clients', { body: { name: 'svc3', scopes: [READ] } });
    env.injector.reset();
    env.injector.override.set('cognito:UpdateUserPoolClient', throttled);
    const res = await env.call('PATCH', `/tenants/throttle/clients/${c.body.clientId}`, { body: { scopes: [WRITE] } });
    env.injector.reset();
    expect(res.status).toBe(429);
    const got = await env.call('GET', `/tenants/throttle/clients/${c.body.clientId}`);
    expect(got.body.scopes).toEqual([READ]);
    await checkConsistency(env);
  });
});

describe('optimistic concurrency', () => {
  test('two PATCHes on the same version (If-Match) → one 409', async () => {
    const c = await env.call('POST', '/tenants/race/clients', { body: { name: 'svc', scopes: [READ] } });
    expect(c.headers.ETag).toBe('"1"');
    const [a, b] = await Promise.all([
      env.call('PATCH', `/tenants/race/clients/${c.body.clientId}`, { body: { status: 'suspended' }, headers: { 'If-Match': '"1"' } }),
      env.call('PATCH', `/tenants/race/clients/${c.body.clientId}`, { body: { scopes: [READ, WRITE] }, headers: { 'If-Match': '"1"' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    await checkConsistency(env);
  });

  test('two concurrent PATCHes that read the same version → the loser gets 409 (conditional write)', async () => {
    const c = await env.call('POST', '/tenants/race/clients', { body: { name: 'svc2', scopes: [READ] } });
    // Hold both reads of the client until both have happened, so both PATCHes start from version 1.
    const original = env.injector.around.bind(env.injector);
    let reads = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => { release = resolve; });
    env.injector.around = async (name, call) => {
      const out = await original(name, call);
      if (name === 'ddb:GetItem' && reads < 2) {
        if (++reads === 2) release();
        await bothRead;
      }
      return out;
    };
    const [a, b] = await Promise.all([
      env.call('PATCH', `/tenants/race/clients/${c.body.clientId}`, { body: { status: 'suspended' } }),
      env.call('PATCH', `/tenants/race/clients/${c.body.clientId}`, { body: { accessTokenValidityMinutes: 30 } }),
    ]);
    env.injector.around = original;
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.message).toContain('changed meanwhile');
    await checkConsistency(env);
  });

  test('a stale If-Match on a tenant → 409', async () => {
    expect((await env.call('PATCH', '/tenants/race', { body: { status: 'suspended' }, headers: { 'If-Match': '"7"' } })).status).toBe(409);
  });
});

describe('rotation sweep', () => {
  test('the scheduled event deletes old secrets whose grace period has passed', async () => {
    const c = await env.call('POST', '/tenants/sweep/clients', { body: { name: 'svc', scopes: [READ] } });
    const rot = await env.call('POST', `/tenants/sweep/clients/${c.body.clientId}/secrets`);
    expect(rot.status).toBe(201);
    expect(env.secrets.get(c.body.clientId)).toHaveLength(2);

    // within the grace period: nothing happens
    expect(await env.portal.handler({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' })).toMatchObject({ expired: 0 });
    expect(env.secrets.get(c.body.clientId)).toHaveLength(2);

    const saved = env.now;
    env.now = new Date(saved.getTime() + 25 * 3600_000);
    const result = await env.portal.handler({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' });
    env.now = saved;
    expect(result).toMatchObject({ expired: 1, failed: 0 });
    expect(env.secrets.get(c.body.clientId)!.map((s) => s.id)).toEqual([rot.body.clientSecretId]);
    const got = await env.call('GET', `/tenants/sweep/clients/${c.body.clientId}`);
    expect(got.body.rotation).toBeUndefined();
    const audit = await env.call('GET', '/tenants/sweep/audit');
    expect(audit.body.items[0]).toMatchObject({ action: 'client.secret.deleted', actor: 'system:rotation-sweep' });
    await checkConsistency(env);
  });
});

test('no secret in any log line or stored item', async () => {
  expect(env.cognitoMock.commandCalls(UpdateUserPoolClientCommand).length).toBeGreaterThan(0);
  await expectNoSecretLeak(env);
});
