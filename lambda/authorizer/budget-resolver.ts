/**
 * Budget suspensions (TokenBudgets, `suspendFor`): a resolver wrapping the
 * authorizer's own (declared clients, registry) that denies `token_budget`
 * while the budget function's suspension record of the client, or of its
 * tenant, has not ended.
 *
 * - It only reads suspension records (budget table, BUDGET_TABLE_NAME), which
 *   the budget function writes after a counted crossing: within budget
 *   nothing here can deny.
 * - It fails open: a record that cannot be read counts as none (logged), so a
 *   failure of the budget table or function never denies anyone. The inner
 *   resolver keeps its own rules (the registry fails closed).
 * - Answers are cached per client and per tenant for the TTL
 *   (BUDGET_CACHE_TTL_SECONDS), and never past a suspension's end; `recheckAt`
 *   hands the earliest expiry to the verified-token cache, so a cached token
 *   is re-checked: a suspension reaches it within the TTL.
 *
 * `@aws-sdk/client-dynamodb` is loaded (lazy `require`) only by
 * `createBudgetTenantResolver`, i.e. only when BUDGET_TABLE_NAME is set.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuthorizerError } from './errors';
import type { TenantResolver } from './tenant-resolver';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { TABLE_NAME } from '../../lib/private/contracts/ids';
import { BUDGET_CACHE_TTL_SECONDS, BUDGET_ENFORCEMENT_ENV, BudgetSubject, SUSPENSION_SK, suspensionPk } from '../../lib/private/contracts/token-budget';
import { Env, integer, optionalId } from '../shared/config';
import { Logger, logLevelFromEnv } from '../shared/log';

/** The end (epoch seconds) of a subject's suspension record, or undefined for none. Rejects when the table cannot be read. */
export type SuspensionLookup = (subject: BudgetSubject, id: string) => Promise<number | undefined>;

export interface BudgetTenantResolverOptions {
  readonly inner: TenantResolver;
  readonly lookup: SuspensionLookup;
  readonly ttlSeconds: number;
  /** Hears of a lookup that failed (the answer is then "not suspended"). */
  readonly onError?: (err: unknown, subject: BudgetSubject, id: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Entry {
  /** Epoch seconds, or undefined: not suspended. */
  readonly until: number | undefined;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** The plain client id of a resolver key (`<userPoolId>/<clientId>` for a client of another pool). */
const clientIdOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

export class BudgetTenantResolver implements TenantResolver {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();
  /** The tenant each client key resolved to last (for `recheckAt`). */
  readonly #tenantOf = new Map<string, string>();
  readonly #o: BudgetTenantResolverOptions;
  readonly #now: () => number;

  constructor(options: BudgetTenantResolverOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  public resolve(key: string): string | undefined | Promise<string | undefined> {
    const tenant = this.#o.inner.resolve(key);
    if (tenant === undefined) return undefined;
    if (typeof tenant === 'string') return this.#check(key, tenant);
    return tenant.then((t) => (t === undefined ? undefined : this.#check(key, t)));
  }

  public recheckAt(key: string, now: number): number | undefined {
    const inner = this.#o.inner.recheckAt?.(key, now);
    let at = inner ?? Infinity;
    for (const k of [`client:${clientIdOf(key)}`, ...this.#tenantKeys(key)]) at = Math.min(at, this.#entries.get(k)?.expiresAt ?? now);
    return at === Infinity ? undefined : at;
  }

  public declares(key: string): boolean {
    return this.#o.inner.declares?.(key) ?? false;
  }

  /** The tenant keys cached for a client (its tenant is known once it resolved). */
  #tenantKeys(key: string): string[] {
    const t = this.#tenantOf.get(key);
    return t === undefined ? [] : [`tenant:${t}`];
  }

  #check(key: string, tenantId: string): string | Promise<string> {
    const clientId = clientIdOf(key);
    if (this.#tenantOf.size >= 10_000) this.#tenantOf.clear();
    this.#tenantOf.set(key, tenantId);
    const client = this.#entry('client', clientId);
    const tenant = this.#entry('tenant', tenantId);
    const decide = (c: Entry, t: Entry): string => {
      const nowS = this.#now() / 1000;
      if ((c.until !== undefined && nowS < c.until) || (t.until !== undefined && nowS < t.until)) {
        throw new AuthorizerError('token_budget', undefined, clientId);
      }
      return tenantId;
    };
    if (!(client instanceof Promise) && !(tenant instanceof Promise)) return decide(client, tenant);
    return Promise.all([client, tenant]).then(([c, t]) => decide(c, t));
  }

  #entry(subject: BudgetSubject, id: string): Entry | Promise<Entry> {
    const k = `${subject}:${id}`;
    const e = this.#entries.get(k);
    if (e !== undefined && this.#now() < e.expiresAt) return e;
    let pending = this.#inflight.get(k);
    if (pending === undefined) {
      pending = this.#load(subject, id, k).finally(() => this.#inflight.delete(k));
      this.#inflight.set(k, pending);
    }
    return pending;
  }

  async #load(subject: BudgetSubject, id: string, k: string): Promise<Entry> {
    const started = this.#now();
    let until: number | undefined;
    try {
      until = await this.#o.lookup(subject, id);
    } catch (err) {
      this.#o.onError?.(err, subject, id); // fail open: not suspended, cached like any answer
    }
    const ttlEnd = started + this.#o.ttlSeconds * 1000;
    const suspended = until !== undefined && started < until * 1000;
    const entry: Entry = { until: suspended ? until : undefined, expiresAt: suspended ? Math.min(ttlEnd, until! * 1000) : ttlEnd };
    if (this.#entries.size >= 10_000) this.#entries.clear();
    this.#entries.set(k, entry);
    return entry;
  }
}

/** Bounded retries and timeouts: a slow budget table costs a request at most about a second, then counts as no suspension. */
const BUDGET_CLIENT_OPTIONS = { maxAttempts: 2, requestHandler: { connectionTimeout: 300, requestTimeout: 400 } };

let ddbClient: DynamoDBClient | undefined;

/** The Lambda's budget resolver: GetItem of suspension records in `table`, through a module-scope DynamoDB client. */
export function createBudgetTenantResolver(options: {
  readonly table: string;
  readonly ttlSeconds: number;
  readonly inner: TenantResolver;
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Overrides for the DynamoDB client (endpoint, region...). */
  readonly clientConfig?: object;
}): BudgetTenantResolver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  if (ddbClient === undefined || options.clientConfig !== undefined) {
    ddbClient = new sdk.DynamoDBClient({ ...BUDGET_CLIENT_OPTIONS, ...options.clientConfig });
  }
  const ddb = ddbClient;
  return new BudgetTenantResolver({
    inner: options.inner,
    ttlSeconds: options.ttlSeconds,
    now: options.now,
    lookup: async (subject, id) => {
      const out = await ddb.send(new sdk.GetItemCommand({
        TableName: options.table,
        Key: { pk: { S: suspensionPk(subject, id) }, sk: { S: SUSPENSION_SK } },
        ProjectionExpression: '#u',
        ExpressionAttributeNames: { '#u': 'until' },
        ConsistentRead: true,
      }));
      const until = out.Item?.until?.N;
      return until === undefined ? undefined : Number(until);
    },
    onError: (err, subject, id) => options.logger?.warn('budget suspension unreadable: not enforced', {
      reason: 'budget_unavailable',
      errorName: err instanceof Error ? err.name : 'Error',
      ...(subject === 'client' ? { clientId: id } : { tenantId: id }),
    }),
  });
}

/**
 * The registry builds' budget support (config.ts `RegistryFactory.budgets`):
 * `inner` wrapped when BUDGET_TABLE_NAME is set, else `inner` itself.
 * BUDGET_CACHE_TTL_SECONDS is checked either way.
 */
export function budgetResolverFromEnv(env: Env, inner: TenantResolver, now?: () => number): TenantResolver {
  const table = optionalId(env, BUDGET_ENFORCEMENT_ENV.budgetTable, TABLE_NAME);
  const ttlSeconds = integer(env, BUDGET_CACHE_TTL_SECONDS);
  if (table === undefined) return inner;
  return createBudgetTenantResolver({ table, ttlSeconds, inner, now, logger: new Logger(logLevelFromEnv(env[HANDLER_ENV.logLevel])) });
}
