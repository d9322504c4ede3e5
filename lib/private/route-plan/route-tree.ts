/* eslint-disable no-bitwise */ // a resolution state packs a node id and a proxy bit
/**
 * Routes as API Gateway resolves them: validation, the resolution tree
 * (static parts before `{param}` before `{proxy+}`), the glob match of
 * policy resources and each route's ARN pattern.
 */
import type { RouteTableSpec, ScopeMatchName } from '../contracts/route-table';

export const HTTP_VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const METHODS = new Set<string>([...HTTP_VERBS, 'ANY']);
/** Literal path parts API Gateway accepts; never `*` or `?` (they are wildcards in ARNs). */
const LITERAL = /^[A-Za-z0-9._~:@!$&'()+,;=-]+$/;
const PARAM = /^\{[A-Za-z0-9._-]+\}$/;
const PROXY = /^\{[A-Za-z0-9._-]+\+\}$/;
export const FRESH = '\u0000';
export const MAX_CANDIDATES = 50_000;

export type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param' }
  | { readonly kind: 'proxy' };

export interface Route {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly scopes: readonly number[];
  readonly match: ScopeMatchName;
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

export function parsePath(p: string, fail: (msg: string) => never): Segment[] {
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

export function canonicalPath(segs: readonly Segment[]): string {
  return '/' + segs.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? '{}' : '{+}')).join('/');
}

/** `*` (any stage) `/VERB` (or `*` for ANY) `/path` with `{param}` and `{proxy+}` as `*`; root is `*\/GET/`. */
export function routePattern(method: string, segs: readonly Segment[]): string {
  const path = segs.map((s) => (s.kind === 'literal' ? s.value : '*')).join('/');
  return `*/${method === 'ANY' ? '*' : method}/${path}`;
}
