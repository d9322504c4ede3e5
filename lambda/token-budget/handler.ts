/**
 * The budget function: reads the authorizer's first-sighting lines delivered
 * by a CloudWatch Logs subscription filter, counts each token once
 * (counter.ts), and acts once on each window whose budget a count crosses:
 * a suspension record when the budget suspends, an EMF metric
 * (`TokenBudgetExceeded`, no client or tenant dimension), a log line, a
 * message to the alarm topic naming tenant, client, budget, window and count,
 * and an audit entry in the tenant registry when there is one.
 *
 * Crossings are checked for duplicates too: a batch delivered again after a
 * crash between counting and acting still acts. A line that fails throws once
 * the batch is done, so Lambda retries the batch (lines already counted count
 * nothing then). Nothing here denies a request: only a suspension record does,
 * and it is written after a counted crossing.
 */
import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import type { BudgetBook } from './budgets';
import type { BudgetStore, FirstSeen } from './counter';
import type { AuditDetail } from '../../lib/private/contracts/audit';
import { FUNCTION_DIMENSION } from '../../lib/private/contracts/authorizer-metrics';
import { CLIENT_ID, matchesRule, TENANT_ID } from '../../lib/private/contracts/ids';
import {
  BudgetCrossing, BudgetSpec, BudgetSubject, BudgetWindow, CLAIM_LEASE_SECONDS, claimAttribute, countAttribute, dayOf, hourOf,
  TOKEN_BUDGET_EXCEEDED_METRIC,
} from '../../lib/private/contracts/token-budget';
import { TOKEN_FIRST_SEEN_MESSAGE, TOKEN_ID_PATTERN } from '../../lib/private/contracts/token-usage';
import { errorName } from '../portal/errors';
import { functionMetric } from '../shared/function-metric';
import type { EmfMembers, Logger } from '../shared/log';

export interface BudgetHandlerDeps {
  readonly store: BudgetStore;
  readonly budgets: BudgetBook;
  readonly logger: Logger;
  /** Publishes a crossing to the alarm topic. @default none */
  readonly publish?: (subject: string, message: string) => Promise<void>;
  /** Appends a decision to the registry's audit trail. @default none */
  readonly audit?: (tenantId: string, action: string, detail: AuditDetail, at: Date, requestId: string) => Promise<void>;
  /** Writes the EMF metric under this function name. @default none (outside Lambda) */
  readonly functionName?: string;
  /** Lines counted at once. @default 8 */
  readonly concurrency?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface BatchResult {
  readonly counted: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly ignored: number;
  readonly crossings: number;
}

/** The first sightings of a subscription batch, one per token (a batch may repeat one). */
export function firstSightings(event: CloudWatchLogsEvent): { lines: FirstSeen[]; ignored: number } {
  const data = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')) as {
    messageType?: string; logEvents?: Array<{ message?: string }>;
  };
  const byToken = new Map<string, FirstSeen>();
  let ignored = 0;
  if (data.messageType !== 'DATA_MESSAGE') return { lines: [], ignored };
  for (const e of data.logEvents ?? []) {
    const line = parseLine(e.message ?? '');
    if (line) byToken.set(line.tokenId, line);
    else ignored++;
  }
  return { lines: [...byToken.values()], ignored };
}

/** A first-sighting line, or undefined for any other line or a field that fails its rule. */
export function parseLine(message: string): FirstSeen | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(message.trim()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || o.msg !== TOKEN_FIRST_SEEN_MESSAGE) return undefined;
  const { clientId, tenantId, tokenId, issuedAt, expiresAt } = o;
  if (!matchesRule(CLIENT_ID, clientId) || !matchesRule(TENANT_ID, tenantId)) return undefined;
  if (typeof tokenId !== 'string' || !TOKEN_ID_PATTERN.test(tokenId)) return undefined;
  if (!Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(expiresAt) || (expiresAt as number) < (issuedAt as number)) return undefined;
  return { clientId, tenantId, tokenId, issuedAt: issuedAt as number, expiresAt: expiresAt as number };
}

const WINDOW_SECONDS: Record<BudgetWindow, number> = { hour: 3600, day: 86400 };

export function createBudgetHandler(deps: BudgetHandlerDeps) {
  const now = deps.now ?? Date.now;
  const { store, logger } = deps;

  /** Acts on a crossing this invocation claimed. */
  const act = async (t: FirstSeen, subject: BudgetSubject, spec: BudgetSpec, window: BudgetWindow, budget: number, count: number,
    requestId: string): Promise<void> => {
    const at = new Date(now());
    const nowS = Math.floor(at.getTime() / 1000);
    const until = spec.suspendForSeconds !== undefined ? nowS + spec.suspendForSeconds : undefined;
    const id = subject === 'client' ? t.clientId : t.tenantId;
    if (until !== undefined) await store.suspend({ subject, id, until, window, budget, count }, at.toISOString());
    const windowStart = new Date(Math.floor(t.issuedAt / WINDOW_SECONDS[window]) * WINDOW_SECONDS[window] * 1000).toISOString();
    const crossing: BudgetCrossing = {
      kind: 'TokenBudgetExceeded',
      subject,
      tenantId: t.tenantId,
      clientId: t.clientId,
      window,
      windowStart,
      budget,
      count,
      ...(until !== undefined ? { suspendedUntil: new Date(until * 1000).toISOString() } : {}),
    };
    const detail: Record<string, string | number> = { subject, window, windowStart, budget };
    if (crossing.suspendedUntil !== undefined) detail.suspendedUntil = crossing.suspendedUntil;
    const metric: EmfMembers = deps.functionName
      ? functionMetric(deps.functionName, TOKEN_BUDGET_EXCEEDED_METRIC, 1, [[FUNCTION_DIMENSION]], at.getTime(), 'Count')
      : {};
    logger.warn(until !== undefined ? 'token budget exceeded: suspended' : 'token budget exceeded', {
      clientId: t.clientId, tenantId: t.tenantId, count, emf: { ...detail, ...metric },
    });
    if (deps.publish) {
      const title = `Token budget exceeded: tenant ${t.tenantId}, client ${t.clientId} (${subject} per ${window})`;
      await deps.publish(title.slice(0, 99), JSON.stringify(crossing));
    }
    if (deps.audit) {
      const action = until !== undefined ? 'token_budget.suspended' : 'token_budget.exceeded';
      await deps.audit(t.tenantId, action, { clientId: t.clientId, count, ...detail }, at, requestId);
    }
  };

  /** Claims and acts on each window of the token's budgets that its counter has crossed. */
  const crossings = async (t: FirstSeen, requestId: string): Promise<number> => {
    const day = dayOf(t.issuedAt);
    const hour = hourOf(t.issuedAt);
    const tenantSpec = await deps.budgets.tenant(t.tenantId, (err) => logger.warn('tenant budget unavailable', {
      tenantId: t.tenantId, reason: 'registry_unavailable', errorName: errorName(err),
    }));
    const subjects: Array<[BudgetSubject, string, BudgetSpec | undefined]> = [
      ['client', t.clientId, deps.budgets.client(t.clientId)], ['tenant', t.tenantId, tenantSpec],
    ];
    let acted = 0;
    for (const [subject, id, spec] of subjects) {
      if (!spec) continue;
      const counter = await store.counter(subject, id, day);
      for (const window of ['hour', 'day'] as const) {
        const budget = window === 'hour' ? spec.perHour : spec.perDay;
        const count = counter.counts[countAttribute(window, hour)] ?? 0;
        if (budget === undefined || count <= budget) continue;
        const claim = counter.claims[claimAttribute(window, hour)];
        const nowS = Math.floor(now() / 1000);
        if (claim && (claim.state === 'handled' || claim.at >= nowS - CLAIM_LEASE_SECONDS)) continue;
        if (!await store.claim(subject, id, day, window, hour, budget, requestId, nowS)) continue;
        try {
          await act(t, subject, spec, window, budget, count, requestId);
        } catch (err) {
          await store.release(subject, id, day, window, hour, requestId).catch(() => undefined);
          throw err;
        }
        await store.handled(subject, id, day, window, hour, requestId);
        acted++;
      }
    }
    return acted;
  };

  return {
    async handle(event: CloudWatchLogsEvent, requestId: string): Promise<BatchResult> {
      const { lines, ignored } = firstSightings(event);
      const result = { counted: 0, duplicates: 0, stale: 0, ignored, crossings: 0 };
      const failures: unknown[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < lines.length) {
          const t = lines[next++];
          try {
            const r = await store.count(t, Math.floor(now() / 1000));
            if (r === 'stale') { result.stale++; continue; }
            if (r === 'counted') result.counted++; else result.duplicates++;
            result.crossings += await crossings(t, requestId);
          } catch (err) {
            failures.push(err);
            logger.error('token not counted', { clientId: t.clientId, tenantId: t.tenantId, tokenId: t.tokenId, errorName: errorName(err) });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));
      logger.info('token budget batch', { count: lines.length, emf: { ...result } });
      if (failures.length > 0) throw new Error(`${failures.length} of ${lines.length} lines failed; the batch is retried`);
      return result;
    },
  };
}
