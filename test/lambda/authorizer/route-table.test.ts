/* eslint-disable no-bitwise */ // overlap flags are a two-bit set (ALIGNED, SHIFTED)
/**
 * Route table planning (synth time: validation, API Gateway's resolution
 * order, patterns, overlaps) and its use by the function, up to a table at
 * the 300-resource quota.
 */
import { API_PREFIX, claims, jwksOf, makeAuthorizer, makeKey, REFERENCE_SPEC, sign, tokenEvent } from './helpers';
import { evaluatePolicy, methodArnOf } from './iam-eval';
import { PolicyBuilder } from '../../../lambda/authorizer/policy';
import { routeTableOf } from '../../../lambda/authorizer/route-table';
import { ALIGNED, globMatch, planRouteTable, RouteSpec, RouteTableSpec, RouteTree, SHIFTED } from '../../../lib/private/route-plan';

describe('globMatch (execute-api ARN wildcards)', () => {
  test.each([
    ['*/GET/orders', 'prod/GET/orders', true],
    ['*/GET/orders', 'prod/GET/orders/1', false],
    ['*/GET/orders/*', 'prod/GET/orders/1/secret', true], // `*` spans `/`
    ['*/GET/orders/*', 'prod/GET/orders/', true],
    ['*/*/admin/*', 'prod/DELETE/admin/users/1', true],
    ['*/GET/', 'prod/GET/', true],
    ['*/GET/', 'prod/GET/orders', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', true], // `?` is any one character
    ['a?c', 'ac', false],
    ['*', '', true],
    ['', 'x', false],
    ['**a*', 'bbba', true],
  ])('%s vs %s → %s', (pattern, text, want) => {
    expect(globMatch(pattern, text)).toBe(want);
  });

  test('Deny wins over Allow; no match is a Deny', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow' as const, Resource: [`${API_PREFIX}/*/GET/orders/*`] },
        { Action: 'execute-api:Invoke', Effect: 'Deny' as const, Resource: `${API_PREFIX}/*/GET/orders/*/audit` },
      ],
    };
    expect(evaluatePolicy(policy, methodArnOf(API_PREFIX, 'prod', 'GET', '/orders/1'))).toBe('Allow');
    expect(evaluatePolicy(policy, methodArnOf(API_PREFIX, 'prod', 'GET', '/orders/1/audit'))).toBe('Deny');
    expect(evaluatePolicy(policy, methodArnOf(API_PREFIX, 'prod', 'POST', '/orders/1'))).toBe('Deny');
  });
});

describe('resolution (static part > {param} > {proxy+}; verb > ANY)', () => {
  const table = RouteTree.of({
    scopes: ['s'],
    routes: [
      { method: 'GET', path: '/', scopes: [0], match: 'ANY_OF' },
      { method: 'GET', path: '/orders/{id}', scopes: [0], match: 'ANY_OF' },
      { method: 'GET', path: '/orders/search', scopes: [0], match: 'ANY_OF' },
      { method: 'GET', path: '/orders/{id}/audit', scopes: [0], match: 'ANY_OF' },
      { method: 'ANY', path: '/orders/{proxy+}', scopes: [0], match: 'ANY_OF' },
      { method: 'POST', path: '/orders/{id}', scopes: [0], match: 'ANY_OF' },
    ],
  });
  const at = (verb: string, path: string) => {
    const idx = table.resolve(verb, path === '/' ? [] : path.slice(1).split('/'));
    return idx === undefined ? 'none' : table.routes[idx].path;
  };
  test.each([
    ['GET', '/', '/'],
    ['GET', '/orders/search', '/orders/search'],
    ['GET', '/orders/1', '/orders/{id}'],
    ['GET', '/orders/1/audit', '/orders/{id}/audit'],
    ['GET', '/orders/search/audit', '/orders/{id}/audit'], // static branch has no child: back to {id}
    ['GET', '/orders/1/2/3', '/orders/{proxy+}'],
    ['DELETE', '/orders/1', 'none'], // resource /orders/{id} has no DELETE
    ['PUT', '/orders/1/2', '/orders/{proxy+}'],
    ['GET', '/invoices', 'none'],
  ])('%s %s → %s', (verb, p, want) => {
    expect(at(verb, p)).toBe(want);
  });
});

test('the reference routes.json of the contract: patterns and overlaps', () => {
  const t = planRouteTable(REFERENCE_SPEC);
  expect(t.routes.map((r) => r.pattern)).toEqual(['*/GET/orders', '*/POST/orders', '*/GET/orders/*', '*/*/admin/*']);
  // GET /orders/{orderId} needs read AND write: a token with only one of them reaches GET or POST /orders, and no
  // pattern of those can match another route's requests except through `*/` + pattern (a path spelling VERB/orders).
  for (const [a, u, flags] of t.overlaps) {
    expect(a).not.toBe(u);
    expect(flags & ~(ALIGNED | SHIFTED)).toBe(0);
    expect(flags).not.toBe(0);
  }
  expect(routeTableOf(JSON.parse(JSON.stringify(t)))).toEqual(t);
});

describe('planning overlaps', () => {
  const spec = (routes: RouteSpec[]): RouteTableSpec => ({ scopes: ['a', 'b'], routes });
  test('an Allow whose `*` spans into an unreached child route: that route is denied (aligned)', () => {
    const t = planRouteTable(spec([
      { method: 'GET', path: '/orders/{id}', scopes: [0], match: 'ANY_OF' },
      { method: 'GET', path: '/orders/{id}/audit', scopes: [1], match: 'ANY_OF' },
    ]));
    expect(t.overlaps).toContainEqual([0, 1, ALIGNED]);
    expect(t.overlaps.some(([a]) => a === 1)).toBe(false); // `*/GET/orders/*/audit` matches no request of /orders/{id}
  });
  test('no overlap between routes whose scopes imply each other', () => {
    const t = planRouteTable(spec([
      { method: 'GET', path: '/orders/{id}', scopes: [0], match: 'ANY_OF' },
      { method: 'GET', path: '/orders/{id}/audit', scopes: [0, 1], match: 'ANY_OF' }, // reached whenever the first is
    ]));
    expect(t.overlaps).toEqual([]);
  });
  test('a path that spells out another route\'s pattern: `*/` + that pattern is denied (shifted)', () => {
    const t = planRouteTable(spec([
      { method: 'ANY', path: '/admin/{proxy+}', scopes: [1], match: 'ANY_OF' },
      { method: 'GET', path: '/admin/health', scopes: [0], match: 'ANY_OF' },
    ]));
    expect(t.overlaps).toContainEqual([1, 0, SHIFTED]);
  });
  test.each([
    ['bad method', { method: 'FETCH', path: '/orders' }, /routes\[0\]\.method FETCH must be one of/],
    ['lower-case method', { method: 'get', path: '/orders' }, /routes\[0\]\.method get/],
    ['path without leading slash', { method: 'GET', path: 'orders' }, /routes\[0\]\.path "orders": must start with \//],
    ['wildcard in a path', { method: 'GET', path: '/orders/*' }, /part "\*" is not a valid path part/],
    ['proxy not last', { method: 'GET', path: '/a/{proxy+}/b' }, /\{proxy\+\} must be the last part/],
  ])('rejects a %s, naming the route', (_, r, message) => {
    expect(() => planRouteTable(spec([{ scopes: [0], match: 'ANY_OF', ...r }]))).toThrow(message);
  });
  test.each([
    ['a scope index out of range', { scopes: [2] }, /routes\[0\]\.scopes: 2 is not an index into scopes/],
    ['no scopes', { scopes: [] }, /routes\[0\]\.scopes must not be empty/],
    ['a bad match', { match: 'SOME_OF' }, /routes\[0\]\.match must be ANY_OF or ALL_OF/],
  ])('rejects %s', (_, r, message) => {
    expect(() => planRouteTable(spec([{ method: 'GET', path: '/x', scopes: [0], match: 'ANY_OF', ...r } as RouteSpec]))).toThrow(message);
  });
  test('rejects a duplicate route and a duplicate or blank scope', () => {
    const r: RouteSpec = { method: 'GET', path: '/orders/{id}', scopes: [0], match: 'ANY_OF' };
    expect(() => planRouteTable(spec([r, { ...r, path: '/orders/{other}' }]))).toThrow(/routes\[1\]: GET \/orders\/\{other\} is listed twice/);
    expect(() => planRouteTable({ scopes: ['a', 'a'], routes: [] })).toThrow(/scopes\[1\] a is listed twice/);
    expect(() => planRouteTable({ scopes: ['a b'], routes: [] })).toThrow(/scopes\[0\] must be a non-empty string without whitespace/);
  });
});

describe('a table at the 300-resource quota', () => {
  // 300 resources: /svcNN, /svcNN/{id}, /svcNN/{id}/items, /svcNN/{id}/items/{itemId}, /svcNN/export... (5 per service × 60)
  const scopes = Array.from({ length: 60 }, (_, k) => [`https://api.acme.example/svc${k}/read`, `https://api.acme.example/svc${k}/write`]).flat();
  const routes: RouteSpec[] = [];
  for (let k = 0; k < 60; k++) {
    const r = 2 * k;
    const w = 2 * k + 1;
    const base = `/svc${k}`;
    routes.push(
      { method: 'GET', path: base, scopes: [r], match: 'ANY_OF' },
      { method: 'POST', path: base, scopes: [w], match: 'ANY_OF' },
      { method: 'GET', path: `${base}/{id}`, scopes: [r], match: 'ANY_OF' },
      { method: 'PUT', path: `${base}/{id}`, scopes: [w], match: 'ANY_OF' },
      { method: 'DELETE', path: `${base}/{id}`, scopes: [r, w], match: 'ALL_OF' },
      { method: 'GET', path: `${base}/{id}/items`, scopes: [r], match: 'ANY_OF' },
      { method: 'POST', path: `${base}/{id}/items`, scopes: [w], match: 'ANY_OF' },
      { method: 'GET', path: `${base}/{id}/items/{itemId}`, scopes: [r], match: 'ANY_OF' },
      { method: 'PATCH', path: `${base}/{id}/items/{itemId}`, scopes: [w], match: 'ANY_OF' },
      { method: 'GET', path: `${base}/export`, scopes: [r, w], match: 'ALL_OF' },
    );
  }
  const table: RouteTableSpec = { scopes, routes };
  const key = makeKey();

  test('loads and answers; the policy is right for sample requests', async () => {
    expect(new Set(routes.map((r) => r.path)).size).toBe(300);
    const t = makeAuthorizer({ jwks: jwksOf(key), routes: table });
    const granted = [scopes[0], scopes[3], scopes[10], scopes[11]]; // svc0 read, svc1 write, svc5 read+write
    const res = await t.authorizer.handle(tokenEvent(sign(key, claims({ scope: granted.join(' ') })), `${API_PREFIX}/prod/GET/svc0`));
    const allowed = (verb: string, path: string) => evaluatePolicy(res.policyDocument, methodArnOf(API_PREFIX, 'prod', verb, path)) === 'Allow';
    expect(allowed('GET', '/svc0')).toBe(true);
    expect(allowed('GET', '/svc0/42/items/7')).toBe(true);
    expect(allowed('POST', '/svc0')).toBe(false);
    expect(allowed('GET', '/svc0/export')).toBe(false); // ALL_OF read+write, only read granted
    expect(allowed('PUT', '/svc1/9')).toBe(true);
    expect(allowed('GET', '/svc1/9')).toBe(false);
    expect(allowed('DELETE', '/svc5/9')).toBe(true);
    expect(allowed('GET', '/svc5/export')).toBe(true);
    expect(allowed('GET', '/svc2')).toBe(false);
    // (Paths with no resource, e.g. /svc0/42/items/7/extra, never reach the authorizer: API Gateway answers 403 itself.)
  });

  test('every scope set answers (planning and policy computation stay bounded)', () => {
    const start = Date.now();
    const builder = new PolicyBuilder(planRouteTable(table));
    for (let k = 0; k < scopes.length; k++) {
      const plan = builder.plan([k]);
      expect(plan.reached.length).toBeGreaterThan(0);
    }
    expect(builder.plan(scopes.map((_, k) => k)).deny).toEqual([]);
    // Not a performance assertion: a hang guard for the overlap analysis.
    expect(Date.now() - start).toBeLessThan(30_000);
  });
});
