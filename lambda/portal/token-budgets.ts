/**
 * Token budgets in the portal (DeveloperPortal.addTokenBudgets): a
 * tenant's budget on its registry record (`tokenBudget`, which the budget
 * function reads), the budget suspensions the budget function writes to its
 * own table (shown in tenant and client answers), and lifting one early.
 * Platform admins only (portal-routes.ts); every change is audited.
 */
import { BatchGetCommand, BatchGetCommandOutput, DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { audit, bestEffort, forward, OpContext, tenantView } from './context';
import { BadRequestError, ConflictError, isConditionFailed, NotFoundError } from './errors';
import { loadTenant } from './tenants';
import type { BudgetSuspension, Client, SetTokenBudgetRequest, Tenant, TokenBudgetSpec } from '../../lib/private/contracts/portal-api';
import {
  BudgetSubject, isBudgetCount, isSuspendSeconds, MAX_BUDGET, MAX_SUSPEND_SECONDS, MIN_SUSPEND_SECONDS, SUSPENSION_SK, SuspensionRecord, suspensionPk,
} from '../../lib/private/contracts/token-budget';

/** The audit actions of the portal's budget changes (the budget function writes `token_budget.exceeded` and `.suspended`). */
export const PORTAL_BUDGET_ACTIONS = { set: 'token_budget.set', removed: 'token_budget.removed', lifted: 'token_budget.lifted' } as const;

/** BatchGetItem's limit of keys per request. */
const BATCH_KEYS = 100;

/** The budget table's suspension records, as the portal reads and lifts them. */
export class BudgetSuspensions {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  /** The subject's suspension while it lasts at `now`; none when there is no record or it has ended. */
  public async active(subject: BudgetSubject, id: string, now: Date): Promise<BudgetSuspension | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: suspensionPk(subject, id), sk: SUSPENSION_SK }, ConsistentRead: true,
    }));
    return suspensionView(out.Item as StoredSuspension | undefined, now);
  }

  /** The active suspensions of many clients, by client id. */
  public async activeClients(clientIds: readonly string[], now: Date): Promise<Map<string, BudgetSuspension>> {
    const out = new Map<string, BudgetSuspension>();
    const ids = [...new Set(clientIds)];
    for (let i = 0; i < ids.length; i += BATCH_KEYS) {
      let keys: Array<Record<string, unknown>> | undefined = ids.slice(i, i + BATCH_KEYS)
        .map((id) => ({ pk: suspensionPk('client', id), sk: SUSPENSION_SK }));
      // Unprocessed keys (throttling) are asked again; the SDK's own retries space the requests.
      while (keys && keys.length > 0) {
        const request = new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } });
        const res: BatchGetCommandOutput = await this.doc.send(request);
        for (const item of res.Responses?.[this.table] ?? []) {
          const view = suspensionView(item as StoredSuspension, now);
          if (view) out.set((item as StoredSuspension).id, view);
        }
        keys = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }

  /** Deletes the record if it is still in force; returns what was lifted. */
  public async lift(subject: BudgetSubject, id: string, now: Date): Promise<BudgetSuspension | undefined> {
    try {
      const out = await this.doc.send(new DeleteCommand({
        TableName: this.table,
        Key: { pk: suspensionPk(subject, id), sk: SUSPENSION_SK },
        ConditionExpression: '#u > :now',
        ExpressionAttributeNames: { '#u': 'until' },
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        ReturnValues: 'ALL_OLD',
      }));
      return suspensionView(out.Attributes as StoredSuspension | undefined, now);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}

/** A suspension record as the budget function writes it (counter.ts `suspend`). */
type StoredSuspension = SuspensionRecord & { readonly at?: string };

function suspensionView(r: StoredSuspension | undefined, now: Date): BudgetSuspension | undefined {
  if (!r || typeof r.until !== 'number' || r.until * 1000 <= now.getTime()) return undefined;
  return {
    subject: r.subject,
    until: new Date(r.until * 1000).toISOString(),
    window: r.window,
    budget: r.budget,
    count: r.count,
    since: typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) ? r.at : undefined,
  };
}

/** The portal's suspensions, or the 404 of a portal without token budgets. */
export function suspensionsOf(ctx: OpContext): BudgetSuspensions {
  if (!ctx.suspensions) {
    throw new NotFoundError('this portal has no token budgets: add them with DeveloperPortal.addTokenBudgets(budgets)');
  }
  return ctx.suspensions;
}

/** `{ "tokenBudget": { perHour?, perDay?, suspendForSeconds? } | null }`, each field named in its error. */
export function parseSetTokenBudget(body: Record<string, unknown>): SetTokenBudgetRequest {
  for (const key of Object.keys(body)) {
    if (key !== 'tokenBudget') throw new BadRequestError(key, body[key], 'unknown field; allowed fields are tokenBudget');
  }
  const b = body.tokenBudget;
  if (b === null) return { tokenBudget: null };
  if (typeof b !== 'object' || b === undefined || Array.isArray(b)) {
    throw new BadRequestError('tokenBudget', b, 'an object { perHour?, perDay?, suspendForSeconds? }, or null to remove the budget');
  }
  const spec = b as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!['perHour', 'perDay', 'suspendForSeconds'].includes(key)) {
      throw new BadRequestError(`tokenBudget.${key}`, spec[key], 'unknown field; allowed fields are perHour, perDay, suspendForSeconds');
    }
  }
  const count = (field: 'perHour' | 'perDay'): number | undefined => {
    const v = spec[field];
    if (v !== undefined && !isBudgetCount(v)) {
      throw new BadRequestError(`tokenBudget.${field}`, v, `a whole number of tokens from 0 to ${MAX_BUDGET}`);
    }
    return v as number | undefined;
  };
  const out: TokenBudgetSpec = { perHour: count('perHour'), perDay: count('perDay'), suspendForSeconds: spec.suspendForSeconds as number | undefined };
  const f = out.suspendForSeconds;
  if (f !== undefined && !isSuspendSeconds(f)) {
    throw new BadRequestError('tokenBudget.suspendForSeconds', f,
      `whole seconds from ${MIN_SUSPEND_SECONDS} to ${MAX_SUSPEND_SECONDS} (30 days); leave it out to alarm without suspending`);
  }
  if (out.perHour === undefined && out.perDay === undefined) {
    throw new BadRequestError('tokenBudget', b, 'set perHour, perDay or both (null removes the budget)');
  }
  return { tokenBudget: out };
}

/** Sets or removes the tenant's budget (optimistic concurrency with If-Match), audited. */
export async function setTokenBudget(
  ctx: OpContext, tenantId: string, req: SetTokenBudgetRequest, expectedVersion: number | undefined,
): Promise<Tenant> {
  suspensionsOf(ctx);
  const tenant = await loadTenant(ctx, tenantId);
  if (tenant.status === 'deleted' || tenant.status === 'deleting') throw new NotFoundError(`tenantId: ${tenantId} was deleted`);
  if (expectedVersion !== undefined && expectedVersion !== tenant.version) {
    throw new ConflictError(`tenant ${tenantId} is at version ${tenant.version}, not ${expectedVersion}`);
  }
  const budget = req.tokenBudget ?? undefined;
  const stamp = { updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor };
  let updated;
  try {
    updated = await ctx.store.updateTenant(tenantId, tenant.version, budget
      ? { set: { tokenBudget: budget, ...stamp } }
      : { set: stamp, remove: ['tokenBudget'] });
  } catch (err) {
    if (isConditionFailed(err)) throw new ConflictError(`tenant ${tenantId} changed meanwhile; reload and retry`);
    throw err;
  }
  try {
    await audit(ctx, tenantId, budget ? PORTAL_BUDGET_ACTIONS.set : PORTAL_BUDGET_ACTIONS.removed, budget ? { ...budget } : undefined);
  } catch (err) {
    // Without its audit entry the change does not stand.
    await bestEffort(ctx, 'budget_revert_failed', { tenantId }, () => ctx.store.updateTenant(tenantId, updated.version, tenant.tokenBudget
      ? { set: { tokenBudget: tenant.tokenBudget, updatedAt: tenant.updatedAt, updatedBy: tenant.updatedBy } }
      : { set: { updatedAt: tenant.updatedAt, updatedBy: tenant.updatedBy }, remove: ['tokenBudget'] }));
    throw err;
  }
  ctx.log.info('tenant token budget changed', { tenantId, reason: budget ? 'set' : 'removed' });
  return { ...tenantView(updated, ctx.config), budgetSuspension: await ctx.suspensions!.active('tenant', tenantId, ctx.now()) };
}

/** Lifts a budget suspension in force (404 when there is none), audited `token_budget.lifted`. */
export async function liftSuspension(ctx: OpContext, tenantId: string, subject: BudgetSubject, id: string): Promise<BudgetSuspension> {
  const lifted = await suspensionsOf(ctx).lift(subject, id, ctx.now());
  const what = subject === 'client' ? `client ${id} of tenant ${tenantId}` : `tenant ${tenantId}`;
  if (!lifted) throw new NotFoundError(`${what} has no budget suspension in force`);
  // The lift stands (it only lets a client in again): its audit entry is retried once, then the error is answered.
  await forward(() => audit(ctx, tenantId, PORTAL_BUDGET_ACTIONS.lifted, {
    subject, ...(subject === 'client' ? { clientId: id } : {}), window: lifted.window, budget: lifted.budget, suspendedUntil: lifted.until,
  }));
  ctx.log.info('budget suspension lifted', { tenantId, ...(subject === 'client' ? { clientId: id } : {}) });
  return lifted;
}

/** The clients, each with its budget suspension in force (unchanged without token budgets). */
export async function withClientSuspensions<T extends Client>(ctx: OpContext, clients: T[]): Promise<T[]> {
  if (!ctx.suspensions || clients.length === 0) return clients;
  const active = await ctx.suspensions.activeClients(clients.map((c) => c.clientId), ctx.now());
  return clients.map((c) => (active.has(c.clientId) ? { ...c, budgetSuspension: active.get(c.clientId) } : c));
}

/** The tenant with its budget suspension in force (unchanged without token budgets). */
export async function withTenantSuspension<T extends Tenant>(ctx: OpContext, tenant: T): Promise<T> {
  if (!ctx.suspensions) return tenant;
  const active = await ctx.suspensions.active('tenant', tenant.tenantId, ctx.now());
  return active ? { ...tenant, budgetSuspension: active } : tenant;
}
