/**
 * Synth-time policy planning for the Lambda authorizer.
 *
 * API Gateway reuses a cached authorizer policy for every method of the API
 * for the token's TTL, so the policy must allow exactly the routes the
 * token's scopes reach, for every stage. Because `*` in an execute-api ARN
 * also matches `/`, an Allow for `GET /orders/*` would also let
 * `GET /orders/1/audit` through: every route the token does NOT reach whose
 * requests one of the Allow patterns could match needs an explicit Deny (Deny
 * wins).
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
 * All of this depends only on the routes, so it runs at synth time: the
 * shipped table lists, per pair of routes (a, u) where `a` can be reached
 * without `u`, how `a`'s pattern overlaps `u`'s requests. The function then
 * only picks the overlaps of (reached, unreached) pairs for a token.
 *
 * Planning stays near-linear in the number of routes: an index of path parts
 * (`OverlapCandidates`) yields the pairs whose overlap is not certainly
 * empty, and `overlapFlags` walks a pair's candidate requests as states of
 * the patterns and of the resolution, each visited once. Both give exactly
 * the table of checking every pair by listing every candidate request.
 */
import { OverlapCandidates, PatternLiterals } from './candidates';
import { GlobAutomaton, overlapFlags } from './overlap';
import { Route, RouteTree } from './route-tree';
import type { PlannedRouteTable, RouteTableSpec } from '../contracts/route-table';

export { globMatch, HTTP_VERBS, RouteTree } from './route-tree';
export { ALIGNED, SHIFTED } from '../contracts/route-table';
export type { PlannedRoute, PlannedRouteTable, RouteSpec, RouteTableSpec, ScopeMatchName } from '../contracts/route-table';

/**
 * Plans a route table: validates it, computes each route's pattern and the
 * overlaps the function turns into explicit Denies.
 */
export function planRouteTable(spec: RouteTableSpec): PlannedRouteTable {
  return planRouteTableWithStats(spec).table;
}

/** How much work planning did. */
export interface PlanStats {
  /** Ordered pairs (a, u), a ≠ u, checked exactly (scopes, then overlap): the candidates the index yielded. */
  readonly pairsChecked: number;
}

/** `planRouteTable`, also telling how many pairs of routes it checked. */
export function planRouteTableWithStats(spec: RouteTableSpec): { readonly table: PlannedRouteTable; readonly stats: PlanStats } {
  const tree = RouteTree.of(spec);
  const patterns = tree.routes.map((r) => new PatternLiterals(r));
  const candidates = new OverlapCandidates(tree.routes, patterns);
  const overlaps: [number, number, number][] = [];
  let pairsChecked = 0;
  for (const a of tree.routes) {
    const literals = patterns[a.index];
    let automaton: GlobAutomaton | undefined;
    for (const ui of candidates.of(a, literals)) {
      const u = tree.routes[ui];
      if (u === a) continue;
      pairsChecked++;
      if (implies(a, u) || quickReject(a, u)) continue;
      const flags = overlapFlags(tree, literals, () => automaton ??= GlobAutomaton.of(a.pattern), u);
      if (flags !== 0) overlaps.push([a.index, u.index, flags]);
    }
  }
  overlaps.sort((x, y) => x[1] - y[1] || x[0] - y[0]);
  return {
    table: {
      version: 2,
      scopes: [...tree.scopes],
      routes: tree.routes.map((r) => ({ method: r.method, path: r.path, scopes: r.scopes, match: r.match, pattern: r.pattern })),
      overlaps,
    },
    stats: { pairsChecked },
  };
}

/** Whether every scope set that reaches `a` also reaches `u` (checked on `a`'s minimal scope sets: reach is monotone). */
function implies(a: Route, u: Route): boolean {
  const minimal = a.match === 'ALL_OF' ? [a.scopes] : a.scopes.map((s) => [s]);
  return minimal.every((set) => (u.match === 'ALL_OF' ? u.scopes.every((s) => set.includes(s)) : u.scopes.some((s) => set.includes(s))));
}

/** Cheap necessary conditions; true means `a`'s pattern certainly cannot match requests of `u`. */
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
