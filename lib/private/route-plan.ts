/* eslint-disable no-bitwise */ // overlap flags are a two-bit set (ALIGNED, SHIFTED)
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
 */
import { ALIGNED, SHIFTED } from './overlap-flags';

export const HTTP_VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const METHODS = new Set<string>([...HTTP_VERBS, 'ANY']);
/** Literal path parts API Gateway accepts; never `*` or `?` (they are wildcards in ARNs). */
const LITERAL = /^[A-Za-z0-9._~:@!$&'()+,;=-]+$/;
const PARAM = /^\{[A-Za-z0-9._-]+\}$/;
const PROXY = /^\{[A-Za-z0-9._-]+\+\}$/;
const FRESH = '\u0000';
const MAX_CANDIDATES = 50_000;

export type ScopeMatch = 'ANY_OF' | 'ALL_OF';

/** A scoped method: the input of planning. */
export interface RouteSpec {
  /** An HTTP verb or `ANY`. */
  readonly method: string;
  /** The resource path, e.g. `/orders/{orderId}`. */
  readonly path: string;
  /** Indexes into the table's scopes. */
  readonly scopes: readonly number[];
  readonly match: ScopeMatch;
}

/** The routes of an API and the scopes they name. */
export interface RouteTableSpec {
  readonly scopes: readonly string[];
  readonly routes: readonly RouteSpec[];
}

/** A route of the shipped table. */
export interface PlannedRoute extends RouteSpec {
  /** Resource pattern after `arn:...:{apiId}/`: `*` + `/VERB|*` + path with variables as `*`. */
  readonly pattern: string;
}

export { ALIGNED, SHIFTED };

/** `routes.json` as the authorizer loads it (version 2). */
export interface PlannedRouteTable {
  readonly version: 2;
  readonly scopes: readonly string[];
  readonly routes: readonly PlannedRoute[];
  /**
   * `[a, u, flags]`: when a token reaches route `a` and not route `u`, its
   * policy denies `routes[u].pattern` (flags & ALIGNED) and
   * `*\/` + `routes[a].pattern` (flags & SHIFTED). Sorted by `u`, then `a`.
   */
  readonly overlaps: readonly (readonly [number, number, number])[];
}

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param' }
  | { readonly kind: 'proxy' };

interface Route {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly scopes: readonly number[];
  readonly match: ScopeMatch;
  readonly pattern: string;
}

interface Node {
  readonly children: Map<string, Node>;
  param?: Node;
  proxy?: Node;
  readonly methods: Map<string, number>;
}

function newNode(): Node {
  return { children: new Map(), methods: new Map() };
}

/** Glob match as API Gateway applies policy resources: `*` is any run of characters (including `/`), `?` one character. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  const pl = pattern.length;
  while (t < text.length) {
    const c = p < pl ? pattern.charCodeAt(p) : -1;
    if (c === 42 /* * */) {
      starP = p++;
      starT = t;
    } else if (c !== -1 && (c === 63 /* ? */ || c === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pl && pattern.charCodeAt(p) === 42) p++;
  return p === pl;
}

/** A validated set of routes with the resolution tree that mirrors how API Gateway picks a resource. */
export class RouteTree {
  /** Validates a table; throws naming the first problem. */
  public static of(spec: RouteTableSpec): RouteTree {
    const fail = (msg: string): never => { throw new Error(`route table: ${msg}`); };
    const seenScopes = new Set<string>();
    spec.scopes.forEach((s, i) => {
      if (typeof s !== 'string' || s.length === 0 || s.length > 600 || /\s/.test(s)) {
        fail(`scopes[${i}] must be a non-empty string without whitespace`);
      }
      if (seenScopes.has(s)) fail(`scopes[${i}] ${s} is listed twice`);
      seenScopes.add(s);
    });
    const seen = new Set<string>();
    const routes = spec.routes.map((r, i): Route => {
      if (!METHODS.has(r.method)) fail(`routes[${i}].method ${r.method} must be one of ${[...METHODS].join(', ')}`);
      const segments = parsePath(r.path, (m) => fail(`routes[${i}].path ${JSON.stringify(r.path)}: ${m}`));
      if (r.scopes.length === 0) fail(`routes[${i}].scopes must not be empty`);
      for (const s of r.scopes) {
        if (!Number.isInteger(s) || s < 0 || s >= spec.scopes.length) fail(`routes[${i}].scopes: ${s} is not an index into scopes`);
      }
      if (r.match !== 'ANY_OF' && r.match !== 'ALL_OF') fail(`routes[${i}].match must be ANY_OF or ALL_OF`);
      const key = `${r.method} ${canonicalPath(segments)}`;
      if (seen.has(key)) fail(`routes[${i}]: ${r.method} ${r.path} is listed twice`);
      seen.add(key);
      const scopes = [...new Set(r.scopes)];
      return { index: i, method: r.method, path: r.path, segments, scopes, match: r.match, pattern: routePattern(r.method, segments) };
    });
    return new RouteTree(spec.scopes, routes);
  }

  private readonly root: Node = newNode();

  private constructor(public readonly scopes: readonly string[], public readonly routes: readonly Route[]) {
    for (const r of routes) {
      let node = this.root;
      for (const seg of r.segments) {
        if (seg.kind === 'literal') {
          let next = node.children.get(seg.value);
          if (!next) { next = newNode(); node.children.set(seg.value, next); }
          node = next;
        } else if (seg.kind === 'param') {
          node = node.param ??= newNode();
        } else {
          node = node.proxy ??= newNode();
        }
      }
      node.methods.set(r.method, r.index);
    }
  }

  /**
   * The index of the route API Gateway would pick for a concrete request, or
   * undefined when none would handle it. Static parts win over `{param}`,
   * which wins over `{proxy+}`; a more specific branch that cannot match the
   * rest of the path falls back to the next one. A specific verb wins over
   * `ANY` on the same resource.
   */
  public resolve(verb: string, segments: readonly string[]): number | undefined {
    const node = this.walk(this.root, segments, 0);
    return node ? node.methods.get(verb) ?? node.methods.get('ANY') : undefined;
  }

  private walk(node: Node, segs: readonly string[], i: number): Node | undefined {
    if (i === segs.length) return node;
    const s = segs[i];
    const lit = node.children.get(s);
    if (lit) {
      const found = this.walk(lit, segs, i + 1);
      if (found) return found;
    }
    if (node.param) {
      const found = this.walk(node.param, segs, i + 1);
      if (found) return found;
    }
    return node.proxy;
  }
}

/**
 * Plans a route table: validates it, computes each route's pattern and the
 * overlaps the function turns into explicit Denies.
 */
export function planRouteTable(spec: RouteTableSpec): PlannedRouteTable {
  const tree = RouteTree.of(spec);
  const overlaps: [number, number, number][] = [];
  for (const u of tree.routes) {
    for (const a of tree.routes) {
      if (a === u || implies(a, u)) continue;
      const flags = quickReject(a, u) ? 0 : overlapFlags(tree, a, u);
      if (flags !== 0) overlaps.push([a.index, u.index, flags]);
    }
  }
  return {
    version: 2,
    scopes: [...tree.scopes],
    routes: tree.routes.map((r) => ({ method: r.method, path: r.path, scopes: r.scopes, match: r.match, pattern: r.pattern })),
    overlaps,
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

/** How `a`'s pattern can match requests API Gateway routes to `u`: ALIGNED | SHIFTED bits. */
function overlapFlags(tree: RouteTree, a: Route, u: Route): number {
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
    if (count > MAX_CANDIDATES) return ALIGNED | SHIFTED;
  }
  // Aligned: the leading `*` is exactly the stage (a fresh literal here).
  const aligned = FRESH + a.pattern.slice(1);
  const shifted = `*/${a.pattern}`;
  let flags = 0;
  const segs: string[] = [];
  /** Runs `next` with `seg` appended to the path being built. */
  const withSegment = (seg: string, next: () => boolean): boolean => {
    segs.push(seg);
    try {
      return next();
    } finally {
      segs.pop();
    }
  };
  const visit = (i: number): boolean => {
    if (i === u.segments.length) {
      for (const verb of verbs) {
        const text = `${FRESH}/${verb}/${segs.join('/')}`;
        if (!globMatch(a.pattern, text) || tree.resolve(verb, segs) !== u.index) continue;
        if (globMatch(aligned, text)) flags |= ALIGNED;
        if (globMatch(shifted, text)) flags |= SHIFTED;
        if (flags === (ALIGNED | SHIFTED)) return true;
      }
      return false;
    }
    const s = u.segments[i];
    if (s.kind === 'literal') return withSegment(s.value, () => visit(i + 1));
    if (s.kind === 'param') return values.some((v) => withSegment(v, () => visit(i + 1)));
    // proxy: one or more parts, last in the path
    const tail = (n: number): boolean => {
      if (n > 0 && visit(i + 1)) return true;
      if (n === maxProxy) return false;
      return values.some((v) => withSegment(v, () => tail(n + 1)));
    };
    return tail(0);
  };
  visit(0);
  return flags;
}

function parsePath(p: string, fail: (msg: string) => never): Segment[] {
  if (p === '/') return [];
  if (typeof p !== 'string' || !p.startsWith('/') || p.endsWith('/')) fail('must start with / and not end with /');
  const parts = p.slice(1).split('/');
  return parts.map((part, i): Segment => {
    if (PROXY.test(part)) {
      if (i !== parts.length - 1) fail('{proxy+} must be the last part');
      return { kind: 'proxy' };
    }
    if (PARAM.test(part)) return { kind: 'param' };
    if (!LITERAL.test(part)) fail(`part ${JSON.stringify(part)} is not a valid path part`);
    return { kind: 'literal', value: part };
  });
}

function canonicalPath(segs: readonly Segment[]): string {
  return '/' + segs.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? '{}' : '{+}')).join('/');
}

/** `*` (any stage) `/VERB` (or `*` for ANY) `/path` with `{param}` and `{proxy+}` as `*`; root is `*\/GET/`. */
function routePattern(method: string, segs: readonly Segment[]): string {
  const path = segs.map((s) => (s.kind === 'literal' ? s.value : '*')).join('/');
  return `*/${method === 'ANY' ? '*' : method}/${path}`;
}
