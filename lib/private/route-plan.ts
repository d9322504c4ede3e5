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
 *
 * Planning stays near-linear in the number of routes: an index of path parts
 * (`OverlapCandidates`) yields the pairs whose overlap is not certainly
 * empty, and `overlapFlags` walks a pair's candidate requests as states of
 * the patterns and of the resolution, each visited once. Both give exactly
 * the table of checking every pair by listing every candidate request.
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
  /** Its index in `RouteTree.nodes`. */
  readonly id: number;
  readonly children: Map<string, Node>;
  param?: Node;
  proxy?: Node;
  readonly methods: Map<string, number>;
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

  /** The resources; `nodes[0]` is the root. */
  private readonly nodes: Node[] = [];
  private readonly root: Node = this.newNode();
  /** Resolution states (see `resolutionNext`): lists of `node id * 2`, + 1 once a `{proxy+}` took the rest. */
  private readonly resolutions: number[][] = [];
  private readonly resolutionIds = new Map<string, number>();
  private readonly resolutionSteps: Map<string, number>[] = [];

  private constructor(public readonly scopes: readonly string[], public readonly routes: readonly Route[]) {
    for (const r of routes) {
      let node = this.root;
      for (const seg of r.segments) {
        if (seg.kind === 'literal') {
          let next = node.children.get(seg.value);
          if (!next) { next = this.newNode(); node.children.set(seg.value, next); }
          node = next;
        } else if (seg.kind === 'param') {
          node = node.param ??= this.newNode();
        } else {
          node = node.proxy ??= this.newNode();
        }
      }
      node.methods.set(r.method, r.index);
    }
  }

  /** The resolution state of the empty path (see `resolutionNext`). */
  public get resolutionStart(): number {
    return this.resolutionIds.get('0') ?? this.internResolution([0]);
  }

  /**
   * `resolve` as a DFA over path parts, built on demand: the state after
   * `part`. A state lists the resources `walk` could still end on, in the
   * order it tries them (literal child, `{param}`, then `{proxy+}`, which
   * takes every further part); the answer is the first one's once the path
   * is complete. A list stops at its first proxy: nothing after it can come
   * first.
   */
  public resolutionNext(state: number, part: string): number {
    const list = this.resolutions[state];
    if (list.length > 0 && list[0] % 2 === 1) return state; // a proxy took the rest
    const steps = this.resolutionSteps[state];
    let next = steps.get(part);
    if (next === undefined) {
      const out: number[] = [];
      for (const t of list) {
        if (t % 2 === 1) { out.push(t); break; }
        const node = this.nodes[t >> 1];
        const lit = node.children.get(part);
        if (lit) out.push(lit.id * 2);
        if (node.param) out.push(node.param.id * 2);
        if (node.proxy) { out.push(node.proxy.id * 2 + 1); break; }
      }
      next = this.internResolution(out);
      steps.set(part, next);
    }
    return next;
  }

  /** Whether no path continuing from `state` has a resource. */
  public resolutionIsDead(state: number): boolean {
    return this.resolutions[state].length === 0;
  }

  /** `resolve` for a complete path that led to `state`. */
  public resolutionRoute(state: number, verb: string): number | undefined {
    const first = this.resolutions[state][0];
    if (first === undefined) return undefined;
    const node = this.nodes[first >> 1];
    return node.methods.get(verb) ?? node.methods.get('ANY');
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

  private newNode(): Node {
    const node: Node = { id: this.nodes.length, children: new Map(), methods: new Map() };
    this.nodes.push(node);
    return node;
  }

  private internResolution(list: number[]): number {
    const key = list.join(',');
    let id = this.resolutionIds.get(key);
    if (id === undefined) {
      id = this.resolutions.push(list) - 1;
      this.resolutionSteps.push(new Map());
      this.resolutionIds.set(key, id);
    }
    return id;
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

/** The literals of a route's pattern (path parts and verb), which also path variables take in the enumeration. */
class PatternLiterals {
  /** `[FRESH, ...literals]`: the values a path variable takes. */
  public readonly values: readonly string[];
  public readonly count: number;

  constructor(a: Route) {
    const lits = new Set<string>();
    for (const s of a.segments) if (s.kind === 'literal') lits.add(s.value);
    if (a.method !== 'ANY') lits.add(a.method);
    this.values = [FRESH, ...lits];
    this.count = lits.size;
  }
}

/** Stands for a verb of `ANY` or a path variable in the index: any value. Literals never contain `*`. */
const WILD = '*';
/** Longest run of parts the index keys on. */
const WINDOW = 4;

/**
 * Which routes `u` route `a`'s pattern may overlap: every pair whose
 * `overlapFlags` is not certainly 0 (a superset, checked exactly after).
 *
 * Model. `u`'s candidate requests read `stage/verb/s1/.../sn`: the stage
 * and the values of path variables are non-empty and have no `/` (a fresh
 * value or a literal of `a`), so for a route that is neither the root (whose
 * text ends with an empty part) nor has a `{proxy+}` (which can spell out
 * anything), every part is non-empty. `a`'s pattern reads `*\/V/p1/.../pk`
 * with `*` standing alone between `/`s and literals free of `*`, `?` and
 * `/`; so if it matches such a text, each `*` spans one or more whole parts
 * (an empty span would need an empty part) and each literal equals exactly
 * one part. Hence each maximal run of literals of the pattern (a "chunk")
 * lands on consecutive parts after the stage (the leading `*` spans at
 * least the stage), each equal to the literal or free (a path variable, or
 * the verb of an `ANY` route); and when the pattern ends with a literal, its
 * last chunk ends on the last part. Any run of ≤ `WINDOW` literals of a chunk
 * therefore equals, once the free positions of the window it lands on are
 * replaced by `*`, a window of `u`'s parts with free ones written `*`: it is
 * under one of the 2^r masked keys looked up below. Each run is a necessary
 * condition on its own, so only the one with the fewest routes is looked up.
 *
 * The other pairs: root and proxy routes are candidates for every `a`, a
 * pattern without literals for every `u`, the root's pattern only for root
 * routes (`quickReject` answers the rest), and `u` is a candidate for every
 * `a` whose enumeration of `u` would be too large (the answer is then
 * "overlaps", failing closed, whatever the patterns).
 */
class OverlapCandidates {
  /** Masked windows of parts (verb included, stage excluded) → routes. */
  private readonly windows = new Map<string, number[]>();
  /** The same for windows that end on the last part. */
  private readonly endWindows = new Map<string, number[]>();
  /** Root and proxy routes. */
  private readonly everyPattern: number[] = [];
  private readonly roots: number[] = [];
  /** Pattern literal count → routes whose enumeration is then too large (fail closed). */
  private readonly tooLarge = new Map<number, number[]>();
  private readonly stamp: Int32Array;

  constructor(private readonly routes: readonly Route[], literals: readonly PatternLiterals[]) {
    this.stamp = new Int32Array(routes.length).fill(-1);
    const counts = [...new Set(literals.map((l) => l.count))];
    for (const u of routes) {
      if (u.segments.length === 0) this.roots.push(u.index);
      if (u.segments.length === 0 || u.segments[u.segments.length - 1].kind === 'proxy') {
        this.everyPattern.push(u.index);
        continue;
      }
      const parts = [u.method === 'ANY' ? WILD : u.method, ...u.segments.map((s) => (s.kind === 'literal' ? s.value : WILD))];
      for (let r = 1; r <= Math.min(WINDOW, parts.length); r++) {
        for (let start = 0; start + r <= parts.length; start++) add(this.windows, parts.slice(start, start + r).join('/'), u.index);
        add(this.endWindows, parts.slice(parts.length - r).join('/'), u.index);
      }
      const variables = u.segments.filter((s) => s.kind === 'param').length;
      const verbs = u.method === 'ANY' ? HTTP_VERBS.length : 1;
      for (const count of counts) {
        if (variables > 0 && enumerationTooLarge(verbs, variables, count)) add(this.tooLarge, count, u.index);
      }
    }
  }

  /** The candidate routes `u` for `a` (each once, in no particular order; may include `a`). */
  public of(a: Route, literals: PatternLiterals): number[] {
    if (a.segments.length === 0) return this.roots;
    const parts = [a.method === 'ANY' ? undefined : a.method, ...a.segments.map((s) => (s.kind === 'literal' ? s.value : undefined))];
    const chunks: string[][] = [];
    let run: string[] = [];
    for (const p of parts) {
      if (p !== undefined) {
        run.push(p);
      } else if (run.length > 0) {
        chunks.push(run);
        run = [];
      }
    }
    if (run.length > 0) chunks.push(run);
    if (chunks.length === 0) return this.routes.map((r) => r.index);
    // The most selective run of literals: least routes listed under its masked keys.
    let best: { map: Map<string, number[]>; run: readonly string[]; size: number } | undefined;
    const consider = (map: Map<string, number[]>, r: readonly string[]) => {
      let size = 0;
      forEachMask(r, (key) => { size += map.get(key)?.length ?? 0; });
      if (!best || size < best.size) best = { map, run: r, size };
    };
    if (parts[parts.length - 1] !== undefined) {
      const last = chunks[chunks.length - 1];
      consider(this.endWindows, last.slice(Math.max(0, last.length - WINDOW)));
    }
    for (const c of chunks) {
      const r = Math.min(WINDOW, c.length);
      for (let start = 0; start + r <= c.length; start++) consider(this.windows, c.slice(start, start + r));
    }
    const out: number[] = [];
    const take = (list: readonly number[] | undefined) => {
      for (const u of list ?? []) {
        if (this.stamp[u] !== a.index) { this.stamp[u] = a.index; out.push(u); }
      }
    };
    const chosen = best!;
    forEachMask(chosen.run, (key) => take(chosen.map.get(key)));
    take(this.everyPattern);
    take(this.tooLarge.get(literals.count));
    return out;
  }
}

function add<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

/** Calls `f` with the key of `run` under each of its 2^r masks (masked parts written `*`). */
function forEachMask(run: readonly string[], f: (key: string) => void): void {
  const parts = [...run];
  for (let mask = 0; mask < 1 << run.length; mask++) {
    for (let i = 0; i < run.length; i++) parts[i] = mask & (1 << i) ? WILD : run[i];
    f(parts.join('/'));
  }
}

/** Whether `overlapFlags` fails closed for a route without a proxy: `verbs` × (literals + 1)^variables candidates. */
function enumerationTooLarge(verbs: number, variables: number, literals: number): boolean {
  let count = verbs;
  for (let i = 0; i < variables; i++) {
    count *= literals + 1;
    if (count > MAX_CANDIDATES) return true;
  }
  return false;
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

/** Both overlap flags: nothing more to find. */
const BOTH = ALIGNED | SHIFTED;

/**
 * How `a`'s pattern can match requests API Gateway routes to `u`: ALIGNED | SHIFTED bits.
 *
 * The candidate requests: each verb of `u`; for each path variable a fresh
 * value or a literal of `a`'s pattern; for a proxy, 1 to (literals + 2) such
 * parts. When they are too many the answer is both (fail closed). Otherwise
 * they are walked part by part, carrying the state of the three patterns
 * (`GlobAutomaton`) and of the resolution (`RouteTree.resolutionNext`): what
 * the rest of a walk can give depends only on its place in `u`'s path, those
 * two states and the verbs left, so each such point is walked once, and not
 * at all when the patterns left alive can only give flags already found.
 */
function overlapFlags(tree: RouteTree, literals: PatternLiterals, automaton: () => GlobAutomaton, u: Route): number {
  const values = literals.values;
  const verbs = u.method === 'ANY' ? HTTP_VERBS : [u.method];
  const maxProxy = literals.count + 2;
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
  const glob = automaton();
  const segments = u.segments;
  /** The flags of the requests walked so far. */
  let found = 0;
  /** Adds the flags of a complete request: `g` and `r` after its whole text and path, `verbSet` a bit set over `verbs`. */
  const request = (g: number, r: number, verbSet: number) => {
    if (!glob.matches(g, PATTERN)) return;
    let routed = false;
    for (let k = 0; k < verbs.length && !routed; k++) routed = (verbSet & (1 << k)) !== 0 && tree.resolutionRoute(r, verbs[k]) === u.index;
    if (routed) found |= (glob.matches(g, ALIGNED_PATTERN) ? ALIGNED : 0) | (glob.matches(g, SHIFTED_PATTERN) ? SHIFTED : 0);
  };
  const walked = new Set<number | string>();
  /**
   * Walks the requests that continue from path part `i` (`n` proxy parts
   * taken). Afterwards `found` holds every flag they have: a point already
   * walked, or whose requests can only have flags already found, is skipped.
   */
  const walk = (i: number, n: number, g: number, r: number, verbSet: number): void => {
    if (!glob.canMatch(g, PATTERN) || tree.resolutionIsDead(r)) return;
    const missing = (glob.canMatch(g, ALIGNED_PATTERN) ? ALIGNED : 0) | (glob.canMatch(g, SHIFTED_PATTERN) ? SHIFTED : 0);
    if ((missing & ~found) === 0) return;
    const place = i * (maxProxy + 1) + n;
    // One number while it fits in 53 bits, else a string.
    const key = place < 64 && g < 2 ** 20 && r < 2 ** 20 ? ((r * 2 ** 20 + g) * 128 + verbSet) * 64 + place : `${place} ${g} ${r} ${verbSet}`;
    if (walked.has(key)) return;
    walked.add(key);
    if (i === segments.length) {
      request(segments.length === 0 ? glob.nextPart(g, '') : g, r, verbSet);
      return;
    }
    const s = segments[i];
    if (s.kind === 'literal') {
      walk(i + 1, 0, glob.nextPart(g, s.value), tree.resolutionNext(r, s.value), verbSet);
    } else if (s.kind === 'param') {
      for (let k = 0; k < values.length && found !== BOTH; k++) {
        walk(i + 1, 0, glob.nextPart(g, values[k]), tree.resolutionNext(r, values[k]), verbSet);
      }
    } else {
      if (n > 0) walk(i + 1, 0, g, r, verbSet);
      for (let k = 0; n < maxProxy && k < values.length && found !== BOTH; k++) {
        walk(i, n + 1, glob.nextPart(g, values[k]), tree.resolutionNext(r, values[k]), verbSet);
      }
    }
  };
  // The stage, then each verb; verbs that leave the patterns in the same state are walked together.
  const byState = new Map<number, number>();
  verbs.forEach((verb, k) => {
    const g = glob.nextPart(glob.afterStage, verb);
    byState.set(g, (byState.get(g) ?? 0) | (1 << k));
  });
  for (const [g, verbSet] of byState) {
    if (found === BOTH) break;
    walk(0, 0, g, tree.resolutionStart, verbSet);
  }
  return found;
}

/** `a`'s pattern, the aligned pattern (stage fixed) and the shifted one (`*\/` + pattern), in a `GlobAutomaton`. */
const PATTERN = 0;
const ALIGNED_PATTERN = 1;
const SHIFTED_PATTERN = 2;
const STAR = -1;
const END = -2;

/**
 * Glob patterns matched together by a DFA built on demand: a state is the
 * set of positions each pattern can be at after the text so far (`*` any
 * run of characters, `?` one character: `globMatch`'s language), a position
 * at the end of a pattern meaning it matches.
 */
class GlobAutomaton {
  /** The patterns of `overlapFlags` for a route pattern. */
  public static of(pattern: string): GlobAutomaton {
    return new GlobAutomaton([pattern, FRESH + pattern.slice(1), `*/${pattern}`]);
  }

  /** The state after the stage (a fresh value). */
  public readonly afterStage: number;
  /** Per position: a character code, STAR, or END (after the last character of a pattern). */
  private readonly code: Int32Array;
  /** Per position: the index of its pattern. */
  private readonly owner: Uint8Array;
  /** Per state: its positions, ascending. */
  private readonly states: number[][] = [];
  /** Per state: bit k set when pattern k has matched the text so far. */
  private readonly matchedBits: number[] = [];
  /** Per state: bit k set when pattern k can still match some continuation. */
  private readonly liveBits: number[] = [];
  private readonly ids = new Map<string, number>();
  /** Per state: the state after a character (by code). */
  private readonly charSteps: Map<number, number>[] = [];
  /** Per state: the state after `/` + a path part. */
  private readonly partSteps: Map<string, number>[] = [];

  private constructor(patterns: readonly string[]) {
    const code: number[] = [];
    const owner: number[] = [];
    const starts: number[] = [];
    patterns.forEach((p, k) => {
      starts.push(code.length);
      for (let i = 0; i < p.length; i++) {
        code.push(p.charCodeAt(i) === 42 /* * */ ? STAR : p.charCodeAt(i));
        owner.push(k);
      }
      code.push(END);
      owner.push(k);
    });
    this.code = Int32Array.from(code);
    this.owner = Uint8Array.from(owner);
    let state = this.intern(this.closure(starts));
    for (let i = 0; i < FRESH.length; i++) state = this.step(state, FRESH.charCodeAt(i));
    this.afterStage = state;
  }

  /** The state after `/` + `part`. */
  public nextPart(state: number, part: string): number {
    const cache = this.partSteps[state];
    let to = cache.get(part);
    if (to === undefined) {
      to = this.step(state, 47 /* / */);
      for (let i = 0; i < part.length; i++) to = this.step(to, part.charCodeAt(i));
      cache.set(part, to);
    }
    return to;
  }

  public matches(state: number, pattern: number): boolean {
    return (this.matchedBits[state] & (1 << pattern)) !== 0;
  }

  public canMatch(state: number, pattern: number): boolean {
    return (this.liveBits[state] & (1 << pattern)) !== 0;
  }

  /** The state after the character `c`. */
  private step(state: number, c: number): number {
    const cache = this.charSteps[state];
    let to = cache.get(c);
    if (to === undefined) {
      const next: number[] = [];
      for (const j of this.states[state]) {
        const p = this.code[j];
        if (p === STAR) next.push(j);
        else if (p === c || p === 63 /* ? */) next.push(j + 1);
      }
      to = this.intern(this.closure(next));
      cache.set(c, to);
    }
    return to;
  }

  /** `positions` plus those a `*` lets through with an empty run, ascending, each once. */
  private closure(positions: readonly number[]): number[] {
    const out = new Set<number>();
    for (let j of positions) {
      out.add(j);
      while (this.code[j] === STAR) out.add(++j);
    }
    return [...out].sort((x, y) => x - y);
  }

  private intern(positions: number[]): number {
    const key = positions.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.states.length;
      let matched = 0;
      let live = 0;
      for (const j of positions) {
        live |= 1 << this.owner[j];
        if (this.code[j] === END) matched |= 1 << this.owner[j];
      }
      this.states.push(positions);
      this.matchedBits.push(matched);
      this.liveBits.push(live);
      this.charSteps.push(new Map());
      this.partSteps.push(new Map());
      this.ids.set(key, id);
    }
    return id;
  }
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
