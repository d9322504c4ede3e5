/**
 * The portal's items in the registry table, as the store reads and writes
 * them (key layout in lambda/shared/registry.ts), and the pagination tokens
 * of its listings.
 */
import { BadRequestError } from './errors';
import type { RegistryStatus, Role, TokenBudgetSpec } from '../../lib/private/contracts/portal-api';

export interface TenantRecord {
  readonly tenantId: string;
  readonly displayName?: string;
  readonly status: RegistryStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly version: number;
  /** Usage tier per tiered API (API name to tier name), recorded once the tenant's key is in that tier's plan. */
  readonly usageTiers?: Readonly<Record<string, string>>;
  /** A usage tier change in progress (a lock held by one request). */
  readonly pendingTier?: PendingTier;
  /** The tenant's token budget (PUT …/token-budget), which the budget function reads. */
  readonly tokenBudget?: TokenBudgetSpec;
}

/** The lock of a usage tier change: which request moves the key of which API to which tier. */
export interface PendingTier {
  readonly requestId: string;
  readonly startedAt: string;
  readonly api: string;
  readonly tier: string;
}

/** Rotation state: `adding` while a new secret is being added (a lock), `overlap` while both secrets work. */
export type Rotation = RotationLock | RotationOverlap;

/** A rotation being started: the request that holds the lock and the secret it keeps. */
export interface RotationLock {
  readonly state: 'adding';
  readonly requestId: string;
  readonly startedAt: string;
  readonly oldSecretId: string;
}

/** Both secrets work until `graceUntil`. */
export interface RotationOverlap extends Omit<RotationLock, 'state'> {
  readonly state: 'overlap';
  readonly newSecretId: string;
  readonly graceUntil: string;
}

/** A scope or validity change in progress (a lock held by one request). */
export interface PendingUpdate {
  readonly requestId: string;
  readonly startedAt: string;
}

export interface ClientRecord {
  readonly clientId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: string[];
  readonly accessTokenValidityMinutes: number;
  readonly status: RegistryStatus;
  /** The status before `deleting`, to restore when a delete fails. */
  readonly previousStatus?: RegistryStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly version: number;
  readonly rotation?: Rotation;
  readonly pendingUpdate?: PendingUpdate;
  readonly lastRotatedAt?: string;
  readonly deletedAt?: string;
  /**
   * Who suspended the client, while it is suspended: a platform admin's
   * suspension is lifted by a platform admin only. A suspended record without
   * it (suspended before the portal recorded it) counts as a platform admin's.
   */
  readonly suspendedBy?: Role;
}

export interface NameReservation {
  readonly state: 'pending' | 'registered';
  readonly requestId: string;
  readonly fingerprint: string;
  readonly reservedAt: string;
  readonly clientId?: string;
}

export interface IdempotencyRecord {
  readonly name: string;
  readonly fingerprint: string;
}

/** A conditional change of one item. */
export interface Change {
  readonly set?: Record<string, unknown>;
  readonly remove?: readonly string[];
  /** Condition besides `version = :expected` (uses `#name` placeholders of `names`). */
  readonly condition?: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
}

/** The outcome of counting one request of a caller. */
export interface RateCount {
  readonly allowed: boolean;
  /** Requests counted in the window (this one included when allowed). */
  readonly count: number;
}

const DATA_KEYS = new Set(['pk', 'sk', 'type']);

/** An item without its key attributes. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!DATA_KEYS.has(k)) out[k] = v;
  return out as T;
}

/** A pagination token for a listing's last evaluated key. */
export function encodeToken(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/** Decodes a pagination token and checks that it belongs to the expected partition. */
export function decodeToken(token: string | undefined, pk: string): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && key.pk === pk && typeof key.sk === 'string' && Object.keys(key).length === 2) {
      return key;
    }
  } catch {
    // fall through
  }
  throw new BadRequestError('nextToken', token, 'a nextToken returned by this listing');
}
