/**
 * The budget table's reads and writes (layout: lib/private/contracts/token-budget.ts).
 *
 * - `count`: one TransactWriteItems of three items: the token's conditional put
 *   (attribute_not_exists) and ADD 1 on its client's and its tenant's day
 *   counters (the day total `d` and the hour `hNN` of the token's `issuedAt`).
 *   A token already counted cancels the transaction on its first item: nothing
 *   is added. So a token counts once, whatever delivers it how often.
 * - `claim`: the crossing of a window is claimed by one conditional write on
 *   the counter item (count above the budget, no claim yet or a claim older
 *   than the lease), so one invocation acts on it; `handled` marks it done,
 *   `release` gives it back when an action failed.
 * - `suspend`: the suspension record, keeping the later end of two.
 */
import {
  DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  BudgetSubject, BudgetWindow, CLAIM_LEASE_SECONDS, claimAttribute, COUNTER_RETENTION_SECONDS, counterPk, countAttribute,
  dayOf, daySk, hourOf, SUSPENSION_SK, suspensionPk, SuspensionRecord, TOKEN_RETENTION_SECONDS, TOKEN_SK, tokenKeyPk,
} from '../../lib/private/contracts/token-budget';
import { isConditionFailed } from '../portal/errors';

/** One first sighting, as the authorizer logged it (lib/private/contracts/token-usage.ts). */
export interface FirstSeen {
  readonly clientId: string;
  readonly tenantId: string;
  readonly tokenId: string;
  /** Epoch seconds (Cognito's clock). */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type CountResult = 'counted' | 'duplicate' | 'stale';

/** A counter item: counts by attribute (`d`, `hNN`) and claims by attribute (`x_d`, `x_hNN`). */
export interface Counter {
  readonly counts: Readonly<Record<string, number>>;
  readonly claims: Readonly<Record<string, Claim>>;
}

export interface Claim {
  readonly state: 'claimed' | 'handled';
  /** Epoch seconds. */
  readonly at: number;
  readonly by: string;
}

/** True when a cancelled transaction failed on its first item's condition (the token was counted before). */
function tokenAlreadyCounted(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return false;
  const reasons = (err as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  return reasons?.[0]?.Code === 'ConditionalCheckFailed' && reasons.slice(1).every((r) => r.Code === undefined || r.Code === 'None');
}

export class BudgetStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  /**
   * Counts a token once. `stale`: the token expired more than a day before
   * `now` (its dedupe item may be gone): counting it again could count twice,
   * so it is not counted.
   */
  public async count(t: FirstSeen, nowSeconds: number): Promise<CountResult> {
    const tokenTtl = t.expiresAt + TOKEN_RETENTION_SECONDS;
    if (nowSeconds >= tokenTtl) return 'stale';
    const day = dayOf(t.issuedAt);
    const hour = countAttribute('hour', hourOf(t.issuedAt));
    const counterTtl = Math.floor(t.issuedAt / 86400) * 86400 + COUNTER_RETENTION_SECONDS;
    const add = (subject: BudgetSubject, id: string) => ({
      Update: {
        TableName: this.table,
        Key: { pk: counterPk(subject, id), sk: daySk(day) },
        UpdateExpression: 'ADD d :one, #h :one SET tenantId = :t, expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeNames: { '#h': hour },
        ExpressionAttributeValues: { ':one': 1, ':t': t.tenantId, ':ttl': counterTtl },
      },
    });
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                pk: tokenKeyPk(t.tokenId),
                sk: TOKEN_SK,
                clientId: t.clientId,
                tenantId: t.tenantId,
                issuedAt: t.issuedAt,
                tokenExpiresAt: t.expiresAt,
                expiresAt: tokenTtl,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          add('client', t.clientId),
          add('tenant', t.tenantId),
        ],
      }));
      return 'counted';
    } catch (err) {
      if (tokenAlreadyCounted(err)) return 'duplicate';
      throw err;
    }
  }

  /** A subject's counter item of a day (strongly consistent); empty when nothing was counted. */
  public async counter(subject: BudgetSubject, id: string, day: string): Promise<Counter> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: counterPk(subject, id), sk: daySk(day) }, ConsistentRead: true,
    }));
    const counts: Record<string, number> = {};
    const claims: Record<string, Claim> = {};
    for (const [k, v] of Object.entries(out.Item ?? {})) {
      if (/^(d|h\d\d)$/.test(k) && typeof v === 'number') counts[k] = v;
      if (/^x_(d|h\d\d)$/.test(k) && typeof v === 'object' && v !== null) claims[k] = v as Claim;
    }
    return { counts, claims };
  }

  /**
   * Claims the crossing of a window for `by`: succeeds when the window's count
   * is above `budget` and nobody holds the claim (or its holder's lease ran out).
   */
  public async claim(subject: BudgetSubject, id: string, day: string, window: BudgetWindow, hour: string,
    budget: number, by: string, nowSeconds: number): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: counterPk(subject, id), sk: daySk(day) },
        UpdateExpression: 'SET #x = :claim',
        ConditionExpression: '#n > :budget AND (attribute_not_exists(#x) OR (#x.#st = :claimed AND #x.#at < :stale))',
        ExpressionAttributeNames: { '#x': claimAttribute(window, hour), '#n': countAttribute(window, hour), '#st': 'state', '#at': 'at' },
        ExpressionAttributeValues: {
          ':claim': { state: 'claimed', at: nowSeconds, by }, ':budget': budget, ':claimed': 'claimed', ':stale': nowSeconds - CLAIM_LEASE_SECONDS,
        },
      }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Marks a claim of `by` handled (its actions are done). */
  public async handled(subject: BudgetSubject, id: string, day: string, window: BudgetWindow, hour: string, by: string): Promise<void> {
    await this.#finishClaim(subject, id, day, window, hour, by, 'SET #x.#st = :handled', { ':handled': 'handled' });
  }

  /** Gives a claim of `by` back (an action failed), so the retry of the batch can claim it again. */
  public async release(subject: BudgetSubject, id: string, day: string, window: BudgetWindow, hour: string, by: string): Promise<void> {
    await this.#finishClaim(subject, id, day, window, hour, by, 'REMOVE #x', {});
  }

  async #finishClaim(subject: BudgetSubject, id: string, day: string, window: BudgetWindow, hour: string, by: string,
    update: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { pk: counterPk(subject, id), sk: daySk(day) },
        UpdateExpression: update,
        ConditionExpression: '#x.#by = :by',
        ExpressionAttributeNames: { '#x': claimAttribute(window, hour), ...(update.startsWith('SET') ? { '#st': 'state' } : {}), '#by': 'by' },
        ExpressionAttributeValues: { ':by': by, ...values },
      }));
    } catch (err) {
      if (!isConditionFailed(err)) throw err; // taken over after our lease: the new holder finishes it
    }
  }

  /** Writes a suspension, unless one that ends later is in place. */
  public async suspend(record: SuspensionRecord, atIso: string): Promise<void> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: { pk: suspensionPk(record.subject, record.id), sk: SUSPENSION_SK, ...record, at: atIso, expiresAt: record.until + 86400 },
        ConditionExpression: 'attribute_not_exists(pk) OR #u < :u',
        ExpressionAttributeNames: { '#u': 'until' },
        ExpressionAttributeValues: { ':u': record.until },
      }));
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  /** The suspension of a subject, if any (ended or not). */
  public async suspension(subject: BudgetSubject, id: string): Promise<SuspensionRecord | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: suspensionPk(subject, id), sk: SUSPENSION_SK }, ConsistentRead: true,
    }));
    return out.Item as SuspensionRecord | undefined;
  }

  /** Lifts a suspension (a platform admin's decision); false when there was none. */
  public async lift(subject: BudgetSubject, id: string): Promise<SuspensionRecord | undefined> {
    const out = await this.doc.send(new DeleteCommand({
      TableName: this.table, Key: { pk: suspensionPk(subject, id), sk: SUSPENSION_SK }, ReturnValues: 'ALL_OLD',
    }));
    return out.Attributes as SuspensionRecord | undefined;
  }
}
