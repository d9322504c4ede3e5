import { IConstruct } from 'constructs';
import { existingState, ownedState } from './owned-state';

const BUDGET_WATCHERS = 'TokenBudgetWatchers';

/** Records that a `TokenBudgets` counts the tokens of a pool (its API's authorizer trusts the pool). */
export function watchPoolBudgets(pool: object, budgets: IConstruct): void {
  const watchers = ownedState<IConstruct[]>(pool, BUDGET_WATCHERS, () => []);
  if (!watchers.includes(budgets)) watchers.push(budgets);
}

/** The `TokenBudgets` that count the tokens of a pool. */
export function poolBudgetWatchers(pool: object): readonly IConstruct[] {
  return existingState<IConstruct[]>(pool, BUDGET_WATCHERS) ?? [];
}
