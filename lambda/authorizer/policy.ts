/* eslint-disable no-bitwise */ // overlap flags are a two-bit set (ALIGNED, SHIFTED)
/**
 * The policy for a token's scopes, from the planned route table: Allow the
 * patterns of the routes the scopes reach, and Deny the overlaps the table
 * lists for (reached, unreached) pairs of routes, so the policy stays right
 * when API Gateway reuses it from its cache for every method of the API (see
 * lib/private/route-plan.ts). Plans depend only on the set of table scopes in
 * the token, so they are memoized per scope set; documents per API on top.
 */
import type { RouteTable } from './route-table';
import { ALIGNED, SHIFTED } from '../../lib/private/contracts/route-table';

/** The parts of an IAM policy document an authorizer returns. */
export interface PolicyStatement {
  readonly Action: string | readonly string[];
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string | readonly string[];
}
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

/** Allow and Deny patterns (relative to `arn:...:{apiId}/`) for one set of scopes. */
export interface PolicyPlan {
  /** Indexes of the routes the scopes reach. */
  readonly reached: readonly number[];
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

const VERSION = '2012-10-17';
const INVOKE = 'execute-api:Invoke';

export class PolicyBuilder {
  readonly #scopeIndex = new Map<string, number>();
  readonly #plans = new Map<string, PolicyPlan>();
  readonly #docs = new Map<string, Map<string, PolicyDocument>>();
  readonly #table: RouteTable;
  readonly #maxMemo: number;

  constructor(table: RouteTable, maxMemo = 1000) {
    this.#table = table;
    this.#maxMemo = maxMemo;
    table.scopes.forEach((s, i) => this.#scopeIndex.set(s, i));
  }

  /** Indexes of the table scopes present in a space-separated scope claim, sorted and unique. */
  public scopeIndexes(scopeClaim: string): number[] {
    const out: number[] = [];
    for (const s of scopeClaim.split(' ')) {
      const i = this.#scopeIndex.get(s);
      if (i !== undefined && !out.includes(i)) out.push(i);
    }
    return out.sort((x, y) => x - y);
  }

  /** The plan for a set of table scope indexes (memoized). */
  public plan(scopeIdx: readonly number[]): PolicyPlan {
    const key = scopeIdx.join();
    let plan = this.#plans.get(key);
    if (!plan) {
      if (this.#plans.size >= this.#maxMemo) this.#plans.clear();
      plan = this.#computePlan(scopeIdx);
      this.#plans.set(key, plan);
    }
    return plan;
  }

  /** The policy document for an API (`arn:{partition}:execute-api:{region}:{account}:{apiId}`) and scope set (memoized). */
  public document(apiPrefix: string, scopeIdx: readonly number[]): PolicyDocument {
    const key = scopeIdx.join();
    let perApi = this.#docs.get(apiPrefix);
    if (!perApi) {
      if (this.#docs.size >= 16) this.#docs.clear();
      perApi = new Map();
      this.#docs.set(apiPrefix, perApi);
    }
    let doc = perApi.get(key);
    if (!doc) {
      if (perApi.size >= this.#maxMemo) perApi.clear();
      doc = toDocument(apiPrefix, this.plan(scopeIdx));
      perApi.set(key, doc);
    }
    return doc;
  }

  #computePlan(scopeIdx: readonly number[]): PolicyPlan {
    const { routes, overlaps } = this.#table;
    const has = new Set(scopeIdx);
    const isReached = routes.map((r) => (r.match === 'ALL_OF' ? r.scopes.every((s) => has.has(s)) : r.scopes.some((s) => has.has(s))));
    const reached = routes.flatMap((_, i) => (isReached[i] ? [i] : []));
    const deny = new Set<string>();
    for (const [a, u, flags] of overlaps) {
      if (!isReached[a] || isReached[u]) continue;
      if (flags & ALIGNED) deny.add(routes[u].pattern);
      if (flags & SHIFTED) deny.add(`*/${routes[a].pattern}`);
    }
    return { reached, allow: [...new Set(reached.map((i) => routes[i].pattern))], deny: [...deny] };
  }
}

function toDocument(apiPrefix: string, plan: PolicyPlan): PolicyDocument {
  const statement = (Effect: 'Allow' | 'Deny', patterns: readonly string[]): PolicyStatement => ({ Action: INVOKE, Effect, Resource: patterns.map((p) => `${apiPrefix}/${p}`) });
  if (plan.reached.length === 0) return { Version: VERSION, Statement: [{ Action: INVOKE, Effect: 'Deny', Resource: `${apiPrefix}/*` }] };
  return { Version: VERSION, Statement: plan.deny.length > 0 ? [statement('Allow', plan.allow), statement('Deny', plan.deny)] : [statement('Allow', plan.allow)] };
}
