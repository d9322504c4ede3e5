/* eslint-disable no-bitwise */ // overlap flags are a two-bit set (ALIGNED, SHIFTED)
/**
 * Route planning checks only the pairs of routes an index of path parts
 * yields, and walks each pair's candidate requests as states: the table must
 * be exactly the one of checking every ordered pair by listing every
 * candidate request one by one (the reference below), while the number of
 * pairs checked grows with the routes, not their square.
 */
import * as fc from 'fast-check';
import { ALIGNED, globMatch, HTTP_VERBS, planRouteTable, planRouteTableWithStats, PlannedRouteTable, RouteSpec, RouteTableSpec, RouteTree, SHIFTED } from '../../lib/private/route-plan';

type Route = RouteTree['routes'][number];
const FRESH = '\u0000';
const MAX_CANDIDATES = 50_000;

/** Every ordered pair (a, u), each checked by listing u's candidate requests. */
function referencePlan(spec: RouteTableSpec): PlannedRouteTable {
  const tree = RouteTree.of(spec);
  const overlaps: [number, number, number][] = [];
  for (const u of tree.routes) {
    for (const a of tree.routes) {
      if (a === u || referenceImplies(a, u)) continue;
      const flags = referenceQuickReject(a, u) ? 0 : referenceOverlapFlags(tree, a, u);
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

function referenceImplies(a: Route, u: Route): boolean {
  const minimal = a.match === 'ALL_OF' ? [a.scopes] : a.scopes.map((s) => [s]);
  return minimal.every((set) => (u.match === 'ALL_OF' ? u.scopes.every((s) => set.includes(s)) : u.scopes.some((s) => set.includes(s))));
}

function referenceQuickReject(a: Route, u: Route): boolean {
  const as = a.segments;
  const us = u.segments;
  if (as.length === 0) return us.length !== 0;
  const aLast = as[as.length - 1];
  if (aLast.kind === 'literal' && us.length > 0) {
    const uLast = us[us.length - 1];
    if (uLast.kind === 'literal' && uLast.value !== aLast.value) return true;
  }
  if (a.method !== 'ANY' && u.method !== 'ANY' && u.method !== a.method) {
    const canProduce = us.some((s) => s.kind !== 'literal' || s.value === a.method);
    if (!canProduce) return true;
  }
  return false;
}

/** Lists u's candidate requests (variables: a fresh value or one of a's literals) and resolves each. */
function referenceOverlapFlags(tree: RouteTree, a: Route, u: Route): number {
  const lits = new Set<string>();
  for (const s of a.segments) if (s.kind === 'literal') lits.add(s.value);
  if (a.method !== 'ANY') lits.add(a.method);
  const values = [FRESH, ...lits];
  const verbs = u.method === 'ANY' ? HTTP_VERBS : [u.method];
  const maxProxy = lits.size + 2;
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
  const aligned = FRESH + a.pattern.slice(1);
  const shifted = `*/${a.pattern}`;
  let flags = 0;
  const segs: string[] = [];
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

/** Random route tables: literals (verb names among them), params, proxies, ANY, the root, shared and all-of scopes. */
const literal = fc.constantFrom('a', 'b', 'x', 'GET', 'POST', 'ANY');
const routeArb = (maxParts: number, literalWeight: number) => fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'ANY'),
  parts: fc.array(fc.oneof({ weight: literalWeight, arbitrary: literal }, { weight: 3, arbitrary: fc.constant('{id}') }), { maxLength: maxParts }),
  proxy: fc.boolean(),
  scopes: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }),
  allOf: fc.boolean(),
}).map((r): RouteSpec => {
  const parts = r.proxy && r.parts.length < maxParts ? [...r.parts, '{proxy+}'] : r.parts;
  return { method: r.method, path: `/${parts.join('/')}`, scopes: r.scopes, match: r.allOf ? 'ALL_OF' : 'ANY_OF' };
});
/** Up to 9 routes, duplicates (same verb and path shape) dropped. */
function tableArb(maxParts: number, literalWeight: number): fc.Arbitrary<RouteTableSpec> {
  return fc.array(routeArb(maxParts, literalWeight), { minLength: 1, maxLength: 9 }).map((routes) => {
    const seen = new Set<string>();
    const unique = routes.filter((r) => {
      const key = `${r.method} ${r.path.replace(/\{[^}]*\}/g, '{}')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return { scopes: ['read', 'write', 'admin'], routes: unique };
  });
}

/** A platform's API: per service items, item, notes, note, search with several verbs, read/write scopes, a proxy per 20 services. */
function platformTable(services: number): RouteTableSpec {
  const scopes: string[] = [];
  const routes: RouteSpec[] = [];
  for (let k = 0; k < services; k++) {
    const read = scopes.push(`svc${k}/read`) - 1;
    const write = scopes.push(`svc${k}/write`) - 1;
    const add = (method: string, path: string, s: number[], match: 'ANY_OF' | 'ALL_OF' = 'ANY_OF') => routes.push({ method, path: `/svc${k}${path}`, scopes: s, match });
    add('GET', '/items', [read]);
    add('POST', '/items', [write]);
    add('GET', '/items/{itemId}', [read, write]);
    add('PUT', '/items/{itemId}', [write]);
    add('DELETE', '/items/{itemId}', [read, write], 'ALL_OF');
    add('GET', '/items/{itemId}/notes', [read]);
    add('POST', '/items/{itemId}/notes', [write]);
    add('GET', '/items/{itemId}/notes/{noteId}', [read]);
    add('DELETE', '/items/{itemId}/notes/{noteId}', [write]);
    add('GET', '/search', [read]);
    if (k % 20 === 19) add('ANY', '/legacy/{proxy+}', [write]);
  }
  return { scopes, routes };
}

describe('planning equals checking every pair', () => {
  test.each([
    ['short paths', 4, 4, 400],
    ['long runs of literals', 7, 12, 150],
  ])('on random route tables: %s', (_, maxParts, literalWeight, numRuns) => {
    let withOverlaps = 0;
    fc.assert(
      fc.property(tableArb(maxParts, literalWeight), (spec) => {
        const want = referencePlan(spec);
        if (want.overlaps.length > 0) withOverlaps++;
        expect(planRouteTable(spec)).toEqual(want);
      }),
      { seed: 20240611, numRuns },
    );
    // The property says little unless many tables have overlaps to find.
    expect(withOverlaps).toBeGreaterThan(numRuns / 4);
  });

  test('a run of literals longer than the index keys must end on the last parts', () => {
    // `*/GET/a/b/c/d` matches `GET /{v}/a/b/c/d` with v = GET (shifted); the index keys on its last 4 literals.
    const spec: RouteTableSpec = {
      scopes: ['read', 'write'],
      routes: [
        { method: 'GET', path: '/a/b/c/d', scopes: [0], match: 'ANY_OF' },
        { method: 'GET', path: '/{v}/a/b/c/d', scopes: [1], match: 'ANY_OF' },
      ],
    };
    const t = planRouteTable(spec);
    expect(t.overlaps).toEqual([[0, 1, SHIFTED]]);
    expect(t).toEqual(referencePlan(spec));
  });

  test('a pair whose requests are too many to list overlaps (fail closed) though no part lines up', () => {
    // `*/GET/a/b/c/d/e/f/*` cannot match `POST /z/{p1}/{p2}/{p3}/q/{p4}/{p5}/{p6}` (no 4 parts in a row line up),
    // but 8^6 candidate requests are too many to list.
    const spec: RouteTableSpec = {
      scopes: ['read', 'write'],
      routes: [
        { method: 'GET', path: '/a/b/c/d/e/f/{id}', scopes: [0], match: 'ANY_OF' },
        { method: 'POST', path: '/z/{p1}/{p2}/{p3}/q/{p4}/{p5}/{p6}', scopes: [1], match: 'ANY_OF' },
      ],
    };
    const t = planRouteTable(spec);
    expect(t.overlaps).toEqual([[0, 1, ALIGNED | SHIFTED]]);
    expect(t).toEqual(referencePlan(spec));
  });

  test('on a platform API with proxies (byte for byte)', () => {
    const spec = platformTable(40);
    const got = planRouteTable(spec);
    // Each proxy's requests can spell out other services' patterns: those are denied, shifted.
    expect(got.overlaps.filter(([, , flags]) => flags === SHIFTED).length).toBeGreaterThan(100);
    expect(JSON.stringify(got)).toBe(JSON.stringify(referencePlan(spec)));
  });
});

describe('planning work', () => {
  test('a 2,000-route platform API checks a number of pairs linear in its routes', () => {
    const spec = platformTable(200);
    const routes = spec.routes.length;
    expect(routes).toBeGreaterThanOrEqual(2_000);
    const { table, stats } = planRouteTableWithStats(spec);
    // Every route against each of the 10 proxies (their requests can spell anything), and a few more.
    expect(stats.pairsChecked).toBeLessThan(15 * routes);
    expect(table.overlaps.length).toBeGreaterThan(5 * routes);
  });

  test('routes without a common part are never paired', () => {
    const spec: RouteTableSpec = {
      scopes: ['s0', 's1', 's2', 's3'],
      routes: [0, 1, 2, 3].map((k) => ({ method: 'GET', path: `/svc${k}/items/{id}`, scopes: [k], match: 'ANY_OF' })),
    };
    expect(planRouteTableWithStats(spec).stats.pairsChecked).toBe(0);
  });

  test('a pattern without literals is paired with every route', () => {
    const spec: RouteTableSpec = {
      scopes: ['s0', 's1', 's2'],
      routes: [
        { method: 'ANY', path: '/{proxy+}', scopes: [0], match: 'ANY_OF' },
        { method: 'GET', path: '/a', scopes: [1], match: 'ANY_OF' },
        { method: 'POST', path: '/b/c', scopes: [2], match: 'ANY_OF' },
      ],
    };
    // ANY /{proxy+} against both, and both against it (a proxy's requests spell anything): 4 pairs; /a and /b/c never meet.
    expect(planRouteTableWithStats(spec).stats.pairsChecked).toBe(4);
  });
});
