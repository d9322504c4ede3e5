/**
 * Secrets Manager rotation of a `TenantAppClient`'s secret, in the four steps
 * Secrets Manager calls, plus the sweep that ends grace periods.
 *
 * - createSecret: make room (plan.ts `planRoom`), add a secret with
 *   AddUserPoolClientSecret (Cognito generates the value, which it returns
 *   only this once), and write the credentials JSON with the new value as
 *   AWSPENDING, labelled with the Cognito secret's id in the same call. From
 *   here on both the current and the new secret work.
 * - setSecret: Cognito already holds the value (Cognito generated it), so the
 *   step confirms that the secret the pending version records still exists.
 * - testSecret: the pending JSON differs from the current one in
 *   `clientSecret` only, and the token client (the code consumers run) gets
 *   an access token with it, from the token endpoint or GetClientToken. This
 *   proves Cognito accepts the new secret for this client and scopes; it
 *   costs one billed token request and cannot prove that consumers reach
 *   Cognito.
 * - finishSecret: move AWSCURRENT to the new version (Secrets Manager moves
 *   AWSPREVIOUS to the old one). The old Cognito secret keeps working.
 * - sweep (hourly): delete the old Cognito secret once the grace period has
 *   passed since the rotation completed. createSecret does the same when the
 *   sweep has not, so a client never needs a third secret.
 *
 * Every step can be retried: createSecret returns when the pending value is
 * written; an orphan (a Cognito secret added by a try whose write failed) is
 * deleted by the next try; deleting a secret that is already gone succeeds.
 * A failure in any step leaves AWSCURRENT, and its Cognito secret, untouched.
 */
import {
  DescribeSecretCommand,
  DescribeSecretCommandOutput,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretBindings } from './binding';
import {
  BadEventError, GracePeriodRunningError, PendingSecretError, SecretNotBoundError, SecretShapeError, SweepFailedError, TokenTestError,
  UnknownCurrentSecretError,
} from './errors';
import { adoption, AWSCURRENT, AWSPENDING, currentVersionId, planRoom, planSweep, recordedSecrets, Removal, SecretState, staleLabels } from './plan';
import { clientIdOfSecretId, cognitoLabel, SECRET_NOT_BOUND_REASON } from '../../lib/private/contracts/client-rotation';
import { TokenClientError } from '../../token-client/src';
import type { AppClients } from '../portal/cognito';
import { errorName, isNotFound } from '../portal/errors';
import type { Logger } from '../shared/log';

/** The steps Secrets Manager invokes, in order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
const STEPS: readonly string[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

/**
 * Gets one access token for the client with the given secret, from the
 * pool's own token endpoint or GetClientToken (never a URL read from the
 * secret), or throws.
 */
export type TokenCheck = (clientId: string, clientSecret: string) => Promise<void>;

export interface RotationDeps {
  readonly secrets: SecretsManagerClient;
  /** The app-client operations of the developer portal, bound to this function's user pool. */
  readonly apps: Pick<AppClients, 'listSecrets' | 'addSecret' | 'deleteSecret'>;
  readonly checkToken: TokenCheck;
  /** Which app client each secret was declared for (binding.ts): asked before any Cognito call. */
  readonly bindings: Pick<SecretBindings, 'clientIdOf'>;
  readonly graceMs: number;
  readonly now: () => Date;
  readonly log: Logger;
}

/** The credentials JSON: an object with a string `clientId` and `clientSecret`, other keys kept as they are. */
type Credentials = Record<string, unknown> & { clientId: string; clientSecret: string };

export function isRotationEvent(event: unknown): event is RotationEvent {
  const e = event as Partial<RotationEvent> | undefined;
  return typeof e?.SecretId === 'string' && typeof e.ClientRequestToken === 'string' && typeof e.Step === 'string';
}

/** Refuses a value that names another app client than the one the secret was declared for. */
function requireBound(credentials: Credentials, boundClientId: string, which: string): void {
  if (credentials.clientId !== boundClientId) {
    throw new SecretNotBoundError(`the ${which} value names client ${credentials.clientId}, but the secret was declared for client ${boundClientId}`);
  }
}

function parseCredentials(secretString: string | undefined, which: string): Credentials {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    throw new SecretShapeError(`the ${which} value is not JSON`);
  }
  const v = value as Partial<Credentials> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof v.clientId !== 'string' || typeof v.clientSecret !== 'string') {
    throw new SecretShapeError(`the ${which} value must be a JSON object with string clientId and clientSecret`);
  }
  return v as Credentials;
}

type Staged = { VersionIdsToStages?: Record<string, string[]>; SecretVersionsToStages?: Record<string, string[]>; LastRotatedDate?: Date };

function stateOf(d: Staged): SecretState {
  return { versions: d.VersionIdsToStages ?? d.SecretVersionsToStages ?? {}, lastRotatedAt: d.LastRotatedDate };
}

export class ClientSecretRotation {
  constructor(private readonly deps: RotationDeps) {}

  /** Runs one step of a rotation Secrets Manager started. */
  public async rotate(event: RotationEvent): Promise<void> {
    if (!STEPS.includes(event.Step)) throw new BadEventError(`Step: ${JSON.stringify(event.Step)} is not one of ${STEPS.join(', ')}`);
    const described = await this.deps.secrets.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
    if (described.RotationEnabled !== true) throw new BadEventError('rotation is not enabled on the secret');
    const stages = described.VersionIdsToStages?.[event.ClientRequestToken];
    if (!stages) throw new BadEventError('the secret has no version for this rotation');
    if (stages.includes(AWSCURRENT)) {
      // A retry after finishSecret succeeded: nothing left to do.
      this.deps.log.info('rotation already finished', { reason: event.Step });
      return;
    }
    if (!stages.includes(AWSPENDING)) throw new BadEventError('the version of this rotation is not AWSPENDING');
    const boundClientId = await this.deps.bindings.clientIdOf(described);
    switch (event.Step) {
      case 'createSecret': return this.createSecret(event, described, boundClientId);
      case 'setSecret': return this.setSecret(event, described, boundClientId);
      case 'testSecret': return this.testSecret(event, described, boundClientId);
      case 'finishSecret': return this.finishSecret(event, described);
    }
  }

  private async createSecret(event: RotationEvent, described: DescribeSecretCommandOutput, boundClientId: string): Promise<void> {
    const secretId = event.SecretId;
    if (await this.pendingValue(secretId, event.ClientRequestToken) !== undefined) {
      this.deps.log.info('pending value already written', { reason: 'createSecret' });
      return;
    }
    const current = await this.currentCredentials(secretId);
    requireBound(current, boundClientId, 'AWSCURRENT');
    const ids = { clientId: current.clientId, tenantId: typeof current.tenantId === 'string' ? current.tenantId : undefined };
    let state = stateOf(described);
    const held = (await this.deps.apps.listSecrets(current.clientId)).map((s) => s.clientSecretId);

    const adopt = adoption(state, held);
    if (adopt.kind === 'ambiguous') {
      throw new UnknownCurrentSecretError(`client ${current.clientId}: ${adopt.detail}; see docs/tokens.md, "Rotating the secrets of CDK-declared tenants"`);
    }
    if (adopt.kind === 'adopt') {
      const versionId = currentVersionId(state)!;
      const label = cognitoLabel(adopt.clientSecretId);
      await this.deps.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: label, MoveToVersionId: versionId }));
      state = { ...state, versions: { ...state.versions, [versionId]: [...state.versions[versionId], cognitoLabel(adopt.clientSecretId)] } };
      this.deps.log.info('current client secret recorded', ids);
    }

    const plan = planRoom(state, held, this.deps.now(), this.deps.graceMs);
    if (plan.blocked) {
      throw new GracePeriodRunningError(`client ${current.clientId} holds the current and the previous secret, whose grace period runs until ${plan.blockedUntil?.toISOString() ?? 'an unknown time'}; rotate after that (or delete the previous secret with DeleteUserPoolClientSecret to end its grace period now)`);
    }
    for (const r of plan.remove) await this.remove(secretId, current.clientId, r, ids);
    for (const stale of staleLabels(state, held)) {
      if (plan.remove.some((r) => r.clientSecretId === stale.clientSecretId)) continue;
      await this.unlabel(secretId, stale.clientSecretId, stale.versionId, ids);
    }

    const added = await this.deps.apps.addSecret(current.clientId);
    // The value and the id of its Cognito secret are written together. If the write fails, the
    // new Cognito secret is an orphan that the next try deletes (no one ever saw its value).
    await this.deps.secrets.send(new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: event.ClientRequestToken,
      SecretString: JSON.stringify({ ...current, clientSecret: added.clientSecret }),
      VersionStages: [AWSPENDING, cognitoLabel(added.clientSecretId)],
    }));
    this.deps.log.info('client secret added as AWSPENDING', ids);
  }

  private async setSecret(event: RotationEvent, described: DescribeSecretCommandOutput, boundClientId: string): Promise<void> {
    const pending = await this.requirePending(event);
    requireBound(pending, boundClientId, 'AWSPENDING');
    await this.pendingCognitoSecret(event, described, pending);
    this.deps.log.info('pending client secret is held by Cognito', { clientId: pending.clientId });
  }

  private async testSecret(event: RotationEvent, described: DescribeSecretCommandOutput, boundClientId: string): Promise<void> {
    const pendingString = await this.pendingValue(event.SecretId, event.ClientRequestToken);
    if (pendingString === undefined) throw new PendingSecretError('the pending version has no value: createSecret has not completed');
    const pending = parseCredentials(pendingString, 'AWSPENDING');
    requireBound(pending, boundClientId, 'AWSPENDING');
    const current = await this.currentCredentials(event.SecretId);
    const changed = [...new Set([...Object.keys(current), ...Object.keys(pending)])]
      .filter((k) => k !== 'clientSecret' && JSON.stringify(current[k]) !== JSON.stringify(pending[k]));
    if (changed.length > 0) throw new PendingSecretError(`the pending value differs from the current one in ${changed.join(', ')}; only clientSecret may change`);
    if (pending.clientSecret === current.clientSecret) throw new PendingSecretError('the pending value holds the current client secret');
    await this.pendingCognitoSecret(event, described, pending);
    try {
      await this.deps.checkToken(pending.clientId, pending.clientSecret);
    } catch (err) {
      // TokenClientError messages redact the secret; other errors are named only.
      throw new TokenTestError(`no access token with the pending secret of client ${pending.clientId}: ${err instanceof TokenClientError ? err.message : errorName(err)}`);
    }
    this.deps.log.info('pending client secret got a token', { clientId: pending.clientId });
  }

  private async finishSecret(event: RotationEvent, described: DescribeSecretCommandOutput): Promise<void> {
    const current = currentVersionId(stateOf(described));
    await this.deps.secrets.send(new UpdateSecretVersionStageCommand({
      SecretId: event.SecretId,
      VersionStage: AWSCURRENT,
      MoveToVersionId: event.ClientRequestToken,
      RemoveFromVersionId: current,
    }));
    this.deps.log.info('pending client secret promoted to AWSCURRENT; the previous one works until its grace period ends', { count: Math.round(this.deps.graceMs / 1000) });
  }

  /**
   * Deletes the old Cognito client secrets of every secret this function
   * rotates once their grace period is over. Secrets whose rotation function
   * is another are left alone; a secret not declared for the client its
   * labels name is refused (logged with reason `secret_not_bound`, which the
   * construct alarms on). Throws after the whole pass if any deletion failed.
   */
  public async sweep(functionArn: string): Promise<{ examined: number; deleted: number; failed: number; refused: number }> {
    const mine = unqualified(functionArn);
    let examined = 0;
    let deleted = 0;
    let failed = 0;
    let refused = 0;
    let next: string | undefined;
    do {
      const page = await this.deps.secrets.send(new ListSecretsCommand({ MaxResults: 100, NextToken: next }));
      for (const s of page.SecretList ?? []) {
        if (!s.ARN || !s.RotationLambdaARN || unqualified(s.RotationLambdaARN) !== mine) continue;
        examined++;
        const plan = planSweep(stateOf(s), this.deps.now(), this.deps.graceMs);
        if (plan.problem) this.deps.log.warn('former client secrets kept', { reason: 'current_secret_unknown', configDetail: plan.problem });
        if (plan.remove.length === 0) continue;
        let boundClientId: string;
        try {
          boundClientId = await this.deps.bindings.clientIdOf(s);
        } catch (err) {
          if (err instanceof SecretNotBoundError) {
            refused++;
            this.deps.log.error('client secret sweep refused a secret', { reason: err.reason, configDetail: err.message });
          } else {
            failed++;
            this.deps.log.error('grace period deletion failed', { reason: 'sweep_failed', errorName: errorName(err) });
          }
          continue;
        }
        for (const r of plan.remove) {
          const clientId = clientIdOfSecretId(r.clientSecretId)!;
          if (clientId !== boundClientId) {
            refused++;
            this.deps.log.error('client secret sweep refused a secret', {
              clientId: boundClientId, reason: SECRET_NOT_BOUND_REASON, configDetail: `secret ${s.ARN} records a client secret of client ${clientId}, but was declared for client ${boundClientId}`,
            });
            continue;
          }
          try {
            await this.remove(s.ARN, clientId, r, { clientId });
            deleted++;
          } catch (err) {
            failed++;
            this.deps.log.error('grace period deletion failed', { clientId, reason: 'sweep_failed', errorName: errorName(err) });
          }
        }
      }
      next = page.NextToken;
    } while (next);
    this.deps.log.info('client secret sweep done', { count: deleted, reason: failed > 0 ? 'sweep_partial' : 'sweep_ok' });
    if (failed > 0) throw new SweepFailedError(`${failed} of the expired client secrets could not be deleted; the next sweep retries`);
    return { examined, deleted, failed, refused };
  }

  /** Deletes a Cognito client secret, then the label that records it. */
  private async remove(secretId: string, clientId: string, r: Removal, ids: { clientId?: string; tenantId?: string }): Promise<void> {
    await this.deps.apps.deleteSecret(clientId, r.clientSecretId);
    this.deps.log.info('client secret deleted', { ...ids, reason: r.reason });
    if (r.versionId) await this.unlabel(secretId, r.clientSecretId, r.versionId, ids);
  }

  /** Removes a label; a label already gone is fine, and one left behind is removed by a later createSecret. */
  private async unlabel(secretId: string, clientSecretId: string, versionId: string, ids: { clientId?: string; tenantId?: string }): Promise<void> {
    try {
      const label = cognitoLabel(clientSecretId);
      await this.deps.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: label, RemoveFromVersionId: versionId }));
    } catch (err) {
      this.deps.log.warn('label of a deleted client secret kept', { ...ids, reason: 'unlabel_failed', errorName: errorName(err) });
    }
  }

  private async currentCredentials(secretId: string): Promise<Credentials> {
    const out = await this.deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: AWSCURRENT }));
    return parseCredentials(out.SecretString, 'AWSCURRENT');
  }

  private async pendingValue(secretId: string, token: string): Promise<string | undefined> {
    try {
      const out = await this.deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: AWSPENDING }));
      return out.SecretString;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async requirePending(event: RotationEvent): Promise<Credentials> {
    const value = await this.pendingValue(event.SecretId, event.ClientRequestToken);
    if (value === undefined) throw new PendingSecretError('the pending version has no value: createSecret has not completed');
    return parseCredentials(value, 'AWSPENDING');
  }

  /** The id of the Cognito secret the pending version records, checked to exist. */
  private async pendingCognitoSecret(event: RotationEvent, described: DescribeSecretCommandOutput, pending: Credentials): Promise<string> {
    const recorded = [...recordedSecrets(stateOf(described)).values()].find((r) => r.versionId === event.ClientRequestToken);
    if (!recorded) throw new PendingSecretError('the pending version records no Cognito client secret');
    const held = await this.deps.apps.listSecrets(pending.clientId);
    if (!held.some((s) => s.clientSecretId === recorded.clientSecretId)) {
      throw new PendingSecretError(`client ${pending.clientId} no longer holds the pending secret ${recorded.clientSecretId}`);
    }
    return recorded.clientSecretId;
  }
}

/** A function ARN without its version or alias. */
function unqualified(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}
