/**
 * Caching: single flight, the refresh point, proactive refresh and expiry (on an injected clock),
 * the cache key, the bound, invalidation and a failed credentials load (rotation: rotation.test.ts).
 */
import { ScriptedServer, eventually, json, scriptedServer, tokenAnswer } from './support/servers';
import { TokenClient, TokenClientOptions } from '../../token-client/src';

let server: ScriptedServer;
let clock: number;
const T0 = 1_800_000_000_000;

beforeEach(async () => {
  clock = T0;
  // tok-<n> for the n-th request, 100 s lifetime.
  server = await scriptedServer((_r, n, res) => tokenAnswer(res, `tok-${n}`, 100));
});
afterEach(() => server.close());

function client(options: Partial<TokenClientOptions> = {}): TokenClient {
  return new TokenClient({
    credentials: { clientId: 'c1', clientSecret: 's1', tokenEndpoint: server.url },
    now: () => clock,
    refreshSkewMs: 0,
    ...options,
  });
}

test('50 concurrent callers cause exactly one token request', async () => {
  const c = client();

  const tokens = await Promise.all(Array.from({ length: 50 }, () => c.getToken()));

  expect(new Set(tokens)).toEqual(new Set(['tok-0']));
  expect(server.requests).toHaveLength(1);
});

test('the token is reused until 75% of its lifetime', async () => {
  const c = client();
  await c.getToken();

  clock = T0 + 74_999;
  expect(await c.getToken()).toBe('tok-0');
  expect(server.requests).toHaveLength(1);
});

test('after the refresh point: the current token now, one background refresh for 50 callers, then the new token', async () => {
  const c = client();
  await c.getToken();

  clock = T0 + 80_000;
  const during = await Promise.all(Array.from({ length: 50 }, () => c.getToken()));

  expect(new Set(during)).toEqual(new Set(['tok-0']));
  await eventually(async () => (await c.getToken()) === 'tok-1', 'the background refresh lands');
  expect(server.requests).toHaveLength(2);
});

test('past expiry (less the margin) callers wait for a new token', async () => {
  const c = client({ expiryMarginMs: 5_000 });
  await c.getToken();

  clock = T0 + 95_000;
  const tokens = await Promise.all(Array.from({ length: 10 }, () => c.getToken()));

  expect(new Set(tokens)).toEqual(new Set(['tok-1']));
  expect(server.requests).toHaveLength(2);
});

test.each([
  // [fraction, skew ms, last reuse ms, first refresh ms] for a 100 s token
  [0.75, 0, 74_999, 75_000],
  [0.5, 0, 49_999, 50_000],
  [0.75, 40_000, 59_999, 60_000],
  [0.9, 30_000, 69_999, 70_000],
])('fraction %d with skew %d ms: reused at %d ms, refreshed at %d ms', async (refreshFraction, refreshSkewMs, reuse, refresh) => {
  const c = client({ refreshFraction, refreshSkewMs, expiryMarginMs: 0 });
  await c.getToken();

  clock = T0 + reuse;
  await c.getToken();
  expect(server.requests).toHaveLength(1);

  clock = T0 + refresh;
  await c.getToken();
  await eventually(() => server.requests.length === 2, 'a refresh request');
});

test('a failed background refresh keeps serving the valid token and pauses before trying again', async () => {
  await server.close();
  server = await scriptedServer((_r, n, res) => (n === 0 ? tokenAnswer(res, 'tok-0', 100) : json(res, 400, { error: 'invalid_scope' })));
  const c = client();
  await c.getToken();

  clock = T0 + 80_000;
  expect(await c.getToken()).toBe('tok-0');
  await eventually(() => server.requests.length === 2, 'the refresh request');
  // Let the failure settle, then call again at the same instant: no new request during the pause.
  await new Promise((r) => setImmediate(r));
  expect(await c.getToken()).toBe('tok-0');
  expect(server.requests).toHaveLength(2);

  clock = T0 + 82_000;
  expect(await c.getToken()).toBe('tok-0');
  await eventually(() => server.requests.length === 3, 'a second refresh after the pause');
});

test('the cache key is the sorted, de-duplicated scope set', async () => {
  const c = client();

  const ab = await c.getToken({ scopes: ['b', 'a', 'a'] });
  const ba = await c.getToken({ scopes: [' a', 'b'] });
  const a = await c.getToken({ scopes: ['a'] });

  expect(ab).toBe(ba);
  expect(a).not.toBe(ab);
  expect(server.requests.map((r) => new URLSearchParams(r.body).get('scope'))).toEqual(['a b', 'a']);
});

test('the cache holds at most maxCacheEntries, least recently used evicted', async () => {
  const c = client({ maxCacheEntries: 2 });

  await c.getToken({ scopes: ['x'] });
  await c.getToken({ scopes: ['y'] });
  await c.getToken({ scopes: ['x'] }); // x is now the most recent
  await c.getToken({ scopes: ['z'] }); // evicts y
  await c.getToken({ scopes: ['x'] });
  await c.getToken({ scopes: ['y'] });

  expect(server.requests.map((r) => new URLSearchParams(r.body).get('scope'))).toEqual(['x', 'y', 'z', 'y']);
});

test('invalidate drops that token only once', async () => {
  const c = client();
  const first = await c.getToken();

  c.invalidate(first);
  const second = await c.getToken();
  c.invalidate(first);
  const third = await c.getToken();

  expect([first, second, third]).toEqual(['tok-0', 'tok-1', 'tok-1']);
});

test('a failing loader is a config error naming no secret, and is tried again', async () => {
  let calls = 0;
  const c = new TokenClient({
    credentials: async () => {
      calls++;
      if (calls === 1) throw new Error('AccessDenied for s3cr3t');
      return JSON.stringify({ clientId: 'c1', clientSecret: 's1', tokenEndpoint: server.url });
    },
  });

  const err = await c.getToken().then(() => new Error('resolved'), (e: Error) => e);
  expect(err).toMatchObject({ code: 'config', attempts: 0 });
  expect(err.message).not.toContain('s3cr3t');
  expect(await c.getToken()).toBe('tok-0');
});

test.each([
  ['refreshFraction', 0],
  ['refreshFraction', 1.5],
  ['maxAttempts', 0],
  ['maxCacheEntries', 1.5],
  ['deadlineMs', -1],
])('option %s = %d is refused, naming the option', (name, value) => {
  expect(() => client({ [name]: value })).toThrow(new RegExp(`option "${name}" must be`));
});
