/**
 * The decisions of the rotation, as pure functions of what Secrets Manager
 * and Cognito report: which Cognito client secret each secret version holds,
 * which secrets may be deleted, and when. The handler (rotation.ts) only
 * carries them out, so every rule below is tested without AWS.
 *
 * The rules that keep consumers working:
 * - The secret of the AWSCURRENT version is never deleted.
 * - The secret that was AWSCURRENT before the last rotation (its version is
 *   AWSPREVIOUS, which Secrets Manager moves there on promotion: the "former"
 *   secret) is deleted only once the grace period has passed since the last
 *   completed rotation.
 * - A secret that never became AWSCURRENT (recorded on a version that is
 *   neither AWSCURRENT nor AWSPREVIOUS: an abandoned AWSPENDING; or an
 *   "orphan" whose version was never written) was never handed to anyone and
 *   may go at once. Only createSecret deletes those: Secrets Manager runs one
 *   rotation of a secret at a time, and to the sweep the secret of a rotation
 *   in progress looks the same.
 * - A client never holds more than MAX_SECRETS_PER_CLIENT secrets: a rotation
 *   that would need a third waits (fails, and the current secret stays).
 */
import { clientIdOfSecretId, clientSecretIdOf, MAX_SECRETS_PER_CLIENT } from '../../lib/private/contracts/client-rotation';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** What Secrets Manager reports about a secret (DescribeSecret or ListSecrets). */
export interface SecretState {
  /** The staging labels of each version, by version id. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
  /** When Secrets Manager last completed a rotation of the secret. */
  readonly lastRotatedAt?: Date;
}

/** A Cognito client secret recorded on a version of the secret. */
export interface RecordedSecret {
  readonly clientSecretId: string;
  readonly versionId: string;
  readonly stages: readonly string[];
}

/** Why a Cognito client secret is deleted. */
export type RemovalReason = 'expired' | 'abandoned' | 'orphan';

export interface Removal {
  readonly clientSecretId: string;
  /** The version whose label names the secret (none for an orphan). */
  readonly versionId?: string;
  readonly reason: RemovalReason;
}

/** The version that is AWSCURRENT, if any. */
export function currentVersionId(state: SecretState): string | undefined {
  return Object.keys(state.versions).find((v) => state.versions[v].includes(AWSCURRENT));
}

/** Every Cognito client secret recorded on a version, by its id. */
export function recordedSecrets(state: SecretState): Map<string, RecordedSecret> {
  const out = new Map<string, RecordedSecret>();
  for (const [versionId, stages] of Object.entries(state.versions)) {
    for (const label of stages) {
      const clientSecretId = clientSecretIdOf(label);
      if (clientSecretId) out.set(clientSecretId, { clientSecretId, versionId, stages });
    }
  }
  return out;
}

/** The Cognito client secret the AWSCURRENT version holds, when recorded. */
export function currentSecretId(state: SecretState): string | undefined {
  const current = currentVersionId(state);
  return [...recordedSecrets(state).values()].find((r) => r.versionId === current)?.clientSecretId;
}

/** The end of the grace period of secrets that stopped being current at the last rotation. */
export function graceEnd(state: SecretState, graceMs: number): Date | undefined {
  return state.lastRotatedAt ? new Date(state.lastRotatedAt.getTime() + graceMs) : undefined;
}

function isFormer(r: RecordedSecret): boolean {
  return r.stages.includes(AWSPREVIOUS) && !r.stages.includes(AWSCURRENT);
}

/**
 * How the AWSCURRENT version learns which Cognito secret it holds, when it
 * has no label yet (the value CloudFormation wrote when it created the
 * client): only when the client holds exactly one secret and no version
 * claims it. Anything else is ambiguous and nothing may be deleted.
 */
export type Adoption =
  | { readonly kind: 'recorded' }
  | { readonly kind: 'adopt'; readonly clientSecretId: string }
  | { readonly kind: 'ambiguous'; readonly detail: string };

export function adoption(state: SecretState, cognitoSecretIds: readonly string[]): Adoption {
  if (currentSecretId(state) !== undefined) return { kind: 'recorded' };
  const recorded = recordedSecrets(state);
  const unclaimed = cognitoSecretIds.filter((id) => !recorded.has(id));
  if (cognitoSecretIds.length === 1 && unclaimed.length === 1) return { kind: 'adopt', clientSecretId: unclaimed[0] };
  return {
    kind: 'ambiguous',
    detail: unclaimed.length === 0
      ? `the current value holds none of the client's ${cognitoSecretIds.length} secret(s) this function recorded: it was written outside the rotation (a changed template value?)`
      : `the client holds ${cognitoSecretIds.length} secrets and the current value records none of them`,
  };
}

export interface RoomPlan {
  /** Secrets to delete before a new one is added. */
  readonly remove: readonly Removal[];
  /** True when a former secret is still in its grace period and no room is left: no secret may be added. */
  readonly blocked: boolean;
  /** When the grace period of the blocking secret ends (unknown if Secrets Manager reports no last rotation). */
  readonly blockedUntil?: Date;
}

/**
 * What createSecret deletes so that a new secret fits: abandoned and orphan
 * secrets at once, former secrets whose grace period is over. The current
 * secret must be recorded (see `adoption`).
 */
export function planRoom(state: SecretState, cognitoSecretIds: readonly string[], now: Date, graceMs: number): RoomPlan {
  const current = currentSecretId(state);
  const recorded = recordedSecrets(state);
  const end = graceEnd(state, graceMs);
  const expired = end !== undefined && end.getTime() <= now.getTime();
  const remove: Removal[] = [];
  let kept = 0;
  let blocked = false;
  for (const id of cognitoSecretIds) {
    const r = recorded.get(id);
    if (id === current) {
      kept++;
    } else if (!r) {
      remove.push({ clientSecretId: id, reason: 'orphan' });
    } else if (!isFormer(r)) {
      remove.push({ clientSecretId: id, versionId: r.versionId, reason: 'abandoned' });
    } else if (expired) {
      remove.push({ clientSecretId: id, versionId: r.versionId, reason: 'expired' });
    } else {
      kept++;
      blocked = true;
    }
  }
  if (kept < MAX_SECRETS_PER_CLIENT || !blocked) return { remove, blocked: false };
  return { remove, blocked: true, blockedUntil: end };
}

export interface SweepPlan {
  readonly remove: readonly Removal[];
  /** Set when former secrets exist but cannot be judged safely (and are kept). */
  readonly problem?: string;
}

/**
 * What the scheduled sweep deletes, from the labels alone: former secrets of
 * the current client whose grace period is over. Nothing when the current
 * version records no secret: then a former secret may be the only working
 * one (a value written outside the rotation).
 */
export function planSweep(state: SecretState, now: Date, graceMs: number): SweepPlan {
  const formers = [...recordedSecrets(state).values()].filter(isFormer);
  if (formers.length === 0) return { remove: [] };
  const current = currentSecretId(state);
  if (current === undefined) {
    return { remove: [], problem: 'the current version records no Cognito client secret; former secrets are kept' };
  }
  const end = graceEnd(state, graceMs);
  if (end === undefined || end.getTime() > now.getTime()) return { remove: [] };
  const clientId = clientIdOfSecretId(current);
  return {
    remove: formers
      .filter((r) => clientIdOfSecretId(r.clientSecretId) === clientId)
      .map((r) => ({ clientSecretId: r.clientSecretId, versionId: r.versionId, reason: 'expired' as const })),
  };
}

/**
 * Labels that name a secret the client no longer holds (deleted, or of an
 * app client that was replaced), on versions other than AWSCURRENT: they are
 * removed so that such versions can be retired by Secrets Manager.
 */
export function staleLabels(state: SecretState, cognitoSecretIds: readonly string[]): RecordedSecret[] {
  const held = new Set(cognitoSecretIds);
  return [...recordedSecrets(state).values()].filter((r) => !held.has(r.clientSecretId) && !r.stages.includes(AWSCURRENT));
}
