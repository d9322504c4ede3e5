/**
 * API clients of a tenant: register, change, delete.
 *
 * Register is a sequence with compensation (no transactions):
 *   reserve the name (conditional put) → take a client slot (conditional
 *   write: the per-tenant limit) → audit "requested" → CreateUserPoolClient
 *   (deterministic ClientName `@portal.<tenantId>.<name>`, see
 *   lib/private/contracts/portal.ts) → client item → pointer item →
 *   reservation `registered` → audit "created".
 * A failure before CreateUserPoolClient succeeds frees the slot and releases
 * the reservation; a failure after it deletes the app client and the items,
 * then frees both. A registration that died without compensating (a Lambda
 * timeout) leaves a `pending` reservation: after five minutes a retry takes
 * it over and first deletes any app client of that name without a record.
 *
 * Clean-up deletes only clients of the portal's name space
 * (`@portal.<tenantId>.<name>`) that no record names, and only after an
 * outcome where Cognito may have created one (no answer, a 5xx; never after
 * a refusal such as LimitExceededException). Clients named
 * `<tenantId>.<name>` (TenantAppClients, or clients of earlier portal
 * versions, which keep their names and records) are never deleted by it.
 */
import { CreatedClient, mayHaveCreated } from './cognito';
import { audit, bestEffort, clientView, forward, isStale, loadClient, newRecordFields, OpContext } from './context';
import {
  BadRequestError, ClientLimitError, ConflictError, errorName, ForbiddenError, isConditionFailed, NotFoundError, PoolQuotaError,
} from './errors';
import { publishPoolClients } from './metrics';
import type { ClientRecord, NameReservation } from './records';
import { fingerprint, ValidCreateClient, ValidPatchClient } from './validation';
import { MAX_CLIENTS_PER_TENANT } from '../../lib/private/contracts/portal';
import type { Client, ClientWithSecrets, RegisteredClient, Role } from '../../lib/private/contracts/portal-api';

/** An answer whose status depends on the outcome (201 created, 200 found). */
export interface Reply<T> {
  readonly status: number;
  readonly body: T;
}

async function requireActiveTenant(ctx: OpContext, tenantId: string): Promise<void> {
  const tenant = await ctx.store.getTenant(tenantId);
  if (!tenant || tenant.status === 'deleted' || tenant.status === 'deleting') throw new NotFoundError(`tenantId: ${tenantId} is not a tenant`);
  if (tenant.status !== 'active') throw new ConflictError(`tenant ${tenantId} is ${tenant.status}: resume it before registering clients`);
}

async function existingRegistration(
  ctx: OpContext, tenantId: string, req: ValidCreateClient, reservation: NameReservation,
): Promise<Reply<RegisteredClient>> {
  if (reservation.fingerprint !== fingerprint(req.scopes, req.accessTokenValidityMinutes)) {
    throw new ConflictError(`name: ${JSON.stringify(req.name)} is already registered in tenant ${tenantId} with other scopes or token validity`);
  }
  const record = reservation.clientId ? await ctx.store.getClient(reservation.clientId) : undefined;
  if (!record) throw new ConflictError(`name: ${JSON.stringify(req.name)} is being registered; retry shortly`);
  return { status: 200, body: { ...clientView(record, ctx.config), secretAlreadyIssued: true } };
}

/** Deletes the app clients of the portal's name space for this tenant and name that no record names. */
async function deleteOrphans(ctx: OpContext, tenantId: string, name: string): Promise<void> {
  for (const orphan of await ctx.apps.findPortalClients(tenantId, name)) {
    if (await ctx.store.getClient(orphan)) continue;
    await ctx.apps.delete(orphan);
    ctx.log.warn('orphan app client deleted', { tenantId, clientId: orphan, reason: 'registration_orphan' });
  }
}

/**
 * Takes the slot of `name` for this request, within the tenant's limit.
 * Refused: the slots whose reservation is gone or held by another request
 * (left by a compensation that did not complete) are freed, and the slot
 * tried once more; then the limit is the answer (409 naming it and the count).
 */
async function takeSlot(ctx: OpContext, tenantId: string, name: string): Promise<void> {
  const max = ctx.config.maxClientsPerTenant ?? MAX_CLIENTS_PER_TENANT.default;
  if (await ctx.store.takeClientSlot(tenantId, name, ctx.requestId, max)) return;
  const slots = await ctx.store.getClientSlots(tenantId);
  let freed = 0;
  if (slots === undefined) {
    await ctx.store.initClientSlots(tenantId);
  } else {
    const reservations = await ctx.store.listReservations(tenantId);
    for (const [held, holder] of Object.entries(slots)) {
      if (held === name || reservations.get(held)?.requestId === holder) continue;
      await ctx.store.releaseClientSlot(tenantId, held, holder);
      freed++;
    }
  }
  if ((slots === undefined || freed > 0) && await ctx.store.takeClientSlot(tenantId, name, ctx.requestId, max)) return;
  const count = Object.keys(await ctx.store.getClientSlots(tenantId) ?? {}).length;
  throw new ClientLimitError(`tenant ${tenantId} holds ${count} clients (active, suspended and pending registrations) and the limit is ${max} ` +
    'per tenant: delete a client before registering another, or ask a platform admin to raise the limit (DeveloperPortal maxClientsPerTenant)');
}

/** Frees the slot and the name a registered client holds (both conditional: a later holder keeps them). */
async function releaseRegistration(ctx: OpContext, record: ClientRecord): Promise<void> {
  const reservation = await ctx.store.getReservation(record.tenantId, record.name);
  if (!reservation || reservation.clientId !== record.clientId) return;
  await ctx.store.releaseClientSlot(record.tenantId, record.name, reservation.requestId);
  await ctx.store.releaseName(record.tenantId, record.name, { clientId: record.clientId });
}

export async function registerClient(
  ctx: OpContext, tenantId: string, req: ValidCreateClient, idempotencyKey: string | undefined,
): Promise<Reply<RegisteredClient>> {
  await requireActiveTenant(ctx, tenantId);
  const fp = fingerprint(req.scopes, req.accessTokenValidityMinutes);
  if (idempotencyKey !== undefined) {
    const previous = await ctx.store.claimIdempotencyKey(tenantId, idempotencyKey, { name: req.name, fingerprint: fp }, ctx.now());
    if (previous && (previous.name !== req.name || previous.fingerprint !== fp)) {
      throw new BadRequestError('Idempotency-Key', idempotencyKey, 'already used for a different request');
    }
  }
  const ids = { tenantId };
  const reservation: NameReservation = { state: 'pending', requestId: ctx.requestId, fingerprint: fp, reservedAt: ctx.now().toISOString() };
  if (!(await ctx.store.reserveName(tenantId, req.name, reservation))) {
    const existing = await ctx.store.getReservation(tenantId, req.name);
    if (!existing) throw new ConflictError(`name: ${JSON.stringify(req.name)} is being released; retry`);
    if (existing.state === 'registered') return existingRegistration(ctx, tenantId, req, existing);
    if (!isStale(existing.reservedAt, ctx.now())) {
      throw new ConflictError(`name: ${JSON.stringify(req.name)} is being registered by another request; retry shortly`);
    }
    if (!(await ctx.store.reserveName(tenantId, req.name, reservation, existing.requestId))) {
      throw new ConflictError(`name: ${JSON.stringify(req.name)} is being registered by another request; retry shortly`);
    }
    // The abandoned registration may have created an app client: delete it if no record names it.
    await deleteOrphans(ctx, tenantId, req.name);
  }
  const release = async () => {
    await bestEffort(ctx, 'slot_release_failed', ids, () => ctx.store.releaseClientSlot(tenantId, req.name, ctx.requestId));
    await bestEffort(ctx, 'reservation_release_failed', ids, () => ctx.store.releaseName(tenantId, req.name, { requestId: ctx.requestId }));
  };
  try {
    await takeSlot(ctx, tenantId, req.name);
  } catch (err) {
    await release();
    throw err;
  }

  let created: CreatedClient;
  try {
    await audit(ctx, tenantId, 'client.register.requested', { name: req.name, scopes: req.scopes, accessTokenValidityMinutes: req.accessTokenValidityMinutes });
    created = await ctx.apps.create(tenantId, req.name, req.scopes, req.accessTokenValidityMinutes);
  } catch (err) {
    if (mayHaveCreated(err)) {
      // The outcome is unknown (the request may have succeeded and only its answer was lost).
      await bestEffort(ctx, 'register_compensation_failed', ids, () => deleteOrphans(ctx, tenantId, req.name));
    }
    await release();
    if (errorName(err) === 'LimitExceededException') {
      await bestEffort(ctx, 'pool_count_failed', ids, () => publishPoolClients(ctx));
      throw new PoolQuotaError('the user pool holds as many app clients as its quota allows (Amazon Cognito refused a new one): ' +
        'ask a platform admin to delete unused clients or raise the "App clients per user pool" quota in Service Quotas, then retry');
    }
    throw err;
  }
  const record: ClientRecord = {
    clientId: created.clientId,
    tenantId,
    name: req.name,
    scopes: req.scopes,
    accessTokenValidityMinutes: req.accessTokenValidityMinutes,
    ...newRecordFields(ctx),
  };
  try {
    await ctx.store.putClient(record);
    await ctx.store.putClientPointer(tenantId, created.clientId, req.name, record.createdAt);
    await ctx.store.completeReservation(tenantId, req.name, ctx.requestId, created.clientId);
    await audit(ctx, tenantId, 'client.registered', { clientId: created.clientId, name: req.name, scopes: req.scopes });
  } catch (err) {
    const cid = { tenantId, clientId: created.clientId };
    await bestEffort(ctx, 'register_compensation_failed', cid, () => ctx.apps.delete(created.clientId));
    await bestEffort(ctx, 'register_compensation_failed', cid, () => ctx.store.deleteClientItems(tenantId, created.clientId));
    await release();
    await bestEffort(ctx, 'audit_failed', cid, () => audit(ctx, tenantId, 'client.register.failed', { name: req.name }));
    throw err;
  }
  ctx.log.info('client registered', { tenantId, clientId: created.clientId });
  return {
    status: 201,
    body: { ...clientView(record, ctx.config), clientSecret: created.clientSecret },
  };
}

export async function getClient(ctx: OpContext, tenantId: string, clientId: string): Promise<ClientWithSecrets> {
  const record = await loadClient(ctx, tenantId, clientId);
  const view = clientView(record, ctx.config);
  if (record.status === 'deleted' || record.status === 'deleting') return view;
  const secrets = await ctx.apps.listSecrets(clientId);
  return { ...view, secrets };
}

/** Who suspended a suspended client (a suspension recorded before roles were counts as a platform admin's). */
export function suspender(record: ClientRecord): Role | undefined {
  return record.status === 'suspended' ? record.suspendedBy ?? 'platform-admin' : undefined;
}

/**
 * What a status change does to `suspendedBy`: a suspension records the role
 * of who suspended; a platform admin's suspension of a client a tenant admin
 * suspended takes it over (the tenant admin can then no longer lift it); a
 * resume clears it, and only a platform admin may lift a platform admin's
 * suspension (403).
 */
function suspensionChange(ctx: OpContext, record: ClientRecord, req: ValidPatchClient): { set?: Role; remove: boolean } {
  const by = suspender(record);
  if (req.status === 'active' && by !== undefined) {
    if (by === 'platform-admin' && ctx.role !== 'platform-admin') {
      throw new ForbiddenError(`client ${record.clientId} was suspended by a platform admin: only a platform admin can resume it`);
    }
    return { remove: true };
  }
  if (req.status === 'suspended' && ctx.role !== undefined) {
    if (by === undefined) return { set: ctx.role, remove: false };
    if (by === 'tenant-admin' && ctx.role === 'platform-admin') return { set: 'platform-admin', remove: false };
  }
  return { remove: false };
}

/**
 * Changes status, scopes or token validity. Status alone is one conditional
 * write. Scopes and validity: lock the record (`pendingUpdate`, conditional
 * on the version) → audit → DescribeUserPoolClient → UpdateUserPoolClient
 * with every field → record → audit; on failure the app client is put back
 * as it was described and the lock released.
 */
export async function patchClient(
  ctx: OpContext, tenantId: string, clientId: string, req: ValidPatchClient, expectedVersion: number | undefined,
): Promise<Client> {
  const record = await loadClient(ctx, tenantId, clientId);
  if (record.status === 'deleted' || record.status === 'deleting') throw new NotFoundError(`clientId: ${clientId} was deleted`);
  if (expectedVersion !== undefined && expectedVersion !== record.version) {
    throw new ConflictError(`client ${clientId} is at version ${record.version}, not ${expectedVersion}`);
  }
  if (record.pendingUpdate && !isStale(record.pendingUpdate.startedAt, ctx.now())) {
    throw new ConflictError(`a change of client ${clientId} is in progress; retry shortly`);
  }
  const suspension = suspensionChange(ctx, record, req);
  const ids = { tenantId, clientId };
  const at = ctx.now().toISOString();
  const cognitoChange = (req.scopes !== undefined && req.scopes.join(' ') !== record.scopes.join(' '))
    || (req.accessTokenValidityMinutes !== undefined && req.accessTokenValidityMinutes !== record.accessTokenValidityMinutes);
  const detail = { clientId, status: req.status, scopes: req.scopes, accessTokenValidityMinutes: req.accessTokenValidityMinutes };
  const conflict = (err: unknown): never => {
    if (isConditionFailed(err)) throw new ConflictError(`client ${clientId} changed meanwhile (version ${record.version} is stale); reload and retry`);
    throw err;
  };

  if (!cognitoChange) {
    if (req.status === undefined || (req.status === record.status && suspension.set === undefined)) return clientView(record, ctx.config);
    const updated = await ctx.store.updateClient(clientId, record.version, {
      set: { status: req.status, suspendedBy: suspension.set, updatedAt: at, updatedBy: ctx.actor },
      remove: suspension.remove ? ['suspendedBy'] : [],
      condition: 'attribute_not_exists(#pu)',
      names: { '#pu': 'pendingUpdate' },
    }).catch(conflict);
    try {
      await audit(ctx, tenantId, req.status === 'suspended' ? 'client.suspended' : 'client.resumed', { clientId, role: ctx.role });
    } catch (err) {
      await bestEffort(ctx, 'status_revert_failed', ids, () => ctx.store.updateClient(clientId, updated.version, {
        set: { status: record.status, suspendedBy: record.suspendedBy, updatedAt: record.updatedAt, updatedBy: record.updatedBy },
        remove: record.suspendedBy === undefined ? ['suspendedBy'] : [],
      }));
      throw err;
    }
    ctx.log.info('client status changed', { ...ids, reason: req.status });
    return clientView(updated, ctx.config);
  }

  const locked = await ctx.store.updateClient(clientId, record.version, {
    set: { pendingUpdate: { requestId: ctx.requestId, startedAt: at } },
  }).catch(conflict);
  const unlock = () => bestEffort(ctx, 'update_unlock_failed', ids, () => ctx.store.updateClient(clientId, undefined, {
    remove: ['pendingUpdate'], condition: '#pu.requestId = :me', names: { '#pu': 'pendingUpdate' }, values: { ':me': ctx.requestId },
  }));
  let before;
  try {
    await audit(ctx, tenantId, 'client.update.requested', detail);
    before = ctx.apps.fullUpdateInput(await ctx.apps.describe(clientId));
  } catch (err) {
    await unlock();
    throw err;
  }
  const scopes = req.scopes ?? record.scopes;
  const validity = req.accessTokenValidityMinutes ?? record.accessTokenValidityMinutes;
  let updated: ClientRecord;
  let cognitoChanged = false;
  try {
    cognitoChanged = true; // from here the app client may have changed (even if the call reports a failure)
    await ctx.apps.update({
      ...before,
      AllowedOAuthScopes: [...scopes],
      AccessTokenValidity: validity,
      TokenValidityUnits: { ...before.TokenValidityUnits, AccessToken: 'minutes' },
    });
    updated = await ctx.store.updateClient(clientId, locked.version, {
      set: {
        scopes,
        accessTokenValidityMinutes: validity,
        status: req.status,
        suspendedBy: suspension.set,
        updatedAt: ctx.now().toISOString(),
        updatedBy: ctx.actor,
      },
      remove: suspension.remove ? ['pendingUpdate', 'suspendedBy'] : ['pendingUpdate'],
    });
    await audit(ctx, tenantId, 'client.updated', detail);
  } catch (err) {
    if (cognitoChanged) {
      await bestEffort(ctx, 'update_revert_failed', ids, () => ctx.apps.update(before));
      await bestEffort(ctx, 'update_revert_failed', ids, async () => {
        const now = await ctx.store.getClient(clientId);
        if (now && now.version !== locked.version) {
          await ctx.store.updateClient(clientId, now.version, {
            set: {
              scopes: record.scopes,
              accessTokenValidityMinutes: record.accessTokenValidityMinutes,
              status: record.status,
              suspendedBy: record.suspendedBy,
            },
            remove: record.suspendedBy === undefined ? ['suspendedBy'] : [],
          });
        }
      });
    }
    await unlock();
    throw err;
  }
  ctx.log.info('client updated', ids);
  return clientView(updated, ctx.config);
}

/**
 * Deletes a client: mark it `deleting` (denied at once, conditional) → audit
 * → DeleteUserPoolClient → mark `deleted`, free its slot and name → audit.
 * If the Cognito call fails the previous status is restored; after it
 * succeeds the remaining steps are completed forward (a retried DELETE,
 * even of a client already `deleted`, finishes them).
 */
export async function deleteClient(ctx: OpContext, record: ClientRecord): Promise<Client> {
  if (record.status === 'deleted') {
    await releaseRegistration(ctx, record);
    return clientView(record, ctx.config);
  }
  const ids = { tenantId: record.tenantId, clientId: record.clientId };
  let marked = record;
  if (record.status !== 'deleting') {
    marked = await ctx.store.updateClient(record.clientId, record.version, {
      set: { status: 'deleting', previousStatus: record.status, updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor },
    }).catch((err) => {
      if (isConditionFailed(err)) throw new ConflictError(`client ${record.clientId} changed meanwhile; retry`);
      throw err;
    });
  }
  try {
    await audit(ctx, record.tenantId, 'client.delete.requested', { clientId: record.clientId });
    await ctx.apps.delete(record.clientId);
  } catch (err) {
    // A delete whose answer was lost may still have happened: then complete forward.
    const gone = await ctx.apps.exists(record.clientId).then((e) => !e, () => false);
    if (!gone && record.status !== 'deleting') {
      await bestEffort(ctx, 'delete_restore_failed', ids, () => ctx.store.updateClient(record.clientId, marked.version, {
        set: { status: record.status, updatedAt: record.updatedAt, updatedBy: record.updatedBy }, remove: ['previousStatus'],
      }));
    }
    if (!gone) throw err;
  }
  const at = ctx.now().toISOString();
  const deleted = await forward(() => ctx.store.updateClient(record.clientId, undefined, {
    set: { status: 'deleted', deletedAt: at, updatedAt: at, updatedBy: ctx.actor },
    remove: ['rotation', 'pendingUpdate'],
  }));
  await forward(() => releaseRegistration(ctx, record));
  await bestEffort(ctx, 'audit_failed', ids, () => forward(() => audit(ctx, record.tenantId, 'client.deleted', { clientId: record.clientId, name: record.name })));
  ctx.log.info('client deleted', ids);
  return clientView(deleted, ctx.config);
}
