/**
 * Per-tenant usage tiers at run time (contract: lib/private/contracts/usage-tiers.ts).
 * A tenant has one API key per tiered API, in the usage plan of its tier; the
 * tenant item records the tier once the key is there (`usageTiers`).
 *
 * - A new tenant gets its keys, in each API's default tier, before its item
 *   is written, so no tenant exists without them; if a step fails nothing is
 *   recorded, and a retry reuses the keys. A re-sent POST /tenants of an
 *   existing tenant re-places its keys and gives it the ones it lacks
 *   (tenants created before an API had tiers, too).
 * - A tier change locks the tenant item (`pendingTier`, conditional on its
 *   version) → audit "requested" → takes the key out of the API's other
 *   plans, then puts it in the new tier's plan → records the tier and
 *   unlocks → audit "changed". The key leaves the old plan first because API
 *   Gateway refuses a key in two usage plans of the same API stage. On
 *   failure the key is put back in the previous tier and the lock released;
 *   every step is idempotent, so a retried request converges.
 */
import { audit, bestEffort, forward, isStale, OpContext, tenantView } from './context';
import { BadRequestError, ConflictError, isConditionFailed, NotFoundError } from './errors';
import type { TenantRecord } from './records';
import { UsageKey, UsageKeys } from './usage-keys';
import { PORTAL_ENV } from '../../lib/private/contracts/portal';
import type { SetUsageTierRequest, Tenant } from '../../lib/private/contracts/portal-api';
import { TIER_NAME, UsageTiersConfig, usageKeyName, usageKeyValue } from '../../lib/private/contracts/usage-tiers';
import { ConfigError } from '../shared/config';

function apis(ctx: OpContext): readonly UsageTiersConfig[] {
  return ctx.config.usageTiers ?? [];
}

function keys(ctx: OpContext): UsageKeys {
  if (!ctx.usage) throw new ConfigError(`${PORTAL_ENV.usageTiers} is set but the portal has no API Gateway client`);
  return ctx.usage;
}

/** The tiered API named in a request path (404 naming the APIs there are). */
export function tieredApi(ctx: OpContext, name: string): UsageTiersConfig {
  const found = apis(ctx).find((a) => a.api === name);
  if (found) return found;
  const known = apis(ctx).map((a) => a.api);
  throw new NotFoundError(`api: ${JSON.stringify(name)} is not a tiered API of this portal; ${known.length
    ? `tiered APIs are ${known.join(', ')}` : 'this portal manages no tiered API (DeveloperPortal.addTieredApi)'}`);
}

/** Parses `{"tier": "<name>"}` against the tiers of `api`. */
export function parseUsageTier(body: Record<string, unknown>, api: UsageTiersConfig): SetUsageTierRequest {
  for (const key of Object.keys(body)) {
    if (key !== 'tier') throw new BadRequestError(key, body[key], 'unknown field; allowed fields are tier');
  }
  const tier = body.tier;
  const names = Object.keys(api.tiers);
  if (tier === undefined) throw new BadRequestError('tier', tier, `required: one of the tiers of API ${api.api} (${names.join(', ')})`);
  if (typeof tier !== 'string' || !TIER_NAME.test(tier) || !Object.prototype.hasOwnProperty.call(api.tiers, tier)) {
    throw new BadRequestError('tier', tier, `one of the tiers of API ${api.api} (${names.join(', ')})`);
  }
  return { tier };
}

/**
 * Puts the tenant's key of `api` in the plan of `tier` only: creates the key
 * if missing, takes an existing key out of the API's other plans, then adds
 * it to the tier's plan.
 */
async function placeKey(ctx: OpContext, api: UsageTiersConfig, tenantId: string, tier: string): Promise<UsageKey> {
  const usage = keys(ctx);
  const key = await usage.ensureKey(usageKeyName(api.keyPrefix, tenantId), usageKeyValue(api.keyPrefix, tenantId), { tenantId, api: api.api });
  if (!key.created) {
    for (const [name, planId] of Object.entries(api.tiers)) {
      if (name !== tier) await usage.disassociate(planId, key.keyId);
    }
  }
  await usage.associate(api.tiers[tier], key.keyId);
  return key;
}

/**
 * Gives a tenant that has no item yet its keys in the default tier of every
 * tiered API; returns the tiers to record. If the tenant is then not created,
 * the keys stay: nobody can present them (the authorizer returns a key value
 * only for a verified token of an existing tenant), and a retry reuses them.
 */
export async function provisionNewTenant(ctx: OpContext, tenantId: string): Promise<Record<string, string> | undefined> {
  if (apis(ctx).length === 0) return undefined;
  const tiers: Record<string, string> = {};
  for (const api of apis(ctx)) {
    await placeKey(ctx, api, tenantId, api.defaultTier);
    tiers[api.api] = api.defaultTier;
  }
  return tiers;
}

/**
 * An existing tenant (a re-sent POST /tenants): every key is placed again in
 * its recorded tier (repairing a key a failed request left elsewhere), and
 * in the default tier where none is recorded (a retry after a failure, or a
 * tenant created before the API had tiers); new tiers are then recorded.
 */
export async function completeTenantTiers(ctx: OpContext, tenant: TenantRecord): Promise<TenantRecord> {
  if (apis(ctx).length === 0) return tenant;
  if (tenant.pendingTier && !isStale(tenant.pendingTier.startedAt, ctx.now())) {
    throw new ConflictError(`a usage tier change of tenant ${tenant.tenantId} is in progress; retry shortly`);
  }
  const tiers: Record<string, string> = { ...tenant.usageTiers };
  const assigned: UsageTiersConfig[] = [];
  for (const api of apis(ctx)) {
    const recorded = tiers[api.api];
    const tier = recorded !== undefined && Object.prototype.hasOwnProperty.call(api.tiers, recorded) ? recorded : api.defaultTier;
    await placeKey(ctx, api, tenant.tenantId, tier);
    if (recorded !== tier) {
      tiers[api.api] = tier;
      assigned.push(api);
    }
  }
  if (assigned.length === 0) return tenant;
  const updated = await ctx.store.updateTenant(tenant.tenantId, tenant.version, {
    set: { usageTiers: tiers, updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor },
  }).catch((err) => {
    if (isConditionFailed(err)) throw new ConflictError(`tenant ${tenant.tenantId} changed meanwhile; retry`);
    throw err;
  });
  for (const api of assigned) {
    await bestEffort(ctx, 'audit_failed', { tenantId: tenant.tenantId },
      () => forward(() => audit(ctx, tenant.tenantId, 'tenant.usage_tier.assigned', { api: api.api, tier: api.defaultTier })));
  }
  ctx.log.info('tenant usage tiers completed', { tenantId: tenant.tenantId });
  return updated;
}

/** PUT /tenants/{tenantId}/usage-tiers/{api}: moves the tenant's key of `api` to the plan of `tier`. */
export async function setUsageTier(
  ctx: OpContext, tenantId: string, apiName: string, body: Record<string, unknown>, expectedVersion: number | undefined,
): Promise<Tenant> {
  const api = tieredApi(ctx, apiName);
  const { tier } = parseUsageTier(body, api);
  const tenant = await ctx.store.getTenant(tenantId);
  if (!tenant) throw new NotFoundError(`tenantId: ${tenantId} is not a tenant`);
  if (tenant.status === 'deleted' || tenant.status === 'deleting') throw new NotFoundError(`tenantId: ${tenantId} was deleted`);
  if (expectedVersion !== undefined && expectedVersion !== tenant.version) {
    throw new ConflictError(`tenant ${tenantId} is at version ${tenant.version}, not ${expectedVersion}`);
  }
  if (tenant.pendingTier && !isStale(tenant.pendingTier.startedAt, ctx.now())) {
    throw new ConflictError(`a usage tier change of tenant ${tenantId} is in progress; retry shortly`);
  }
  const previous = tenant.usageTiers?.[api.api];
  const ids = { tenantId };
  const detail = { api: api.api, tier, previousTier: previous };
  const conflict = (err: unknown): never => {
    if (isConditionFailed(err)) throw new ConflictError(`tenant ${tenantId} changed meanwhile (version ${tenant.version} is stale); reload and retry`);
    throw err;
  };
  const locked = await ctx.store.updateTenant(tenantId, tenant.version, {
    set: { pendingTier: { requestId: ctx.requestId, startedAt: ctx.now().toISOString(), api: api.api, tier } },
  }).catch(conflict);
  const unlock = () => bestEffort(ctx, 'usage_tier_unlock_failed', ids, () => ctx.store.updateTenant(tenantId, undefined, {
    remove: ['pendingTier'], condition: '#pt.requestId = :me', names: { '#pt': 'pendingTier' }, values: { ':me': ctx.requestId },
  }));
  const changing = previous !== tier;
  try {
    if (changing) await audit(ctx, tenantId, 'tenant.usage_tier.change.requested', detail);
  } catch (err) {
    await unlock();
    throw err;
  }
  let updated: TenantRecord;
  try {
    // A PUT of the tier already recorded re-places the key there (repairs it) without a new audit entry.
    await placeKey(ctx, api, tenantId, tier);
    updated = await ctx.store.updateTenant(tenantId, locked.version, {
      set: changing ? { usageTiers: { ...tenant.usageTiers, [api.api]: tier }, updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor } : {},
      remove: ['pendingTier'],
    });
    if (changing) await audit(ctx, tenantId, 'tenant.usage_tier.changed', detail);
  } catch (err) {
    // The key may have moved (even if a call reported a failure): put it back in the previous tier.
    const back = previous !== undefined && Object.prototype.hasOwnProperty.call(api.tiers, previous) ? previous : api.defaultTier;
    await bestEffort(ctx, 'usage_tier_revert_failed', ids, () => placeKey(ctx, api, tenantId, back));
    if (changing) {
      await bestEffort(ctx, 'usage_tier_revert_failed', ids, async () => {
        const now = await ctx.store.getTenant(tenantId);
        if (now && now.version !== locked.version && now.usageTiers?.[api.api] === tier) {
          await ctx.store.updateTenant(tenantId, now.version, { set: { usageTiers: { ...now.usageTiers, [api.api]: previous } } });
        }
      });
    }
    await unlock();
    throw err;
  }
  ctx.log.info(changing ? 'tenant usage tier changed' : 'tenant usage tier confirmed', { tenantId, reason: `${api.api}:${tier}` });
  return tenantView(updated, ctx.config);
}

/**
 * Deleting a tenant takes its keys out of every usage plan (missing keys and
 * associations are fine). The keys themselves stay: the portal may not delete
 * API keys (its role has no apigateway:DELETE on /apikeys/*, which would reach
 * every key of the account); they are in no plan and nobody's value.
 */
export async function detachTenantKeys(ctx: OpContext, tenantId: string): Promise<void> {
  for (const api of apis(ctx)) {
    const keyId = await keys(ctx).findKey(usageKeyName(api.keyPrefix, tenantId));
    if (!keyId) continue;
    for (const planId of Object.values(api.tiers)) await keys(ctx).disassociate(planId, keyId);
  }
}
