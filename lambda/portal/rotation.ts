/**
 * Client-secret rotation with overlap.
 *
 * 1. `POST .../secrets` adds a second secret with AddUserPoolClientSecret:
 *    from then on both the old and the new secret work. The record keeps
 *    `{ oldSecretId, newSecretId, graceUntil }`; the new secret is returned
 *    once and stored nowhere.
 * 2. The tenant moves its backends to the new secret and confirms with
 *    `DELETE .../secrets/{oldSecretId}` (DeleteUserPoolClientSecret), or the
 *    hourly sweep deletes the old secret once `graceUntil` has passed.
 *
 * An app client holds at most two secrets, so a second rotation while one is
 * pending is refused (409), as is deleting the last remaining secret.
 *
 * Step order and compensation (no step may leave the record pointing at a
 * missing secret, or an extra secret the record does not know):
 * - rotate: lock the record (`rotation.state = adding`, conditional on its
 *   version) → audit → AddUserPoolClientSecret → record `overlap` → audit.
 *   A failure before AddUserPoolClientSecret succeeds releases the lock; a
 *   failure after it deletes the new secret, then releases the lock.
 * - delete a secret: clear the rotation in the record (conditional) → audit
 *   → DeleteUserPoolClientSecret → audit. If the Cognito call fails, the
 *   record is restored. The last audit entry is written after the
 *   irreversible step, retried once, and only logged if it still fails.
 * - a lock older than five minutes (a Lambda that died mid-rotation) is
 *   cleared by the sweep, which first deletes any secret the record does not
 *   know.
 *
 * FALLBACK where AddUserPoolClientSecret is unavailable (an SDK older than
 * early 2026, or a Region without the API): rotation would instead register a
 * second app client for the same tenant and name (a ClientName of the
 * portal's name space, `@portal.<tenantId>.<name>.r<n>`) with the same scopes and validity, return its id
 * and secret once, and mark the old client `retiring` with `graceUntil`; the
 * authorizer accepts both client ids of the tenant during the overlap, and
 * the sweep (or the tenant's confirmation) deletes the old app client and its
 * record afterwards. The tenant must then switch client id as well as secret,
 * and token caches keyed by client id start cold. This package implements only
 * the AddUserPoolClientSecret path: where the API is missing, rotation fails
 * with a 500 logged as `UnknownOperationException`/`InvalidParameterException`
 * and nothing changes (the lock is released).
 */
import { audit, bestEffort, clientView, forward, isStale, OpContext } from './context';
import { ConflictError, isConditionFailed, NotFoundError } from './errors';
import type { ClientRecord, RotationLock, RotationOverlap } from './records';
import type { ClientWithoutSecret, RotatedClient } from '../../lib/private/contracts/portal-api';

function requireLive(record: ClientRecord): void {
  if (record.status === 'deleted' || record.status === 'deleting') {
    throw new NotFoundError(`clientId: ${record.clientId} was deleted`);
  }
}

/** Adds a second secret (both work until the old one is deleted). */
export async function rotateSecret(ctx: OpContext, record: ClientRecord): Promise<RotatedClient> {
  requireLive(record);
  if (record.rotation) {
    throw new ConflictError(record.rotation.state === 'overlap'
      ? `client ${record.clientId} already has a rotation pending: delete secret ${record.rotation.oldSecretId} first or wait until ${record.rotation.graceUntil}`
      : `a rotation of client ${record.clientId} is in progress`);
  }
  const secrets = await ctx.apps.listSecrets(record.clientId);
  if (secrets.length !== 1) {
    throw new ConflictError(`client ${record.clientId} holds ${secrets.length} secrets; rotation needs exactly one (delete one first)`);
  }
  const ids = { tenantId: record.tenantId, clientId: record.clientId };
  const oldSecretId = secrets[0].clientSecretId;
  const startedAt = ctx.now().toISOString();
  const lock: RotationLock = { state: 'adding', requestId: ctx.requestId, startedAt, oldSecretId };
  let locked: ClientRecord;
  try {
    locked = await ctx.store.updateClient(record.clientId, record.version, {
      set: { rotation: lock, updatedAt: startedAt, updatedBy: ctx.actor },
      condition: 'attribute_not_exists(#rotation)',
      names: { '#rotation': 'rotation' },
    });
  } catch (err) {
    if (isConditionFailed(err)) throw new ConflictError(`client ${record.clientId} changed meanwhile; retry`);
    throw err;
  }
  const unlock = () => bestEffort(ctx, 'rotation_unlock_failed', ids, () => ctx.store.updateClient(record.clientId, undefined, {
    remove: ['rotation'],
    condition: '#rotation.requestId = :me',
    names: { '#rotation': 'rotation' },
    values: { ':me': ctx.requestId },
  }));

  let added;
  try {
    await audit(ctx, record.tenantId, 'client.secret.rotate.requested', { clientId: record.clientId, oldSecretId });
    added = await ctx.apps.addSecret(record.clientId);
  } catch (err) {
    // A secret whose answer was lost may exist: delete every secret but the old one.
    await bestEffort(ctx, 'rotation_compensation_failed', ids, async () => {
      for (const s of await ctx.apps.listSecrets(record.clientId)) {
        if (s.clientSecretId !== oldSecretId) await ctx.apps.deleteSecret(record.clientId, s.clientSecretId);
      }
    });
    await unlock();
    throw err;
  }
  const graceUntil = new Date(ctx.now().getTime() + ctx.config.rotationGraceHours * 3600_000).toISOString();
  let updated: ClientRecord;
  try {
    updated = await ctx.store.updateClient(record.clientId, locked.version, {
      set: {
        rotation: { ...lock, state: 'overlap', newSecretId: added.clientSecretId, graceUntil } satisfies RotationOverlap,
        updatedAt: ctx.now().toISOString(),
      },
    });
    await audit(ctx, record.tenantId, 'client.secret.added', { clientId: record.clientId, oldSecretId, newSecretId: added.clientSecretId, graceUntil });
  } catch (err) {
    await bestEffort(ctx, 'rotation_compensation_failed', ids, () => ctx.apps.deleteSecret(record.clientId, added.clientSecretId));
    await unlock();
    throw err;
  }
  ctx.log.info('client secret added', { ...ids, reason: 'rotation' });
  return {
    ...clientView(updated, ctx.config),
    clientSecretId: added.clientSecretId,
    clientSecret: added.clientSecret,
    oldSecretId,
    graceUntil,
  };
}

/**
 * Deletes one secret of a client (the tenant's confirmation of a rotation,
 * or the sweep after the grace period). The last remaining secret is kept.
 */
export async function deleteSecret(ctx: OpContext, record: ClientRecord, secretId: string): Promise<ClientWithoutSecret> {
  requireLive(record);
  if (record.rotation?.state === 'adding' && !isStale(record.rotation.startedAt, ctx.now())) {
    throw new ConflictError(`a rotation of client ${record.clientId} is in progress; retry shortly`);
  }
  const secrets = await ctx.apps.listSecrets(record.clientId);
  if (!secrets.some((s) => s.clientSecretId === secretId)) {
    throw new NotFoundError(`secretId: ${secretId} is not a secret of client ${record.clientId}`);
  }
  if (secrets.length <= 1) {
    throw new ConflictError(`secretId: ${secretId} is the last secret of client ${record.clientId}; rotate first`);
  }
  return removeSecret(ctx, record, secretId, secrets.filter((s) => s.clientSecretId !== secretId).map((s) => s.clientSecretId));
}

async function removeSecret(ctx: OpContext, record: ClientRecord, secretId: string, remaining: string[]): Promise<ClientWithoutSecret> {
  const ids = { tenantId: record.tenantId, clientId: record.clientId };
  const at = ctx.now().toISOString();
  let cleared: ClientRecord;
  try {
    cleared = await ctx.store.updateClient(record.clientId, record.version, {
      set: { lastRotatedAt: at, updatedAt: at, updatedBy: ctx.actor },
      remove: ['rotation'],
    });
  } catch (err) {
    if (isConditionFailed(err)) throw new ConflictError(`client ${record.clientId} changed meanwhile; retry`);
    throw err;
  }
  const restore = () => bestEffort(ctx, 'secret_delete_restore_failed', ids, () => ctx.store.updateClient(record.clientId, cleared.version, {
    set: { rotation: record.rotation, lastRotatedAt: record.lastRotatedAt, updatedAt: record.updatedAt, updatedBy: record.updatedBy },
  }));
  try {
    await audit(ctx, record.tenantId, 'client.secret.delete.requested', { clientId: record.clientId, secretId });
    await ctx.apps.deleteSecret(record.clientId, secretId);
  } catch (err) {
    // A delete whose answer was lost may still have happened: then complete forward.
    const gone = await ctx.apps.listSecrets(record.clientId).then((l) => !l.some((s) => s.clientSecretId === secretId), () => false);
    if (!gone) {
      await restore();
      throw err;
    }
  }
  await bestEffort(ctx, 'audit_failed', ids, () => forward(() =>
    audit(ctx, record.tenantId, 'client.secret.deleted', { clientId: record.clientId, secretId, remaining })));
  ctx.log.info('client secret deleted', ids);
  return { ...clientView(cleared, ctx.config), deletedSecretId: secretId, secrets: remaining.map((id) => ({ clientSecretId: id })) };
}

export interface SweepResult {
  readonly examined: number;
  readonly expired: number;
  readonly unlocked: number;
  readonly failed: number;
  /** App clients in the pool (written as the headroom metric); undefined when counting failed. */
  readonly poolClients?: number;
}

/**
 * The scheduled sweep: deletes old secrets whose grace period has passed and
 * clears rotation locks a crashed request left behind.
 */
export async function sweepRotations(ctx: OpContext): Promise<SweepResult> {
  const now = ctx.now();
  const records = await ctx.store.clientsInRotation();
  let expired = 0;
  let unlocked = 0;
  let failed = 0;
  for (const record of records) {
    const rotation = record.rotation!;
    const ids = { tenantId: record.tenantId, clientId: record.clientId };
    try {
      if (record.status === 'deleted' || record.status === 'deleting') continue;
      if (rotation.state === 'overlap' && rotation.graceUntil !== undefined && Date.parse(rotation.graceUntil) <= now.getTime()) {
        const secrets = (await ctx.apps.listSecrets(record.clientId)).map((s) => s.clientSecretId);
        const remaining = secrets.filter((s) => s !== rotation.oldSecretId);
        if (secrets.includes(rotation.oldSecretId) && remaining.length === 0) continue; // never the last secret
        await removeSecret(ctx, record, rotation.oldSecretId, remaining);
        expired++;
      } else if (rotation.state === 'adding' && isStale(rotation.startedAt, now)) {
        const secrets = await ctx.apps.listSecrets(record.clientId);
        for (const s of secrets) {
          if (s.clientSecretId !== rotation.oldSecretId && secrets.length > 1) await ctx.apps.deleteSecret(record.clientId, s.clientSecretId);
        }
        await ctx.store.updateClient(record.clientId, record.version, { remove: ['rotation'] });
        await audit(ctx, record.tenantId, 'client.secret.rotate.abandoned', { clientId: record.clientId });
        unlocked++;
      }
    } catch (err) {
      failed++;
      ctx.log.error('rotation sweep step failed', { ...ids, reason: 'sweep_failed', errorName: err instanceof Error ? err.name : 'Error' });
    }
  }
  ctx.log.info('rotation sweep done', { count: expired, reason: failed > 0 ? 'sweep_partial' : 'sweep_ok' });
  return { examined: records.length, expired, unlocked, failed };
}
