/**
 * The resolver factory of the registry builds (lambda/authorizer-registry,
 * lambda/authorizer-portal): the tenant registry, the client directory in SSM
 * and token-budget suspensions. Kept out of registry-resolver.ts so that the
 * tenant-claim trigger, which uses the registry resolver alone, does not
 * carry the budget code.
 */
import { budgetResolverFromEnv } from './budget-resolver';
import type { RegistryFactory } from './config';
import { createRegistryTenantResolver } from './registry-resolver';

export const registryBuild: RegistryFactory = Object.assign(
  (env: Parameters<RegistryFactory>[0], options: Parameters<RegistryFactory>[1]) => createRegistryTenantResolver(env, options),
  { directory: createRegistryTenantResolver.directory, budgets: budgetResolverFromEnv },
);
