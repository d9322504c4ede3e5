/**
 * API clients of a tenant: register, change, delete.
 *
 * Register is a sequence with compensation (no transactions):
 *   reserve the name (conditional put) → audit "requested" →
 *   CreateUserPoolClient (deterministic ClientName `<tenantId>.<name>`) →
 *   client item → pointer item → reservation `registered` → audit "created".
 * A failure before CreateUserPoolClient succeeds releases the reservation; a
 * failure after it deletes the app client and the items, then releases the
 * reservation. A registration that died without compensating (a Lambda
 * timeout) leaves a `pending` reservation: after five minutes a retry takes
 * it over and first deletes any app client of that name without a record.
 */
import { cognitoClientName, CreatedClient } from './cognito';
import { audit, bestEffort, clientView, forward, isStale, loadClient, newRecordFields, OpContext } from './context';
import { BadRequestError, ConflictError, isConditionFailed, NotFoundError, ThrottledError } from './errors';
import { ClientRecord, NameReservation } from './store';
import { CreateClientRequest, fingerprint, PatchClientRequest } from './validation';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function requireActiveTenant(ctx: OpContext, tenantId: string): Promise<void> {
  const tenant = await ctx.store.getTenant(tenantId);
  if (!tenant || tenant.status === 'deleted' || tenant.status === 'deleting') throw new NotFoundError(`tenantId: ${tenantId} is not a tenant`);
  if (tenant.status !== 'active') throw new ConflictError(`tenant ${tenantId} is ${tenant.status}: resume it before registering clients`);
}

async function existingRegistration(ctx: OpContext, tenantId: string, req: CreateClientRequest, reservation: NameReservation): Promise<Reply> {
  if (reservation.fingerprint !== fingerprint(req.scopes, req.accessTokenValidityMinutes)) {
    throw new ConflictError(`name: ${JSON.stringify(req.name)} is already registered in tenant ${tenantId} with other scopes or token validity`);
  }
  const record = reservation.clientId ? await ctx.store.getClient(reservation.clientId) : undefined;
  if (!record) throw new ConflictError(`name: ${JSON.stringify(req.name)} is being registered; retry shortly`);
  return { status: 200, body: { ...clientView(record, ctx.config), secretAlreadyIssued: true } };
}

export async function registerClient(ctx: OpContext, tenantId: string, req: CreateClientRequest, idempotencyKey: string | undefined): Promise<Reply> {
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
    // The abandoned registration may have created an app client: delete any without a record.
    for (const orphan of await ctx.apps.findByName(cognitoClientName(tenantId, req.name))) {
      if (!(await ctx.store.getClient(orphan))) await ctx.apps.delete(orphan);
    }
  }
  const release = () => bestEffort(ctx, 'reservation_release_failed', ids, () => ctx.store.releaseName(tenantId, req.name, { requestId: ctx.requestId }));

  let created: CreatedClient;
  try {
    await audit(ctx, tenantId, 'client.register.requested', { name: req.name, scopes: req.scopes, accessTokenValidityMinutes: req.accessTokenValidityMinutes });
    created = await ctx.apps.create(tenantId, req.name, req.scopes, req.accessTokenValidityMinutes);
  } catch (err) {
    if (!(err instanceof ThrottledError)) {
      // The outcome is unknown (the request may have succeeded and only its answer was lost):
      // delete any app client of this deterministic name that has no record.
      await bestEffort(ctx, 'register_compensation_failed', ids, async () => {
        for (const orphan of await ctx.apps.findByName(cognitoClientName(tenantId, req.name))) {
          if (!(await ctx.store.getClient(orphan))) await ctx.apps.delete(orphan);
        }
      });
    }
    await release();
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

export async function getClient(ctx: OpContext, tenantId: string, clientId: string): Promise<Record<string, unknown>> {
  const record = await loadClient(ctx, tenantId, clientId);
  const view = clientView(record, ctx.config);
  if (record.status === 'deleted' || record.status === 'deleting') return view;
  const secrets = await ctx.apps.listSecrets(clientId);
  return { ...view, secrets };
}

/**
 * Changes status, scopes or token validity. Status alone is one conditional
 * write. Scopes and validity: lock the record (`pendingUpdate`, conditional
 * on the version) → audit → DescribeUserPoolClient → UpdateUserPoolClient
 * with every field → record → audit; on failure the app client is put back
 * as it was described and the lock released.
 */
export async function patchClient(
  ctx: OpContext, tenantId: string, clientId: string, req: PatchClientRequest, expectedVersion: number | undefined,
): Promise<Record<string, unknown>> {
  const record = await loadClient(ctx, tenantId, clientId);
  if (record.status === 'deleted' || record.status === 'deleting') throw new NotFoundError(`clientId: ${clientId} was deleted`);
  if (expectedVersion !== undefined && expectedVersion !== record.version) {
    throw new ConflictError(`client ${clientId} is at version ${record.version}, not ${expectedVersion}`);
  }
  if (record.pendingUpdate && !isStale(record.pendingUpdate.startedAt, ctx.now())) {
    throw new ConflictError(`a change of client ${clientId} is in progress; retry shortly`);
  }
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
    if (req.status === undefined || req.status === record.status) return clientView(record, ctx.config);
    const updated = await ctx.store.updateClient(clientId, record.version, {
      set: { status: req.status, updatedAt: at, updatedBy: ctx.actor },
      condition: 'attribute_not_exists(#pu)',
      names: { '#pu': 'pendingUpdate' },
    }).catch(conflict);
    try {
      await audit(ctx, tenantId, req.status === 'suspended' ? 'client.suspended' : 'client.resumed', { clientId });
    } catch (err) {
      await bestEffort(ctx, 'status_revert_failed', ids, () => ctx.store.updateClient(clientId, updated.version, {
        set: { status: record.status, updatedAt: record.updatedAt, updatedBy: record.updatedBy },
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
      set: { scopes, accessTokenValidityMinutes: validity, status: req.status, updatedAt: ctx.now().toISOString(), updatedBy: ctx.actor },
      remove: ['pendingUpdate'],
    });
    await audit(ctx, tenantId, 'client.updated', detail);
  } catch (err) {
    if (cognitoChanged) {
      await bestEffort(ctx, 'update_revert_failed', ids, () => ctx.apps.update(before));
      await bestEffort(ctx, 'update_revert_failed', ids, async () => {
        const now = await ctx.store.getClient(clientId);
        if (now && now.version !== locked.version) {
          await ctx.store.updateClient(clientId, now.version, {
            set: { scopes: record.scopes, accessTokenValidityMinutes: record.accessTokenValidityMinutes, status: record.status },
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
 * → DeleteUserPoolClient → mark `deleted`, release the name → audit. If the
 * Cognito call fails the previous status is restored; after it succeeds the
 * remaining steps are completed forward (a retried DELETE finishes them).
 */
export async function deleteClient(ctx: OpContext, record: ClientRecord): Promise<Record<string, unknown>> {
  if (record.status === 'deleted') return clientView(record, ctx.config);
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
  await forward(() => ctx.store.releaseName(record.tenantId, record.name, { clientId: record.clientId }));
  await bestEffort(ctx, 'audit_failed', ids, () => forward(() => audit(ctx, record.tenantId, 'client.deleted', { clientId: record.clientId, name: record.name })));
  ctx.log.info('client deleted', ids);
  return clientView(deleted, ctx.config);
}
