/**
 * The budget function's settings, read once from the environment at cold
 * start: TOKEN_BUDGET_ENVIRONMENT (lib/private/contracts/environments.ts),
 * set by TokenBudgets. A problem is a `ConfigError`.
 */
import { budgetConfigFromEnv } from './budgets';
import { HANDLER_ENV, REGISTRY_ENV } from '../../lib/private/contracts/env';
import { TABLE_NAME } from '../../lib/private/contracts/ids';
import { BudgetConfig, TOKEN_BUDGET_ENV } from '../../lib/private/contracts/token-budget';
import { Env, optional, optionalId, requiredId } from '../shared/config';
import { LogLevel, logLevelFromEnv } from '../shared/log';

export interface BudgetFunctionConfig {
  readonly budgetTable: string;
  /** The tenant registry (portal tenants' budgets, the audit trail), if any. */
  readonly registryTable?: string;
  /** The alarm topic, if any. */
  readonly topicArn?: string;
  readonly budgets: BudgetConfig;
  readonly logLevel: LogLevel;
}

export function loadConfig(env: Env): BudgetFunctionConfig {
  return {
    budgetTable: requiredId(env, TOKEN_BUDGET_ENV.budgetTable, TABLE_NAME),
    registryTable: optionalId(env, REGISTRY_ENV.tableName, TABLE_NAME),
    topicArn: optional(env, TOKEN_BUDGET_ENV.alarmTopicArn),
    budgets: budgetConfigFromEnv(env),
    logLevel: logLevelFromEnv(env[HANDLER_ENV.logLevel]),
  };
}
