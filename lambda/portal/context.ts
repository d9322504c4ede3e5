/**
 * What every portal operation works with, plus shared helpers: audit
 * entries, best-effort compensation, and the public views of records
 * (which never include a secret).
 */
import { AppClients } from './cognito';
import { PortalConfig } from './config';
import { errorName, NotFoundError } from './errors';
import type { ClientRecord, TenantRecord } from './records';
import { Store } from './store';
import type { BudgetSuspensions } from './token-budgets';
import { UsageKeys } from './usage-keys';
import type { AuditDetail, Client, ClientRotation, Role, Tenant, TenantUsageTiers } from '../../lib/private/contracts/portal-api';
import { Logger } from '../shared/log';

export interface OpContext {
  readonly store: Store;
  readonly apps: AppClients;
  /** API Gateway keys and usage plans; set when the portal manages tiered APIs. */
  readonly usage?: UsageKeys;
  readonly config: PortalConfig;
  readonly now: () => Date;
  readonly log: Logger;
  readonly requestId: string;
  /** Who acts: the calling client id, or `system:<job>` for scheduled work. */
  readonly actor: string;
  /** The caller's role; undefined for scheduled work. */
  readonly role?: Role;
  /** Budget suspensions; set when the portal has token budgets (BUDGET_TABLE_NAME). */
  readonly suspensions?: BudgetSuspensions;
}

/** A registration, scope change or rotation lock older than this was abandoned (the Lambda timeout is far shorter). */
export const STALE_AFTER_MS = 5 * 60 * 1000;

/** The fields every new tenant or client record starts with: active, version 1, created and updated now by the caller. */
export function newRecordFields(ctx: OpContext) {
  const at = ctx.now().toISOString();
  return { status: 'active' as const, createdAt: at, createdBy: ctx.actor, updatedAt: at, updatedBy: ctx.actor, version: 1 };
}

export async function audit(ctx: OpContext, tenantId: string, action: string, detail?: AuditDetail): Promise<void> {
  await ctx.store.audit({ tenantId, at: ctx.now().toISOString(), actor: ctx.actor, action, requestId: ctx.requestId, detail });
}

/** Runs a compensation or follow-up step; a failure is logged (never its message), not thrown. */
export async function bestEffort(
  ctx: OpContext, reason: string, ids: { tenantId?: string; clientId?: string }, step: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (err) {
    ctx.log.error('compensation step failed', { reason, errorName: errorName(err), ...ids });
    return false;
  }
}

/** Runs a step that must complete after an irreversible change: one retry, then the error propagates. */
export async function forward<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch {
    return step();
  }
}

export function isStale(since: string | undefined, now: Date): boolean {
  return since === undefined || now.getTime() - Date.parse(since) > STALE_AFTER_MS;
}

/**
 * The tenant's tier on each tiered API the portal manages; `null` for an API
 * where it has no key yet (re-send its POST /tenants, or PUT its tier).
 * Undefined when the portal manages no tiered API.
 */
export function usageTiersView(t: TenantRecord, config: PortalConfig): TenantUsageTiers | undefined {
  const apis = config.usageTiers ?? [];
  if (apis.length === 0) return undefined;
  return Object.fromEntries(apis.map((a) => [a.api, t.usageTiers?.[a.api] ?? null]));
}

export function tenantView(t: TenantRecord, config: PortalConfig): Tenant {
  return {
    tenantId: t.tenantId,
    displayName: t.displayName,
    status: t.status,
    createdAt: t.createdAt,
    createdBy: t.createdBy,
    updatedAt: t.updatedAt,
    updatedBy: t.updatedBy,
    usageTiers: usageTiersView(t, config),
    tokenBudget: t.tokenBudget,
    version: t.version,
  };
}

export function clientView(c: ClientRecord, config: PortalConfig): Client {
  let rotation: ClientRotation | undefined;
  if (c.rotation?.state === 'overlap') {
    rotation = { state: 'overlap', oldSecretId: c.rotation.oldSecretId, newSecretId: c.rotation.newSecretId, graceUntil: c.rotation.graceUntil };
  } else if (c.rotation) {
    rotation = { state: 'in_progress' };
  }
  return {
    tenantId: c.tenantId,
    clientId: c.clientId,
    name: c.name,
    scopes: c.scopes,
    accessTokenValidityMinutes: c.accessTokenValidityMinutes,
    status: c.status,
    tokenEndpoint: config.tokenEndpoint,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
    lastRotatedAt: c.lastRotatedAt,
    deletedAt: c.deletedAt,
    rotation,
    suspendedBy: c.status === 'suspended' ? c.suspendedBy ?? 'platform-admin' : undefined,
    version: c.version,
  };
}

/** The client, which must belong to `tenantId` (404 otherwise, so ids of other tenants are not revealed). */
export async function loadClient(ctx: OpContext, tenantId: string, clientId: string): Promise<ClientRecord> {
  const record = await ctx.store.getClient(clientId);
  if (!record || record.tenantId !== tenantId) throw new NotFoundError(`clientId: ${clientId} is not a client of tenant ${tenantId}`);
  return record;
}
