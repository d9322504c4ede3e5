/**
 * Token budgets: the contract between the TokenBudgets construct
 * (lib/token-budgets.ts), the budget function that counts tokens
 * (lambda/token-budget/) and the authorizer that enforces suspensions
 * (lambda/authorizer/budget-resolver.ts). No imports but other contracts:
 * the handlers bundle this module.
 *
 * The budget table (partition key `pk`, sort key `sk`, both strings; TTL
 * attribute `expiresAt`, epoch seconds):
 *
 * | pk                         | sk            | what                                                       |
 * |----------------------------|---------------|------------------------------------------------------------|
 * | `TOKEN#<jti>`              | `TOKEN`       | a counted token (dedupe), expires a day after the token    |
 * | `COUNT#CLIENT#<clientId>`  | `DAY#<date>`  | `d`: tokens issued that UTC day; `h00`…`h23`: per hour;     |
 * | `COUNT#TENANT#<tenantId>`  | `DAY#<date>`  | `x_d`, `x_hNN`: the crossing claim of a window (below)     |
 * | `SUSPENSION#CLIENT#<id>`   | `SUSPENSION`  | a budget suspension of a client until `until` (seconds)    |
 * | `SUSPENSION#TENANT#<id>`   | `SUSPENSION`  | a budget suspension of a tenant until `until`              |
 *
 * A token counts in the windows of its `issuedAt` (Cognito's clock), never of
 * the time the line is processed. The token item and both counters are one
 * TransactWriteItems whose first item is the token's conditional put, so a
 * token is counted once whichever environment, retry or batch reports it.
 */

/** The budget function's variables (TokenBudgets sets them). */
export enum TOKEN_BUDGET_ENV {
  /** The budget table. */
  budgetTable = 'BUDGET_TABLE_NAME',
  /** The budgets of CDK-declared clients and tenants: a JSON `BudgetConfig`. */
  budgets = 'TOKEN_BUDGETS',
  /** The SNS topic told of each crossing (optional). */
  alarmTopicArn = 'ALARM_TOPIC_ARN',
}

/** The authorizer's variables for budget suspensions (TokenBudgets adds them to the authorizer). */
export enum BUDGET_ENFORCEMENT_ENV {
  /** The budget table, read for suspension records only. */
  budgetTable = 'BUDGET_TABLE_NAME',
  /** How long a suspension answer (suspended or not) is reused: BUDGET_CACHE_TTL_SECONDS. */
  cacheTtlSeconds = 'BUDGET_CACHE_TTL_SECONDS',
}

/** How long the authorizer reuses a suspension answer. */
export const BUDGET_CACHE_TTL_SECONDS = { env: BUDGET_ENFORCEMENT_ENV.cacheTtlSeconds, default: 30, min: 0, max: 900, unit: 'seconds' } as const;

/** A budget as the function reads it; every field optional (absent: no limit, no suspension). */
export interface BudgetSpec {
  readonly perHour?: number;
  readonly perDay?: number;
  /** Suspension length in seconds after a crossing; absent: alarm only. */
  readonly suspendForSeconds?: number;
}

/** TOKEN_BUDGETS: budgets by client id and by tenant id. */
export interface BudgetConfig {
  readonly clients: Readonly<Record<string, BudgetSpec>>;
  readonly tenants: Readonly<Record<string, BudgetSpec>>;
}

/** Whose budget: a client's own, or its tenant's (the sum of its clients). */
export type BudgetSubject = 'client' | 'tenant';
/** The window a budget counts in: a UTC clock hour or a UTC day. */
export type BudgetWindow = 'hour' | 'day';

/** The shortest suspension (`suspendFor`). */
export const MIN_SUSPEND_SECONDS = 60;
/** The longest suspension (`suspendFor`). */
export const MAX_SUSPEND_SECONDS = 2_592_000; // 30 days (a literal: bundles that import this module for its names drop it)
/** The largest budget. */
export const MAX_BUDGET = 1_000_000_000;

/** A budget's count (`perHour`, `perDay`): a whole number of tokens from 0 to MAX_BUDGET. */
export function isBudgetCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_BUDGET;
}

/** A suspension's length in seconds: whole, from MIN_SUSPEND_SECONDS to MAX_SUSPEND_SECONDS. */
export function isSuspendSeconds(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= MIN_SUSPEND_SECONDS && (v as number) <= MAX_SUSPEND_SECONDS;
}

/** The shape check of a budget; undefined when valid, else the rule it breaks. */
export function budgetSpecProblem(spec: unknown): string | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return 'must be an object';
  const s = spec as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!['perHour', 'perDay', 'suspendForSeconds'].includes(key)) return `${key} is not a budget field (perHour, perDay, suspendForSeconds)`;
  }
  for (const key of ['perHour', 'perDay'] as const) {
    const v = s[key];
    if (v !== undefined && !isBudgetCount(v)) return `${key} must be a whole number from 0 to ${MAX_BUDGET}`;
  }
  const f = s.suspendForSeconds;
  if (f !== undefined && !isSuspendSeconds(f)) return `suspendForSeconds must be a whole number from ${MIN_SUSPEND_SECONDS} to ${MAX_SUSPEND_SECONDS}`;
  if (s.perHour === undefined && s.perDay === undefined) return 'must set perHour or perDay';
  return undefined;
}

/** The UTC day of an epoch second: `YYYY-MM-DD`. */
export function dayOf(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds / 86400) * 86400_000).toISOString().slice(0, 10);
}

/** The UTC hour of an epoch second within its day: `00`…`23`. */
export function hourOf(epochSeconds: number): string {
  return String(Math.floor((epochSeconds % 86400) / 3600)).padStart(2, '0');
}

export const TOKEN_SK = 'TOKEN';
export const SUSPENSION_SK = 'SUSPENSION';
export const tokenKeyPk = (tokenId: string): string => `TOKEN#${tokenId}`;
export const counterPk = (subject: BudgetSubject, id: string): string => `COUNT#${subject.toUpperCase()}#${id}`;
export const daySk = (day: string): string => `DAY#${day}`;
export const suspensionPk = (subject: BudgetSubject, id: string): string => `SUSPENSION#${subject.toUpperCase()}#${id}`;
/** The counter attribute of a window: `d`, or `hNN` for hour NN. */
export const countAttribute = (window: BudgetWindow, hour: string): string => (window === 'day' ? 'd' : `h${hour}`);
/** The crossing claim attribute of a window. */
export const claimAttribute = (window: BudgetWindow, hour: string): string => `x_${countAttribute(window, hour)}`;

/** A suspension record as the function writes it and the authorizer reads it. */
export interface SuspensionRecord {
  readonly subject: BudgetSubject;
  readonly id: string;
  /** Epoch seconds: the suspension ends then (the authorizer compares; the item's TTL removes it later). */
  readonly until: number;
  readonly window: BudgetWindow;
  readonly budget: number;
  readonly count: number;
}

/** The message published to the alarm topic on a crossing (JSON). */
export interface BudgetCrossing {
  readonly kind: 'TokenBudgetExceeded';
  readonly subject: BudgetSubject;
  readonly tenantId: string;
  /** The client whose token crossed the budget (for a tenant budget: the one that tipped it). */
  readonly clientId: string;
  readonly window: BudgetWindow;
  /** ISO time of the window's start (UTC). */
  readonly windowStart: string;
  readonly budget: number;
  /** The count when the crossing was seen (at least budget + 1). */
  readonly count: number;
  /** ISO time the suspension ends; absent when the budget only alarms. */
  readonly suspendedUntil?: string;
}

/** The EMF metric of a crossing: namespace CdkCognitoM2m, dimension [functionName] only. */
export const TOKEN_BUDGET_EXCEEDED_METRIC = 'TokenBudgetExceeded';

/** The audit actions the budget function writes to the registry's trail. */
export const BUDGET_AUDIT_ACTIONS = { exceeded: 'token_budget.exceeded', suspended: 'token_budget.suspended' } as const;
/** The actor of the budget function's audit entries. */
export const BUDGET_AUDIT_ACTOR = 'system:token-budget';
/** The deny reason of a budget suspension (authorizer-metrics.ts DENY_REASONS). */
export const BUDGET_DENY_REASON = 'token_budget';

/** Token ids are deduplicated for a day past the token's expiry; older lines count nothing. */
export const TOKEN_RETENTION_SECONDS = 86_400; // a day
/** Counters live three days after their day starts (a token lives at most a day, plus delivery). */
export const COUNTER_RETENTION_SECONDS = 259_200; // three days
/** A crossing claim not marked handled after this long is taken over (its function crashed). */
export const CLAIM_LEASE_SECONDS = 120;
