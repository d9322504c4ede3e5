/**
 * Token budgets in the portal, on dynalite: a platform admin sets a tenant's
 * budget where the budget function reads it, sees the suspensions the budget
 * function writes in tenant and client answers, and lifts them early; every
 * change is in the audit trail; bad bodies get 400s naming field, value and
 * rule; tenant admins may do none of it; a portal without token budgets
 * says so.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiEvent, createTable, Env, READ, setup, tenantAdmin } from './harness';
import { createPortal } from '../../../lambda/portal/portal';
import { Logger } from '../../../lambda/shared/log';
import { BudgetBook } from '../../../lambda/token-budget/budgets';
import { BudgetStore } from '../../../lambda/token-budget/counter';
import type { AuditEntry } from '../../../lib/private/contracts/audit';

const BUDGETS = 'budgets';
let env: Env;
let close: () => Promise<void>;
let doc: DynamoDBDocumentClient;
/** The budget function's own store, writing suspensions as it does after a crossing. */
let budgetStore: BudgetStore;
let clientId: string;

beforeAll(async () => {
  ({ env, close } = await setup({ config: { budgetTable: BUDGETS } }));
  await createTable(env.ddb, BUDGETS);
  doc = DynamoDBDocumentClient.from(env.ddb);
  budgetStore = new BudgetStore(doc, BUDGETS);
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'globex' } })).status).toBe(201);
  expect((await env.call('POST', '/tenants', { body: { tenantId: 'initech' } })).status).toBe(201);
  const c = await env.call('POST', '/tenants/globex/clients', { body: { name: 'billing', scopes: [READ] } });
  expect(c.status).toBe(201);
  clientId = c.body.clientId;
}, 60_000);
afterAll(async () => close());

const nowS = () => Math.floor(env.now.getTime() / 1000);
async function auditOf(tenantId: string, action: string): Promise<AuditEntry[]> {
  const out = await doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#${tenantId}` } }));
  return (out.Items as AuditEntry[]).filter((e) => e.action === action);
}
/** The tenant's budget as the budget function reads it from the registry. */
const functionReads = (tenantId: string) => new BudgetBook({ clients: {}, tenants: {} }, { doc, table: env.table, ttlMs: 0 })
  .tenant(tenantId, (err) => { throw err; });

describe('PUT /tenants/{tenantId}/token-budget', () => {
  test('sets the tenant\'s budget where the budget function reads it, with If-Match, audited; null removes it', async () => {
    const before = await env.call('GET', '/tenants/initech');
    const set = await env.call('PUT', '/tenants/initech/token-budget', {
      body: { tokenBudget: { perHour: 500, perDay: 5000, suspendForSeconds: 1800 } }, headers: { 'If-Match': `"${before.body.version}"` },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ tenantId: 'initech', tokenBudget: { perHour: 500, perDay: 5000, suspendForSeconds: 1800 }, version: before.body.version + 1 });
    expect(set.headers.ETag).toBe(`"${before.body.version + 1}"`);
    expect(await functionReads('initech')).toEqual({ perHour: 500, perDay: 5000, suspendForSeconds: 1800 });
    expect((await env.call('GET', '/tenants/initech')).body.tokenBudget).toEqual({ perHour: 500, perDay: 5000, suspendForSeconds: 1800 });
    expect(await auditOf('initech', 'token_budget.set')).toEqual([expect.objectContaining({
      actor: 'adminclient1', detail: { perHour: 500, perDay: 5000, suspendForSeconds: 1800 },
    })]);

    // A stale version is refused and changes nothing.
    const stale = await env.call('PUT', '/tenants/initech/token-budget', { body: { tokenBudget: { perHour: 1 } }, headers: { 'If-Match': `"${before.body.version}"` } });
    expect(stale.status).toBe(409);
    expect(await functionReads('initech')).toEqual({ perHour: 500, perDay: 5000, suspendForSeconds: 1800 });

    const removed = await env.call('PUT', '/tenants/initech/token-budget', { body: { tokenBudget: null } });
    expect(removed.status).toBe(200);
    expect(removed.body.tokenBudget).toBeUndefined();
    expect(await functionReads('initech')).toBeUndefined();
    expect(await auditOf('initech', 'token_budget.removed')).toHaveLength(1);
  });

  test.each([
    [{ tokenBudget: { perHour: -1 } }, 'tokenBudget.perHour: -1 is invalid: a whole number of tokens from 0 to 1000000000'],
    [{ tokenBudget: { perDay: 2.5 } }, 'tokenBudget.perDay: 2.5 is invalid: a whole number of tokens from 0 to 1000000000'],
    [{ tokenBudget: { perHour: '10' } }, 'tokenBudget.perHour: "10" is invalid: a whole number of tokens'],
    [{ tokenBudget: { perHour: 10, suspendForSeconds: 30 } }, 'tokenBudget.suspendForSeconds: 30 is invalid: whole seconds from 60 to 2592000 (30 days)'],
    [{ tokenBudget: { suspendForSeconds: 600 } }, 'tokenBudget: {"suspendForSeconds":600} is invalid: set perHour, perDay or both (null removes the budget)'],
    [{ tokenBudget: { perHour: 1, perMinute: 1 } }, 'tokenBudget.perMinute: 1 is invalid: unknown field; allowed fields are perHour, perDay, suspendForSeconds'],
    [{ tokenBudget: 'lots' }, 'tokenBudget: "lots" is invalid: an object { perHour?, perDay?, suspendForSeconds? }, or null to remove the budget'],
    [{}, 'tokenBudget: undefined is invalid: an object'],
    [{ tokenBudget: { perHour: 1 }, extra: true }, 'extra: true is invalid: unknown field; allowed fields are tokenBudget'],
  ])('%j is a 400 naming the field, the value and the rule', async (body, message) => {
    const res = await env.call('PUT', '/tenants/initech/token-budget', { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    expect(res.body.message).toContain(message);
  });

  test('an unknown tenant is a 404', async () => {
    expect((await env.call('PUT', '/tenants/nobody/token-budget', { body: { tokenBudget: { perHour: 1 } } })).status).toBe(404);
  });
});

describe('budget suspensions in answers, and lifting them', () => {
  test('tenant and client answers show the suspensions the budget function wrote, while they last', async () => {
    await budgetStore.suspend({ subject: 'client', id: clientId, until: nowS() + 600, window: 'hour', budget: 100, count: 101 }, env.now.toISOString());
    await budgetStore.suspend({ subject: 'tenant', id: 'globex', until: nowS() + 1200, window: 'day', budget: 1000, count: 1001 }, env.now.toISOString());
    const expectedClient = { subject: 'client', until: new Date((nowS() + 600) * 1000).toISOString(), window: 'hour', budget: 100, count: 101, since: env.now.toISOString() };
    const tenant = await env.call('GET', '/tenants/globex');
    expect(tenant.body.budgetSuspension).toEqual({ subject: 'tenant', until: new Date((nowS() + 1200) * 1000).toISOString(), window: 'day', budget: 1000, count: 1001, since: env.now.toISOString() });
    expect(tenant.body.clients[0].budgetSuspension).toEqual(expectedClient);
    expect((await env.call('GET', `/tenants/globex/clients/${clientId}`)).body.budgetSuspension).toEqual(expectedClient);
    expect((await env.call('GET', '/tenants/globex/clients')).body.items[0].budgetSuspension).toEqual(expectedClient);
    // Another tenant shows none.
    expect((await env.call('GET', '/tenants/initech')).body.budgetSuspension).toBeUndefined();

    // Once its time has passed, a suspension is no longer shown (its record waits for the table's TTL).
    const saved = env.now;
    env.now = new Date(saved.getTime() + 601_000);
    try {
      const later = await env.call('GET', '/tenants/globex');
      expect(later.body.clients[0].budgetSuspension).toBeUndefined();
      // The tenant's suspension (1,200 s) is still in force.
      expect(later.body.budgetSuspension).toMatchObject({ subject: 'tenant', window: 'day', budget: 1000 });
      expect((await env.call('DELETE', `/tenants/globex/clients/${clientId}/token-budget-suspension`)).status).toBe(404);
    } finally {
      env.now = saved;
    }
  });

  test('a platform admin lifts a client\'s suspension, audited token_budget.lifted; lifting again is a 404', async () => {
    await budgetStore.suspend({ subject: 'client', id: clientId, until: nowS() + 600, window: 'hour', budget: 100, count: 101 }, env.now.toISOString());
    const lifted = await env.call('DELETE', `/tenants/globex/clients/${clientId}/token-budget-suspension`);
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ clientId, tenantId: 'globex' });
    expect(lifted.body.budgetSuspension).toBeUndefined();
    expect(await budgetStore.suspension('client', clientId)).toBeUndefined();
    expect(await auditOf('globex', 'token_budget.lifted')).toContainEqual(expect.objectContaining({
      actor: 'adminclient1',
      detail: { subject: 'client', clientId, window: 'hour', budget: 100, suspendedUntil: new Date((nowS() + 600) * 1000).toISOString() },
    }));
    const again = await env.call('DELETE', `/tenants/globex/clients/${clientId}/token-budget-suspension`);
    expect(again.status).toBe(404);
    expect(again.body.message).toBe(`client ${clientId} of tenant globex has no budget suspension in force`);
  });

  test('a platform admin lifts a tenant\'s suspension', async () => {
    await budgetStore.suspend({ subject: 'tenant', id: 'globex', until: nowS() + 1200, window: 'day', budget: 1000, count: 1001 }, env.now.toISOString());
    const lifted = await env.call('DELETE', '/tenants/globex/token-budget-suspension');
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ tenantId: 'globex' });
    expect(await budgetStore.suspension('tenant', 'globex')).toBeUndefined();
    expect((await auditOf('globex', 'token_budget.lifted')).map((e) => e.detail?.subject)).toContain('tenant');
  });

  test('a client of another tenant is not lifted through this one (404, nothing deleted)', async () => {
    await budgetStore.suspend({ subject: 'client', id: clientId, until: nowS() + 600, window: 'hour', budget: 100, count: 101 }, env.now.toISOString());
    expect((await env.call('DELETE', `/tenants/initech/clients/${clientId}/token-budget-suspension`)).status).toBe(404);
    expect(await budgetStore.suspension('client', clientId)).toMatchObject({ budget: 100, count: 101 });
    await budgetStore.lift('client', clientId);
  });
});

describe('who may', () => {
  test.each([
    ['PUT', '/tenants/globex/token-budget', { tokenBudget: { perHour: 1 } }],
    ['DELETE', '/tenants/globex/token-budget-suspension', undefined],
    ['DELETE', '/tenants/globex/clients/CLIENT/token-budget-suspension', undefined],
  ])('a tenant admin may not %s %s (403), even of its own tenant', async (method, p, body) => {
    await budgetStore.suspend({ subject: 'client', id: clientId, until: nowS() + 600, window: 'hour', budget: 100, count: 101 }, env.now.toISOString());
    const res = await env.call(method, p.replace('CLIENT', clientId), { body, caller: tenantAdmin('globex') });
    expect(res.status).toBe(403);
    expect(await budgetStore.suspension('client', clientId)).toMatchObject({ budget: 100, count: 101 });
    await budgetStore.lift('client', clientId);
  });
});

test('a portal without token budgets says so, and its answers carry no suspension', async () => {
  const plain = createPortal({ cognito: env.real, ddb: env.ddb, config: { ...env.config, budgetTable: undefined }, clock: () => env.now, logger: new Logger('error', () => undefined) });
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await plain.api(apiEvent(method, p, { body })) as APIGatewayProxyResult;
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  const set = await call('PUT', '/tenants/globex/token-budget', { tokenBudget: { perHour: 1 } });
  expect(set).toEqual({ status: 404, body: { error: 'not_found', message: 'this portal has no token budgets: add them with DeveloperPortal.addTokenBudgets(budgets)' } });
  expect((await call('DELETE', '/tenants/globex/token-budget-suspension')).status).toBe(404);
  await budgetStore.suspend({ subject: 'tenant', id: 'globex', until: nowS() + 600, window: 'hour', budget: 1, count: 2 }, env.now.toISOString());
  expect((await call('GET', '/tenants/globex')).body.budgetSuspension).toBeUndefined();
  await budgetStore.lift('tenant', 'globex');
});
