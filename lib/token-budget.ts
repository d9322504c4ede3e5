import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BudgetSpec, isBudgetCount, isSuspendSeconds, MAX_BUDGET } from './private/contracts/token-budget';
import { propError } from './private/validation';

/**
 * A token budget: how many new access tokens a client (or all clients of a
 * tenant together) may use per UTC clock hour and per UTC day before
 * `TokenBudgets` raises its alarm, and, with `suspendFor`, suspends it.
 *
 * A token counts once, in the hour and day of its `iat` (when Cognito issued
 * it), the first time the API's tenant-aware authorizer verifies it; a token
 * reused for many calls counts once. A consumer that asks for a token per
 * call is what a budget catches: every token request is billed.
 *
 * @see https://aws.amazon.com/cognito/pricing/
 */
export interface TokenBudget {
  /**
   * New tokens per UTC clock hour (e.g. 10:00 to 10:59:59). The token after
   * the budget crosses it. A whole number from 0 to 1,000,000,000.
   *
   * @default - no hourly budget (set `perHour`, `perDay` or both)
   */
  readonly perHour?: number;

  /**
   * New tokens per UTC day. A whole number from 0 to 1,000,000,000.
   *
   * @default - no daily budget (set `perHour`, `perDay` or both)
   */
  readonly perDay?: number;

  /**
   * Suspends the client (for a client's budget) or every client of the
   * tenant (for a tenant's budget) this long after a crossing: the API's
   * tenant-aware authorizer denies its tokens with the reason
   * `token_budget` until then or until a platform admin lifts it in the
   * developer portal. From 1 minute to 30 days, whole seconds.
   *
   * @default - no suspension: a crossing raises the alarm only
   */
  readonly suspendFor?: Duration;
}

/**
 * Checks a budget prop (`prop` names it in errors) and returns it as the
 * budget function reads it.
 *
 * @internal
 */
export function checkTokenBudget(scope: IConstruct, prop: string, budget: TokenBudget): BudgetSpec {
  if (typeof budget !== 'object' || budget === null) throw propError(scope, prop, budget, 'must be a TokenBudget { perHour?, perDay?, suspendFor? }');
  for (const field of ['perHour', 'perDay'] as const) {
    const v = budget[field];
    if (v === undefined) continue;
    if (Token.isUnresolved(v)) throw propError(scope, `${prop}.${field}`, 'a token', 'must be known at synth time: the budget function receives the budgets in its environment');
    if (!isBudgetCount(v)) {
      throw propError(scope, `${prop}.${field}`, v, `must be a whole number of tokens from 0 to ${MAX_BUDGET}`);
    }
  }
  if (budget.perHour === undefined && budget.perDay === undefined) {
    throw propError(scope, prop, '{}', 'a token budget needs perHour, perDay or both');
  }
  let suspendForSeconds: number | undefined;
  if (budget.suspendFor !== undefined) {
    if (budget.suspendFor.isUnresolved()) throw propError(scope, `${prop}.suspendFor`, 'a token', 'must be known at synth time');
    const ms = budget.suspendFor.toMilliseconds();
    if (ms % 1000 !== 0 || !isSuspendSeconds(ms / 1000)) {
      throw propError(scope, `${prop}.suspendFor`, budget.suspendFor, 'must be whole seconds from 1 minute to 30 days');
    }
    suspendForSeconds = ms / 1000;
  }
  return { perHour: budget.perHour, perDay: budget.perDay, suspendForSeconds };
}
