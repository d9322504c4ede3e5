/**
 * Every function's environment, in one table: the variables its construct
 * may set (some only with the option that needs them) and those only an
 * operator sets. The names are declared once, in the enums of the contract
 * each belongs to; the handlers read them through those enums (this module
 * is for the constructs' documentation and the tests, which compare it with
 * the synthesized functions and the handlers' reads: test/private/contracts.test.ts).
 */
import { AUTHORIZER_ENV, AUTHORIZER_OPERATOR_ENV } from './authorizer';
import { DIRECTORY_ENV } from './client-directory';
import { CLIENT_ROTATION_ENV } from './client-rotation';
import { HANDLER_ENV, PEOPLE_ENV, REGISTRY_ENV } from './env';
import { PORTAL_ENV } from './portal';
import { TENANT_CLAIM_ENV } from './tenant-claim';
import { BUDGET_ENFORCEMENT_ENV, TOKEN_BUDGET_ENV } from './token-budget';

export interface FunctionEnvironment {
  /** Every variable the function's construct may set. */
  readonly set: readonly string[];
  /** What the handler also reads and no construct sets. */
  readonly operator: readonly string[];
}

/**
 * The tenant-aware authorizer (TenantAwareAuthorizer; lambda/authorizer): its
 * own variables, the client mapping (inline, or the directory and its outage
 * back-off) and the registry.
 */
export const AUTHORIZER_ENVIRONMENT: FunctionEnvironment = {
  // Budget suspensions (token-budget.ts): set by TokenBudgets, read by the registry builds.
  set: [...Object.values(AUTHORIZER_ENV), ...Object.values(DIRECTORY_ENV), ...Object.values(REGISTRY_ENV), ...Object.values(BUDGET_ENFORCEMENT_ENV)],
  operator: [...Object.values(HANDLER_ENV), ...Object.values(AUTHORIZER_OPERATOR_ENV)],
};

/** The developer portal's own authorizer (lambda/authorizer-portal): the authorizer's, and the sign-in pool. */
export const PORTAL_AUTHORIZER_ENVIRONMENT: FunctionEnvironment = {
  set: [...AUTHORIZER_ENVIRONMENT.set, ...Object.values(PEOPLE_ENV)],
  operator: AUTHORIZER_ENVIRONMENT.operator,
};

/** The tenant-claim trigger (TenantClaim; lambda/tenant-claim): always a directory, never an inline mapping. */
export const TENANT_CLAIM_ENVIRONMENT: FunctionEnvironment = {
  set: [
    ...Object.values(TENANT_CLAIM_ENV), DIRECTORY_ENV.path, DIRECTORY_ENV.parameters, DIRECTORY_ENV.outageBackoffMs,
    ...Object.values(REGISTRY_ENV),
  ],
  operator: Object.values(HANDLER_ENV),
};

/**
 * The developer portal (DeveloperPortal; lambda/portal): with a web UI, the
 * sign-in pool and its tenant groups too; with `addTokenBudgets`, the budget table.
 */
export const PORTAL_ENVIRONMENT: FunctionEnvironment = {
  set: [...Object.values(PORTAL_ENV), REGISTRY_ENV.tableName, PEOPLE_ENV.poolId, PEOPLE_ENV.tenantGroupPrefix, TOKEN_BUDGET_ENV.budgetTable],
  operator: Object.values(HANDLER_ENV),
};

/** The client-secret rotation (one per pool and grace period; lambda/client-rotation). */
export const CLIENT_ROTATION_ENVIRONMENT: FunctionEnvironment = {
  set: Object.values(CLIENT_ROTATION_ENV),
  operator: Object.values(HANDLER_ENV),
};

/** The token budget function (TokenBudgets; lambda/token-budget): with a registry, its table too. */
export const TOKEN_BUDGET_ENVIRONMENT: FunctionEnvironment = {
  set: [...Object.values(TOKEN_BUDGET_ENV), REGISTRY_ENV.tableName],
  operator: Object.values(HANDLER_ENV),
};
