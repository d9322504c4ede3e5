/**
 * How the trusted client → tenant mapping reaches the Lambda authorizer and
 * the pre-token-generation trigger: the one contract between the constructs
 * (lib/private/trusted-clients.ts, lib/authorizers/, lib/tenant-claim.ts) and
 * the handlers (lambda/authorizer/config.ts, lambda/authorizer/directory.ts,
 * lambda/tenant-claim/config.ts). Imports only other contracts: the handlers
 * bundle this module.
 *
 * - Inline: `CLIENT_TENANTS`, one JSON object, when every trusted client is
 *   in the authorizer's own stack and the object fits the budget Lambda's
 *   4 KB of environment variables leave.
 * - Directory: otherwise. SSM String parameters (Standard tier, free) directly
 *   under the path in `CLIENT_TENANTS_PATH`, each a JSON object of at most
 *   4096 characters (lib/private/directory-budget.ts), each created in the stack of
 *   the clients it lists, so that no client id crosses a stack boundary (no
 *   export per client, and removing a tenant never blocks on an import).
 *   The trigger always uses a directory: its pool refers to the function, so
 *   the function may not refer to the pool's client ids.
 * - Only the library writes the directory: a parameter is named
 *   `<path><stack>-<i>` (`directoryParameterName`), `<stack>` the unique id of
 *   the stack holding it, `i` from 0; the construct knows at synth how many
 *   each stack gets and passes the list in `CLIENT_TENANTS_PARAMETERS`
 *   (`{"<stack>":<count>,...}`). The functions read the whole path but trust
 *   exactly those names: any other parameter under the path is ignored (never
 *   merged, never parsed), logged by name and counted as a metric
 *   (authorizer-metrics.ts). The list takes the inline mapping's
 *   place in the environment budget: about 4 characters plus the stack id per
 *   stack holding clients, whatever the number of clients.
 * - Outage back-off (`OUTAGE_BACKOFF_MS`): after a failed read of the
 *   directory or the tenant registry, an execution environment answers from
 *   memory (fresh data only; otherwise a denial) for this long instead of
 *   reading again on every request.
 */
import type { DefaultedSetting } from './env';
import { CLIENT_ID, matchesRule, TENANT_ID, USER_POOL_ID } from './ids';

/** The variables of the client mapping, on the authorizer and the tenant-claim trigger. */
export enum DIRECTORY_ENV {
  /** The inline mapping. */
  clientTenants = 'CLIENT_TENANTS',
  /** The directory's parameter path (ends with `/`). */
  path = 'CLIENT_TENANTS_PATH',
  /** The directory's parameters: `{"<stack id>":<count>,...}` (see `formatDirectoryParameters`). */
  parameters = 'CLIENT_TENANTS_PARAMETERS',
  /** The outage back-off, in milliseconds (OUTAGE_BACKOFF_MS). */
  outageBackoffMs = 'OUTAGE_BACKOFF_MS',
}
/** The back-off when OUTAGE_BACKOFF_MS is not set. */
export const DEFAULT_OUTAGE_BACKOFF_MS = 5000;
/** The longest back-off: a longer one would keep denying long after a short outage. */
export const MAX_OUTAGE_BACKOFF_MS = 60_000;
/** OUTAGE_BACKOFF_MS as the functions read it (`outageBackoff`; 0 turns the back-off off). */
export const OUTAGE_BACKOFF_MS: DefaultedSetting = {
  env: DIRECTORY_ENV.outageBackoffMs, default: DEFAULT_OUTAGE_BACKOFF_MS, min: 0, max: MAX_OUTAGE_BACKOFF_MS, unit: 'milliseconds',
};
/** Where directory parameters live: `/cdk-cognito-m2m/clients/<authorizer>/`. */
export const DIRECTORY_PATH_PREFIX = '/cdk-cognito-m2m/clients/';

/** Whether a mapping key is a client id, or `<userPoolId>/<clientId>` for a client of an additional pool (trusted-pools.ts). */
function isClientKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return matchesRule(CLIENT_ID, key);
  return matchesRule(USER_POOL_ID, key.slice(0, slash)) && matchesRule(CLIENT_ID, key.slice(slash + 1));
}

/**
 * Parses one mapping (the inline variable or a directory parameter) into
 * `target`. Throws an Error whose message names `source` and the rule broken;
 * a client id listed twice with different tenants is an error too.
 */
export function parseMapping(json: string | undefined, source: string, target: Map<string, string> = new Map()): Map<string, string> {
  if (json === undefined || json.trim() === '') throw new Error(`${source} is empty`);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error(`${source} must be a JSON object mapping client ids to tenant ids`);
  }
  for (const [clientId, tenantId] of Object.entries(doc)) {
    if (!isClientKey(clientId)) throw new Error(`${source}: key ${JSON.stringify(clientId.slice(0, 140))} is not a client id`);
    if (!matchesRule(TENANT_ID, tenantId)) throw new Error(`${source}: the tenant of ${clientId} must be a tenant id (${TENANT_ID.describe})`);
    const known = target.get(clientId);
    if (known !== undefined && known !== tenantId) throw new Error(`${source}: client ${clientId} is mapped to ${known} elsewhere and to ${tenantId} here`);
    target.set(clientId, tenantId);
  }
  return target;
}

/** A stack's id in a parameter name (Names.uniqueId: letters and digits). */
const DIRECTORY_GROUP = /^[A-Za-z0-9]{1,255}$/;
/** Parameters one stack may hold (a stack has at most 500 resources). */
export const MAX_PARAMETERS_PER_STACK = 500;

/** The name of a stack's `index`-th directory parameter: `<path><stack id>-<index>`. */
export function directoryParameterName(path: string, stackId: string, index: number): string {
  return `${path}${stackId}-${index}`;
}

/** CLIENT_TENANTS_PARAMETERS for these stacks and their parameter counts, in order. */
export function formatDirectoryParameters(counts: ReadonlyArray<readonly [string, number]>): string {
  return JSON.stringify(Object.fromEntries(counts));
}

/**
 * The full names of the directory's parameters under `path`, from
 * CLIENT_TENANTS_PARAMETERS. Throws an Error naming the variable, the value
 * and the rule for anything else than `{"<stack id>":<count>,...}` (an empty
 * object: a directory without clients).
 */
export function parseDirectoryParameters(json: string | undefined, path: string): Set<string> {
  const rule = `must be a JSON object of stack ids (letters and digits) to parameter counts (1-${MAX_PARAMETERS_PER_STACK})`;
  const shown = JSON.stringify((json ?? '').slice(0, 80));
  const fail = (problem: string): never => { throw new Error(`${DIRECTORY_ENV.parameters} ${problem}`); };
  if (json === undefined || json.trim() === '') fail(`is not set: it ${rule}`);
  let doc: unknown;
  try {
    doc = JSON.parse(json!);
  } catch {
    fail(`${shown} is not valid JSON: it ${rule}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(`${shown} ${rule}`);
  const names = new Set<string>();
  for (const [stackId, count] of Object.entries(doc as object)) {
    if (!DIRECTORY_GROUP.test(stackId) || !Number.isInteger(count) || count < 1 || count > MAX_PARAMETERS_PER_STACK) {
      fail(`${shown} ${rule}: ${JSON.stringify(stackId.slice(0, 80))}: ${JSON.stringify(count)}`);
    }
    for (let i = 0; i < count; i++) names.add(directoryParameterName(path, stackId, i));
  }
  return names;
}
