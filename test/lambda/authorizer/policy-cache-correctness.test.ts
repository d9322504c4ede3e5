/**
 * API Gateway caches the authorizer's policy per token and reuses it for
 * every method of the API. For many scope sets, the policy returned for ONE
 * method is evaluated, the way API Gateway does, against EVERY concrete
 * request of a table shaped like the reference app: it must allow exactly
 * the requests whose route the scopes reach, and never anything else.
 */
import { API_PREFIX, claims, jwksOf, makeAuthorizer, makeKey, sign, tokenEvent } from './helpers';
import { evaluatePolicy, methodArnOf } from './iam-eval';
import { HTTP_VERBS, RouteTableSpec } from '../../../lib/private/route-plan';

const S = {
  ordersRead: 'https://api.acme.example/orders/read',
  ordersWrite: 'https://api.acme.example/orders/write',
  invoicesRead: 'https://api.acme.example/invoices/read',
  invoicesWrite: 'https://api.acme.example/invoices/write',
  audit: 'https://api.acme.example/orders/audit',
  admin: 'https://api.acme.example/admin',
};
const SCOPES = Object.values(S);
const i = (s: string) => SCOPES.indexOf(s);

const TABLE: RouteTableSpec = {
  scopes: SCOPES,
  routes: [
    { method: 'GET', path: '/', scopes: [i(S.ordersRead)], match: 'ANY_OF' },
    { method: 'GET', path: '/orders', scopes: [i(S.ordersRead)], match: 'ANY_OF' },
    { method: 'POST', path: '/orders', scopes: [i(S.ordersWrite)], match: 'ANY_OF' },
    { method: 'GET', path: '/orders/{orderId}', scopes: [i(S.ordersRead), i(S.ordersWrite)], match: 'ANY_OF' },
    { method: 'DELETE', path: '/orders/{orderId}', scopes: [i(S.ordersWrite), i(S.admin)], match: 'ALL_OF' },
    { method: 'GET', path: '/orders/search', scopes: [i(S.ordersRead), i(S.audit)], match: 'ALL_OF' },
    { method: 'GET', path: '/orders/{orderId}/audit', scopes: [i(S.audit)], match: 'ANY_OF' },
    { method: 'GET', path: '/invoices', scopes: [i(S.invoicesRead)], match: 'ANY_OF' },
    { method: 'POST', path: '/invoices', scopes: [i(S.invoicesWrite)], match: 'ANY_OF' },
    { method: 'GET', path: '/invoices/{invoiceId}/lines/{lineId}', scopes: [i(S.invoicesRead)], match: 'ANY_OF' },
    { method: 'ANY', path: '/admin/{proxy+}', scopes: [i(S.admin)], match: 'ANY_OF' },
    { method: 'GET', path: '/admin/health', scopes: [i(S.ordersRead)], match: 'ANY_OF' },
  ],
};

type Kind = 'lit' | 'param' | 'proxy';
interface Concrete { verb: string; segs: string[]; adversarial: boolean }

/** Independent model of API Gateway's choice: most specific route, part by part (literal > {param} > {proxy+}), then verb over ANY. */
function owner(verb: string, segs: string[]): number | undefined {
  let best: { idx: number; rank: number[] } | undefined;
  TABLE.routes.forEach((r, idx) => {
    if (r.method !== verb && r.method !== 'ANY') return;
    const parts = r.path === '/' ? [] : r.path.slice(1).split('/');
    const rank: number[] = [];
    let k = 0;
    for (const p of parts) {
      const kind: Kind = p.endsWith('+}') ? 'proxy' : p.startsWith('{') ? 'param' : 'lit';
      if (kind === 'proxy') {
        if (k >= segs.length) return;
        rank.push(0);
        k = segs.length;
        break;
      }
      if (k >= segs.length) return;
      if (kind === 'lit' && segs[k] !== p) return;
      rank.push(kind === 'lit' ? 2 : 1);
      k++;
    }
    if (k !== segs.length) return;
    rank.push(r.method === verb ? 1 : 0);
    if (!best || compare(rank, best.rank) > 0) best = { idx, rank };
  });
  return best?.idx;
}
function compare(a: number[], b: number[]): number {
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const d = (a[k] ?? -1) - (b[k] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

const ORDINARY = ['123', 'a1b2'];
const ADVERSARIAL = ['GET', 'admin', 'orders', 'audit', 'search', 'health', 'lines', '*'];
const PROXY_ORDINARY = ['users', 'users/42'];
const PROXY_ADVERSARIAL = ['GET/orders', 'x/GET/invoices', 'orders/1/audit', 'health/x', 'DELETE/orders/7', 'orders/search'];

function concreteRequests(): Concrete[] {
  const out: Concrete[] = [];
  for (const r of TABLE.routes) {
    const parts = r.path === '/' ? [] : r.path.slice(1).split('/');
    let variants: { segs: string[]; adversarial: boolean }[] = [{ segs: [], adversarial: false }];
    for (const p of parts) {
      const next: typeof variants = [];
      for (const v of variants) {
        if (p.endsWith('+}')) {
          for (const x of PROXY_ORDINARY) next.push({ segs: [...v.segs, ...x.split('/')], adversarial: v.adversarial });
          for (const x of PROXY_ADVERSARIAL) next.push({ segs: [...v.segs, ...x.split('/')], adversarial: true });
        } else if (p.startsWith('{')) {
          for (const x of ORDINARY) next.push({ segs: [...v.segs, x], adversarial: v.adversarial });
          for (const x of ADVERSARIAL) next.push({ segs: [...v.segs, x], adversarial: true });
        } else {
          next.push({ segs: [...v.segs, p], adversarial: v.adversarial });
        }
      }
      variants = next;
    }
    const verbs = r.method === 'ANY' ? [...HTTP_VERBS] : [r.method];
    for (const v of variants) for (const verb of verbs) out.push({ verb, ...v });
  }
  return out;
}

function reaches(routeIdx: number, scopes: Set<string>): boolean {
  const r = TABLE.routes[routeIdx];
  const names = r.scopes.map((s) => SCOPES[s]);
  return r.match === 'ALL_OF' ? names.every((n) => scopes.has(n)) : names.some((n) => scopes.has(n));
}

describe('the policy for one method is right for every method of the API', () => {
  const key = makeKey();
  const requests = concreteRequests();
  const subsets: string[][] = [];
  for (let m = 0; m < 2 ** SCOPES.length; m++) subsets.push(SCOPES.filter((_, k) => Math.floor(m / 2 ** k) % 2 === 1));
  // Adversarial values (path parts that spell out other routes' patterns) may fail closed:
  // the ARN pattern language cannot always tell those requests apart. They must never fail open.
  const failClosed: string[] = [];
  let adversarialAllowed = 0;

  test.each(subsets.map((s) => [s.map((x) => x.split('/').pop()).join('+') || '(none)', s]))('scopes %s', async (_, scopes) => {
    // GIVEN an authorizer and a token with these scopes (plus a foreign one)
    const t = makeAuthorizer({ jwks: jwksOf(key), routes: TABLE });
    const token = sign(key, claims({ scope: [...(scopes as string[]), 'https://api.acme.example/orders-archive/read'].join(' ') }));
    // WHEN API Gateway asks about ONE method
    const res = await t.authorizer.handle(tokenEvent(token, `${API_PREFIX}/prod/POST/orders`));
    const granted = new Set(scopes as string[]);
    // THEN the cached policy answers every request of the table correctly
    for (const q of requests) {
      const o = owner(q.verb, q.segs);
      if (o === undefined) continue;
      const want = reaches(o, granted) ? 'Allow' : 'Deny';
      for (const stage of ['prod', 'v2']) {
        const got = evaluatePolicy(res.policyDocument, methodArnOf(API_PREFIX, stage, q.verb, q.segs.join('/')));
        const what = `${[...granted].map((x) => x.split('/').pop())} ${q.verb} /${q.segs.join('/')} (${TABLE.routes[o].method} ${TABLE.routes[o].path})`;
        if (want === 'Deny') expect([what, got]).toEqual([what, 'Deny']); // never over-allow
        else if (!q.adversarial) expect([what, got]).toEqual([what, 'Allow']); // exact for ordinary values
        else if (got !== want) failClosed.push(what);
        else adversarialAllowed++;
      }
    }
  });

  test('adversarial paths rarely fail closed', () => {
    // Runs after the scope sets above (jest runs a file's tests in order).
    expect(adversarialAllowed).toBeGreaterThan(0);
    expect(failClosed.length).toBeLessThan((failClosed.length + adversarialAllowed) * 0.05);
  });
});
