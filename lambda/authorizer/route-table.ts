/**
 * The route table (`routes.json`, written by the construct next to the
 * bundle): validation at cold start, the resolution tree that mirrors how API
 * Gateway picks a resource for a concrete path, and the execute-api resource
 * patterns of each route.
 */
import { ConfigError } from './errors';

export const HTTP_VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const METHODS = new Set<string>([...HTTP_VERBS, 'ANY']);
/** Literal path parts API Gateway accepts; never `*` or `?` (they are wildcards in ARNs). */
const LITERAL = /^[A-Za-z0-9._~:@!$&'()+,;=-]+$/;
const PARAM = /^\{[A-Za-z0-9._-]+\}$/;
const PROXY = /^\{[A-Za-z0-9._-]+\+\}$/;
const MAX_ROUTES = 20_000;

export type ScopeMatch = 'ANY_OF' | 'ALL_OF';

/** The JSON document as the construct writes it. */
export interface RouteTableJson {
  readonly version: 1;
  readonly scopes: string[];
  readonly routes: { method: string; path: string; scopes: number[]; match: ScopeMatch }[];
}

export type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param' }
  | { readonly kind: 'proxy' };

/** One validated route. */
export interface Route {
  readonly index: number;
  /** An HTTP verb or `ANY`. */
  readonly method: string;
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly scopes: readonly number[];
  readonly match: ScopeMatch;
  /** Resource pattern after `arn:...:{apiId}/`: `*` + `/VERB|*` + path with variables as `*`. */
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

/** A validated route table with its resolution tree. */
export class RouteTable {
  /** Validates a parsed `routes.json`; throws `ConfigError` naming the first problem. */
  public static fromJson(doc: unknown): RouteTable {
    const fail = (msg: string): never => { throw new ConfigError(`routes.json: ${msg}`); };
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('must be a JSON object');
    const d = doc as Record<string, unknown>;
    if (d.version !== 1) fail(`version must be 1, got ${JSON.stringify(d.version)}`);
    if (!Array.isArray(d.scopes)) fail('scopes must be an array');
    if (!Array.isArray(d.routes)) fail('routes must be an array');
    const scopes = d.scopes as unknown[];
    const seenScopes = new Set<string>();
    scopes.forEach((s, i) => {
      if (typeof s !== 'string' || s.length === 0 || s.length > 600 || /\s/.test(s)) {
        fail(`scopes[${i}] must be a non-empty string without whitespace`);
      }
      if (seenScopes.has(s as string)) fail(`scopes[${i}] ${s} is listed twice`);
      seenScopes.add(s as string);
    });
    const raw = d.routes as unknown[];
    if (raw.length > MAX_ROUTES) fail(`at most ${MAX_ROUTES} routes are supported, got ${raw.length}`);
    const routes: Route[] = [];
    const seen = new Set<string>();
    raw.forEach((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) fail(`routes[${i}] must be an object`);
      const e = r as Record<string, unknown>;
      if (typeof e.method !== 'string' || !METHODS.has(e.method)) fail(`routes[${i}].method must be one of ${[...METHODS].join(', ')}`);
      if (typeof e.path !== 'string') fail(`routes[${i}].path must be a string`);
      const segments = parsePath(e.path as string, (m) => fail(`routes[${i}].path ${JSON.stringify(e.path)}: ${m}`));
      if (!Array.isArray(e.scopes) || e.scopes.length === 0) fail(`routes[${i}].scopes must be a non-empty array of scope indexes`);
      for (const s of e.scopes as unknown[]) {
        if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= scopes.length) {
          fail(`routes[${i}].scopes: ${JSON.stringify(s)} is not an index into scopes`);
        }
      }
      if (e.match !== 'ANY_OF' && e.match !== 'ALL_OF') fail(`routes[${i}].match must be ANY_OF or ALL_OF`);
      const method = e.method as string;
      const key = `${method} ${canonicalPath(segments)}`;
      if (seen.has(key)) fail(`routes[${i}]: ${method} ${e.path} is listed twice`);
      seen.add(key);
      routes.push({
        index: i,
        method,
        path: e.path as string,
        segments,
        scopes: [...new Set(e.scopes as number[])],
        match: e.match as ScopeMatch,
        pattern: routePattern(method, segments),
      });
    });
    return new RouteTable(scopes as string[], routes);
  }

  /** Index of each scope string. */
  public readonly scopeIndex: ReadonlyMap<string, number>;
  private readonly root: Node = newNode();

  private constructor(public readonly scopes: readonly string[], public readonly routes: readonly Route[]) {
    const index = new Map<string, number>();
    scopes.forEach((s, i) => index.set(s, i));
    this.scopeIndex = index;
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
   * The route API Gateway would pick for a concrete request, or undefined when
   * none of the table's routes (scoped methods) would handle it. Static parts
   * win over `{param}`, which wins over `{proxy+}`; a more specific branch that
   * cannot match the rest of the path falls back to the next one. A specific
   * verb wins over `ANY` on the same resource.
   */
  public resolve(verb: string, segments: readonly string[]): Route | undefined {
    const node = this.walk(this.root, segments, 0);
    if (!node) return undefined;
    const idx = node.methods.get(verb) ?? node.methods.get('ANY');
    return idx === undefined ? undefined : this.routes[idx];
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

function parsePath(p: string, fail: (msg: string) => never): Segment[] {
  if (p === '/') return [];
  if (!p.startsWith('/') || p.endsWith('/')) fail('must start with / and not end with /');
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
export function routePattern(method: string, segs: readonly Segment[]): string {
  const path = segs.map((s) => (s.kind === 'literal' ? s.value : '*')).join('/');
  return `*/${method === 'ANY' ? '*' : method}/${path}`;
}
