/**
 * Policies that stay correct in API Gateway's authorizer cache.
 *
 * API Gateway reuses a cached policy for every method of the API for the
 * token's TTL, so the policy allows exactly the routes the token's scopes
 * reach, for every stage. Because `*` in an execute-api ARN also matches `/`,
 * an Allow for `GET /orders/*` would also let `GET /orders/1/audit` through:
 * every route the token does NOT reach whose requests one of the Allow
 * patterns could match gets an explicit Deny (Deny wins).
 *
 * An Allow pattern `*\/VERB/path` can match a request of another route in
 * two ways. Aligned: the leading `*` is the stage and the inner `*`s span
 * several parts (`*\/GET/orders/*` vs `GET /orders/1/audit`); then the
 * unreached route's own pattern is denied. Shifted: the leading `*` swallows
 * the stage, verb and leading parts of a path that spells out `VERB/path`
 * further on (`*\/GET/admin/health` vs `GET /admin/x/GET/admin/health`, a
 * request for `ANY /admin/{proxy+}`); then `*\/` + the Allow pattern is
 * denied, which needs at least one more `/` before `VERB/path` than any
 * aligned match has, so it never hits the Allow's own requests.
 *
 * Whether either can happen is decided by enumerating candidate requests of
 * the unreached route (path variables take a fresh value or one of the Allow
 * pattern's literals, which is complete for glob matching) and resolving
 * each through the route tree (API Gateway's precedence). When the
 * enumeration would be too large the answer is "yes" (fail closed).
 *
 * The pattern language cannot express every case (e.g. `{id}` and
 * `{proxy+}` under the same parent give the same pattern, and the stage `*`
 * can also span parts): there an explicit Deny can also cover requests of a
 * reached route, whose paths then spell out another route's pattern. That
 * fails closed (a 403 for a permitted call), never open.
 *
 * Plans depend only on the set of table scopes in the token, so they are
 * memoized by scope claim; documents per API are memoized on top.
 */
import { globMatch, PolicyDocument, PolicyStatement } from './arn-glob';
import { HTTP_VERBS, Route, RouteTable } from './route-table';

/** Allow and Deny patterns (relative to `arn:...:{apiId}/`) for one set of scopes. */
export interface PolicyPlan {
  readonly reached: readonly Route[];
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

const FRESH = '\u0000';
const MAX_CANDIDATES = 50_000;
const VERSION = '2012-10-17';
const INVOKE = 'execute-api:Invoke';

/** How an Allow pattern can match requests of another route. */
interface Overlap {
  /** With the leading `*` as the stage: deny the other route's pattern. */
  aligned: boolean;
  /** With the leading `*` spanning into the path: deny `*\/` + the Allow pattern. */
  shifted: boolean;
}
const NONE: Overlap = { aligned: false, shifted: false };
const BOTH: Overlap = { aligned: true, shifted: true };

export class PolicyBuilder {
  private readonly overlap = new Map<number, Overlap>();
  private readonly plans = new Map<string, PolicyPlan>();
  private readonly docs = new Map<string, Map<string, PolicyDocument>>();

  constructor(private readonly table: RouteTable, private readonly maxMemo = 1000) {}

  /** Indexes of the table scopes present in a space-separated scope claim, sorted and unique. */
  public scopeIndexes(scopeClaim: string): number[] {
    const out: number[] = [];
    for (const s of scopeClaim.split(' ')) {
      const i = this.table.scopeIndex.get(s);
      if (i !== undefined && !out.includes(i)) out.push(i);
    }
    return out.sort((x, y) => x - y);
  }

  /** The plan for a set of table scope indexes (memoized). */
  public plan(scopeIdx: readonly number[]): PolicyPlan {
    const key = scopeIdx.join(',');
    let plan = this.plans.get(key);
    if (!plan) {
      if (this.plans.size >= this.maxMemo) this.plans.clear();
      plan = this.computePlan(scopeIdx);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** The policy document for an API (`arn:{partition}:execute-api:{region}:{account}:{apiId}`) and scope set (memoized). */
  public document(apiPrefix: string, scopeIdx: readonly number[]): PolicyDocument {
    const key = scopeIdx.join(',');
    let perApi = this.docs.get(apiPrefix);
    if (!perApi) {
      if (this.docs.size >= 16) this.docs.clear();
      perApi = new Map();
      this.docs.set(apiPrefix, perApi);
    }
    let doc = perApi.get(key);
    if (!doc) {
      if (perApi.size >= this.maxMemo) perApi.clear();
      doc = toDocument(apiPrefix, this.plan(scopeIdx));
      perApi.set(key, doc);
    }
    return doc;
  }

  /** Whether a token with these scopes reaches the route. */
  public reaches(route: Route, has: Uint8Array): boolean {
    if (route.match === 'ALL_OF') return route.scopes.every((s) => has[s] === 1);
    return route.scopes.some((s) => has[s] === 1);
  }

  private computePlan(scopeIdx: readonly number[]): PolicyPlan {
    const has = new Uint8Array(this.table.scopes.length);
    for (const i of scopeIdx) has[i] = 1;
    const reached: Route[] = [];
    const unreached: Route[] = [];
    for (const r of this.table.routes) (this.reaches(r, has) ? reached : unreached).push(r);
    const allow = [...new Set(reached.map((r) => r.pattern))];
    const deny = new Set<string>();
    if (reached.length > 0) {
      for (const u of unreached) {
        for (const a of reached) {
          const how = this.overlapOf(a, u);
          if (how.aligned) deny.add(u.pattern);
          if (how.shifted) deny.add(`*/${a.pattern}`);
        }
      }
    }
    return { reached, allow, deny: [...deny] };
  }

  /** Can `a`'s pattern match a request that API Gateway routes to `u`? */
  public canMatch(a: Route, u: Route): boolean {
    const how = this.overlapOf(a, u);
    return how.aligned || how.shifted;
  }

  /** How `a`'s pattern can match requests routed to `u` (memoized per pair). */
  private overlapOf(a: Route, u: Route): Overlap {
    const key = a.index * this.table.routes.length + u.index;
    let v = this.overlap.get(key);
    if (v === undefined) {
      v = quickReject(a, u) ? NONE : this.enumerate(a, u);
      this.overlap.set(key, v);
    }
    return v;
  }

  private enumerate(a: Route, u: Route): Overlap {
    const lits = new Set<string>();
    for (const s of a.segments) if (s.kind === 'literal') lits.add(s.value);
    if (a.method !== 'ANY') lits.add(a.method);
    const values = [FRESH, ...lits];
    const verbs = u.method === 'ANY' ? HTTP_VERBS : [u.method];
    const maxProxy = lits.size + 2;
    // Count candidates first: fail closed when there are too many.
    let count = verbs.length;
    for (const s of u.segments) {
      if (s.kind === 'param') count *= values.length;
      if (s.kind === 'proxy') {
        let sum = 0;
        for (let n = 1; n <= maxProxy; n++) sum += values.length ** n;
        count *= sum;
      }
      if (count > MAX_CANDIDATES) return BOTH;
    }
    // Aligned: the leading `*` is exactly the stage (a fresh literal here).
    const aligned = FRESH + a.pattern.slice(1);
    const shifted = `*/${a.pattern}`;
    const how: Overlap = { aligned: false, shifted: false };
    const segs: string[] = [];
    const visit = (i: number): boolean => {
      if (i === u.segments.length) {
        for (const verb of verbs) {
          const text = `${FRESH}/${verb}/${segs.join('/')}`;
          if (!globMatch(a.pattern, text) || this.table.resolve(verb, segs) !== u) continue;
          how.aligned ||= globMatch(aligned, text);
          how.shifted ||= globMatch(shifted, text);
          if (how.aligned && how.shifted) return true;
        }
        return false;
      }
      const s = u.segments[i];
      if (s.kind === 'literal') {
        segs.push(s.value);
        const found = visit(i + 1);
        segs.pop();
        return found;
      }
      if (s.kind === 'param') {
        for (const v of values) {
          segs.push(v);
          const found = visit(i + 1);
          segs.pop();
          if (found) return true;
        }
        return false;
      }
      // proxy: one or more parts, last in the path
      const tail = (n: number): boolean => {
        if (n > 0 && visit(i + 1)) return true;
        if (n === maxProxy) return false;
        for (const v of values) {
          segs.push(v);
          const found = tail(n + 1);
          segs.pop();
          if (found) return true;
        }
        return false;
      };
      return tail(0);
    };
    visit(0);
    return how;
  }
}

/** Cheap necessary conditions; true means `a` certainly cannot match requests of `u`. */
function quickReject(a: Route, u: Route): boolean {
  const as = a.segments;
  const us = u.segments;
  if (as.length === 0) return us.length !== 0; // `*/V/` only matches a root request
  const aLast = as[as.length - 1];
  if (aLast.kind === 'literal' && us.length > 0) {
    const uLast = us[us.length - 1];
    if (uLast.kind === 'literal' && uLast.value !== aLast.value) return true;
  }
  if (a.method !== 'ANY' && u.method !== 'ANY' && u.method !== a.method) {
    // `/VERB/` can then only line up with a path part equal to the verb name
    const canProduce = us.some((s) => s.kind !== 'literal' || s.value === a.method);
    if (!canProduce) return true;
  }
  return false;
}

function toDocument(apiPrefix: string, plan: PolicyPlan): PolicyDocument {
  if (plan.reached.length === 0) {
    return { Version: VERSION, Statement: [{ Action: INVOKE, Effect: 'Deny', Resource: `${apiPrefix}/*` }] };
  }
  const statements: PolicyStatement[] = [{ Action: INVOKE, Effect: 'Allow', Resource: plan.allow.map((p) => `${apiPrefix}/${p}`) }];
  if (plan.deny.length > 0) statements.push({ Action: INVOKE, Effect: 'Deny', Resource: plan.deny.map((p) => `${apiPrefix}/${p}`) });
  return { Version: VERSION, Statement: statements };
}
