/**
 * Failure injection: for each operation, count the DynamoDB and Cognito
 * calls of a clean run, then make call N fail, for every N, both before the
 * call is sent and after it succeeded (a lost answer). Afterwards the
 * registry and the pool must agree (no orphan app client, no record pointing
 * at a missing client or secret, no lock left), the answer must be the
 * success or a 500, and a plain retry must converge.
 */
import { checkConsistency, Env, expectNoSecretLeak, READ, setup, WRITE } from './harness';

let env: Env;
let close: () => Promise<void>;
beforeAll(async () => ({ env, close } = await setup()));
afterAll(async () => close());

let seq = 0;

interface Op {
  readonly success: number;
  /** Prepares a fresh tenant (and whatever the op needs); returns the request to fail. */
  prepare(tenantId: string): Promise<() => Promise<{ status: number; body: any }>>;
}

async function tenantWithClient(tenantId: string): Promise<string> {
  expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
  const c = await env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: 'svc', scopes: [READ] } });
  expect(c.status).toBe(201);
  return c.body.clientId;
}

const OPS: Record<string, Op> = {
  register: {
    success: 201,
    async prepare(tenantId) {
      expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
      return () => env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: 'svc', scopes: [READ, WRITE], accessTokenValidityMinutes: 10 } });
    },
  },
  rotate: {
    success: 201,
    async prepare(tenantId) {
      const clientId = await tenantWithClient(tenantId);
      return () => env.call('POST', `/tenants/${tenantId}/clients/${clientId}/secrets`);
    },
  },
  confirmDeleteOldSecret: {
    success: 200,
    async prepare(tenantId) {
      const clientId = await tenantWithClient(tenantId);
      const rot = await env.call('POST', `/tenants/${tenantId}/clients/${clientId}/secrets`);
      expect(rot.status).toBe(201);
      return () => env.call('DELETE', `/tenants/${tenantId}/clients/${clientId}/secrets/${rot.body.oldSecretId}`);
    },
  },
  changeScopes: {
    success: 200,
    async prepare(tenantId) {
      const clientId = await tenantWithClient(tenantId);
      return () => env.call('PATCH', `/tenants/${tenantId}/clients/${clientId}`, { body: { scopes: [READ, WRITE], accessTokenValidityMinutes: 20 } });
    },
  },
  deleteClient: {
    success: 200,
    async prepare(tenantId) {
      const clientId = await tenantWithClient(tenantId);
      return () => env.call('DELETE', `/tenants/${tenantId}/clients/${clientId}`);
    },
  },
  deleteTenant: {
    success: 200,
    async prepare(tenantId) {
      await tenantWithClient(tenantId);
      expect((await env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: 'svc2', scopes: [WRITE] } })).status).toBe(201);
      return () => env.call('DELETE', `/tenants/${tenantId}`);
    },
  },
};

describe.each(Object.keys(OPS))('%s', (opName) => {
  const op = OPS[opName];

  test('fails at every step without leaving an inconsistency, and a retry converges', async () => {
    // Clean run: count the calls.
    const clean = await op.prepare(`fi-${opName}-clean`);
    env.injector.reset();
    expect((await clean()).status).toBe(op.success);
    const steps = [...env.injector.calls];
    expect(steps.length).toBeGreaterThan(2);
    await checkConsistency(env);

    for (const mode of ['before', 'after'] as const) {
      for (let n = 1; n <= steps.length; n++) {
        const tenantId = `fi-${opName}-${mode}-${n}-${++seq}`;
        env.injector.reset();
        const request = await op.prepare(tenantId);
        env.injector.reset();
        env.injector.failAt = n;
        env.injector.mode = mode;
        const res = await request();
        env.injector.reset();
        const label = `${opName}: fail ${mode} step ${n} (${steps[n - 1]})`;
        if (process.env.FI_DEBUG) process.stderr.write(`FI ${label} -> ${res.status}\n`);
        expect({ label, status: [op.success, 500].includes(res.status) ? 'ok' : res.status }).toEqual({ label, status: 'ok' });
        if (res.status === 500) {
          expect(res.body).toEqual({ error: 'internal', message: expect.any(String), requestId: expect.any(String) });
          expect(JSON.stringify(res.body)).not.toContain('injected');
        }
        await checkConsistency(env, { allowPendingReservations: mode === 'after' });

        // A retry converges (a pending reservation left by a lost answer recovers once stale).
        if (res.status !== op.success) {
          const saved = env.now;
          env.now = new Date(saved.getTime() + 6 * 60_000);
          const retry = await request();
          env.now = saved;
          expect({ label, retry: retry.status }).toEqual({ label, retry: retry.status === 200 || retry.status === op.success ? retry.status : 'success' });
        }
        await checkConsistency(env);
      }
    }
  });
});

test('no secret in any log line or stored item', async () => {
  await expectNoSecretLeak(env);
});
