import * as crypto from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { UsageTier } from '../usage-tier';
import { USAGE_KEY_PREFIX } from './usage-tiers';
import { propError } from './validation';

/** The tier each tenant was put in with `UsageTier.addTenant`, per API. */
const assignments = new WeakMap<object, Map<string, UsageTier>>();

/** Records that a tenant is in a tier of an API, refusing a second tier. */
export function assignTenant(api: object, tier: UsageTier, tenantId: string): void {
  const byTenant = assignments.get(api) ?? new Map<string, UsageTier>();
  assignments.set(api, byTenant);
  const existing = byTenant.get(tenantId);
  if (existing) {
    throw propError(tier, 'addTenant(tenantId)', tenantId, `is already in usage tier ${existing.tierName} of this API; a tenant is in one tier per API`);
  }
  byTenant.set(tenantId, tier);
}

/** The tier each tenant was put in with `addTenant`. */
export function assignedTenants(api: object): ReadonlyMap<string, UsageTier> {
  return assignments.get(api) ?? new Map();
}

/**
 * A per-API usage key prefix, `m2musage<10 hex>`: stable for the API's stack
 * and path, and different for another API, so that key values (unique in an
 * account and Region) do not clash.
 */
export function usageKeyPrefix(api: IConstruct): string {
  const stack = Stack.of(api);
  const name = Token.isUnresolved(stack.stackName) ? stack.artifactId : stack.stackName;
  const prefix = `m2musage${crypto.createHash('sha256').update(`${name}/${api.node.path}`).digest('hex').slice(0, 10)}`;
  if (!USAGE_KEY_PREFIX.test(prefix)) throw new Error(`usage key prefix ${prefix} does not match ${USAGE_KEY_PREFIX.source}`);
  return prefix;
}
