/**
 * Failure injection: for each operation, count the DynamoDB and Cognito
 * calls of a clean run, then make call N fail, for every N, both before the
 * call is sent and after it succeeded (a lost answer). Afterwards the
 * registry and the pool must agree (no orphan app client, no record pointing
 * at a missing client or secret, no lock left), the answer must be the
 * success or a 500, a plain retry must converge, and no secret may appear in
 * a log line or a stored item.
 *
 * Each operation and failure mode has an environment of its own (dynalite and
 * cognito-local), and its calls are failed in two tests of half the calls
 * each: a test's work does not grow with the tests before it and stays far
 * within the test timeout on a busy machine.
 */
import { checkConsistency, Env, expectNoSecretLeak, READ, setup, WRITE } from './harness';

let seq = 0;

interface Op {
  readonly success: number;
  /** Prepares a fresh tenant (and whatever the op needs); returns the request to fail. */
  prepare(env: Env, tenantId: string): Promise<() => Promise<{ status: number; body: any }>>;
}

async function tenantWithClient(env: Env, tenantId: string): Promise<string> {
  expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
  const c = await env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: 'svc', scopes: [READ] } });
  expect(c.status).toBe(201);
  return c.body.clientId;
}

const OPS: Record<string, Op> = {
  register: {
    success: 201,
    async prepare(env, tenantId) {
      expect((await env.call('POST', '/tenants', { body: { tenantId } })).status).toBe(201);
      return () => env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: 'svc', scopes: [READ, WRITE], accessTokenValidityMinutes: 10 } });
    },
  },
  rotate: {
    success: 201,
    async prepare(env, tenantId) {
      const clientId = await tenantWithClient(env, tenantId);
      return () => env.call('POST', `/tenants/${tenantId}/clients/${clientId}/secrets`);
    },
  },
  confirmDeleteOldSecret: {
    success: 200,
    async prepare(env, tenantId) {
      const clientId = await tenantWithClient(env, tenantId);
      const rot = await env.call('POST', `/tenants/${tenantId}/clients/${clientId}/secrets`);
      expect(rot.status).toBe(201);
      return () => env.call('DELETE', `/tenants/${tenantId}/clients/${clientId}/secrets/${rot.body.oldSecretId}`);
    },
  },
  changeScopes: {
    success: 200,
    async prepare(env, tenantId) {
      const clientId = await tenantWithClient(env, tenantId);
      return () => env.call('PATCH', `/tenants/${tenantId}/clients/${clientId}`, { body: { scopes: [READ, WRITE], accessTokenValidityMinutes: 20 } });
    },
  },
  deleteClient: {
    success: 200,
    async prepare(env, tenantId) {
      const clientId = await tenantWithClient(env, tenantId);
      return () => env.call('DELETE', `/tenants/${tenantId}/clients/${clientId}`);
    },
  },
  deleteTenant: {
    success: 200,
    async prepare(env, tenantId) {
      await tenantWithClient(env, tenantId);
      expect((await env.call('POST', `/tenants/${tenantId}/clients`, { body: { name: 'svc2', scopes: [WRITE] } })).status).toBe(201);
      return () => env.call('DELETE', `/tenants/${tenantId}`);
    },
  },
};

describe.each(Object.keys(OPS))('%s', (opName) => {
  const op = OPS[opName];

  describe.each(['before', 'after'] as const)('a failure %s a call', (mode) => {
    let env: Env;
    let close: () => Promise<void>;
    /** The calls of a clean run, in order. */
    let steps: string[];
    beforeAll(async () => {
      ({ env, close } = await setup());
      const clean = await op.prepare(env, `fi-${opName}-${mode}-clean`);
      env.injector.reset();
      const res = await clean();
      steps = [...env.injector.calls];
      env.injector.reset();
      expect(res.status).toBe(op.success);
    });
    afterAll(async () => close());

    test('a clean run makes its calls and leaves the registry and the pool consistent', async () => {
      expect(steps.length).toBeGreaterThan(2);
      await checkConsistency(env);
    });

    test.each(['first', 'second'] as const)('at each call of the %s half: no inconsistency left, the answer is the success or a 500, a retry converges', async (half) => {
      const middle = Math.ceil(steps.length / 2);
      const [from, to] = half === 'first' ? [1, middle] : [middle + 1, steps.length];
      expect(to).toBeGreaterThanOrEqual(from);
      for (let n = from; n <= to; n++) {
        const tenantId = `fi-${opName}-${mode}-${n}-${++seq}`;
        env.injector.reset();
        const request = await op.prepare(env, tenantId);
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
    });

    test('no secret in any log line or stored item', async () => {
      await expectNoSecretLeak(env);
    });
  });
});
