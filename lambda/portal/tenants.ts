/**
 * Tenants: register (idempotent), suspend/resume, delete (every client with
 * it, and its usage keys leave their plans; the audit trail stays).
 */
import { deleteClient, Reply } from './clients';
import { audit, bestEffort, newRecordFields, tenantView, OpContext } from './context';
import { ConflictError, isConditionFailed, NotFoundError } from './errors';
import type { TenantRecord } from './records';
import { completeTenantTiers, detachTenantKeys, provisionNewTenant } from './usage-tiers';
import type { CreateTenantRequest, SettableStatus, Tenant } from '../../lib/private/contracts/portal-api';

export async function loadTenant(ctx: OpContext, tenantId: string): Promise<TenantRecord> {
  const tenant = await ctx.store.getTenant(tenantId);
  if (!tenant) throw new NotFoundError(`tenantId: ${tenantId} is not a tenant`);
  return tenant;
}

/**
 * Registers a tenant (idempotent by tenant id and display name). With tiered
 * APIs, the tenant's keys are placed in each API's default tier before its
 * item is written, so no tenant exists without them; a re-sent request for
 * an existing tenant re-places its keys (see usage-tiers.ts).
 */
export async function createTenant(ctx: OpContext, req: CreateTenantRequest): Promise<Reply<Tenant>> {
  if ((ctx.config.usageTiers ?? []).length > 0) {
    // Keys are placed before the item is written: an existing tenant must not get default-tier keys.
    const found = await ctx.store.getTenant(req.tenantId);
    if (found) return existingTenant(ctx, req, found);
  }
  const usageTiers = await provisionNewTenant(ctx, req.tenantId);
  const tenant: TenantRecord = {
    tenantId: req.tenantId,
    displayName: req.displayName,
    ...newRecordFields(ctx),
    usageTiers,
  };
  // A failure here leaves keys without a tenant: harmless (nobody's value), and a retry reuses them.
  if (!(await ctx.store.createTenant(tenant))) return existingTenant(ctx, req, await loadTenant(ctx, req.tenantId));
  try {
    await audit(ctx, req.tenantId, 'tenant.created', {
      displayName: req.displayName,
      usageTiers: usageTiers ? Object.entries(usageTiers).map(([api, tier]) => `${api}:${tier}`) : undefined,
    });
  } catch (err) {
    // Without its audit entry the tenant does not count as created: undo.
    await bestEffort(ctx, 'tenant_compensation_failed', { tenantId: req.tenantId }, () => ctx.store.deleteNewTenant(req.tenantId));
    throw err;
  }
  ctx.log.info('tenant created', { tenantId: req.tenantId });
  return { status: 201, body: tenantView(tenant, ctx.config) };
}

async function existingTenant(ctx: OpContext, req: CreateTenantRequest, existing: TenantRecord): Promise<Reply<Tenant>> {
  if (existing.status === 'deleted' || existing.status === 'deleting') {
    throw new ConflictError(`tenantId: ${JSON.stringify(req.tenantId)} belonged to a deleted tenant and cannot be reused`);
  }
  if (existing.displayName !== req.displayName) {
    throw new ConflictError(`tenantId: ${JSON.stringify(req.tenantId)} already exists with another displayName`);
  }
  return { status: 200, body: tenantView(await completeTenantTiers(ctx, existing), ctx.config) };
}

export async function patchTenant(
  ctx: OpContext, tenantId: string, status: SettableStatus, expectedVersion: number | undefined,
): Promise<Tenant> {
  const tenant = await loadTenant(ctx, tenantId);
  if (tenant.status === 'deleted' || tenant.status === 'deleting') throw new NotFoundError(`tenantId: ${tenantId} was deleted`);
  if (expectedVersion !== undefined && expectedVersion !== tenant.version) {
    throw new ConflictError(`tenant ${tenantId} is at version ${tenant.version}, not ${expectedVersion}`);
  }
  if (tenant.status === status) return tenantView(tenant, ctx.config);
  let updated: TenantRecord;
  try {
    updated = await ctx.store.updateTenant(tenantId, tenant.version, { set: { status, updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor } });
  } catch (err) {
    if (isConditionFailed(err)) throw new ConflictError(`tenant ${tenantId} changed meanwhile; reload and retry`);
    throw err;
  }
  try {
    await audit(ctx, tenantId, status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed');
  } catch (err) {
    await bestEffort(ctx, 'status_revert_failed', { tenantId }, () => ctx.store.updateTenant(tenantId, updated.version, {
      set: { status: tenant.status, updatedAt: tenant.updatedAt, updatedBy: tenant.updatedBy },
    }));
    throw err;
  }
  ctx.log.info('tenant status changed', { tenantId, reason: status });
  return tenantView(updated, ctx.config);
}

/**
 * Marks the tenant `deleting` (every client denied at once), deletes each
 * client (see deleteClient), takes its API keys out of their usage plans,
 * then marks the tenant `deleted`. A failure leaves the tenant `deleting`: a
 * retried DELETE continues.
 */
export async function deleteTenant(ctx: OpContext, tenantId: string): Promise<Tenant> {
  let tenant = await loadTenant(ctx, tenantId);
  if (tenant.status === 'deleted') return tenantView(tenant, ctx.config);
  if (tenant.status !== 'deleting') {
    tenant = await ctx.store.updateTenant(tenantId, tenant.version, {
      set: { status: 'deleting', updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor },
    }).catch((err) => {
      if (isConditionFailed(err)) throw new ConflictError(`tenant ${tenantId} changed meanwhile; retry`);
      throw err;
    });
    await audit(ctx, tenantId, 'tenant.delete.requested');
  }
  for (const client of await ctx.store.listAllClients(tenantId)) {
    if (client.status !== 'deleted') await deleteClient(ctx, client);
  }
  await detachTenantKeys(ctx, tenantId);
  const at = ctx.now().toISOString();
  const deleted = await ctx.store.updateTenant(tenantId, tenant.version, {
    set: { status: 'deleted', deletedAt: at, updatedAt: at, updatedBy: ctx.actor },
    remove: (ctx.config.usageTiers ?? []).length > 0 ? ['usageTiers'] : [],
  });
  await audit(ctx, tenantId, 'tenant.deleted');
  ctx.log.info('tenant deleted', { tenantId });
  return tenantView(deleted, ctx.config);
}
