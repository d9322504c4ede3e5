/**
 * The token client's hooks and counts: which event each path reports (on an injected clock, with waits that
 * move it), the cache key they carry, hooks that throw or never settle, and `stats()` making a "token per call"
 * bug (a client per request, more scope sets than the cache holds) plain. Secrets in events: redaction.test.ts.
 */
import { createHash } from 'crypto';
import { ScriptedServer, eventually, json, scriptedServer, tokenAnswer, Script } from './support/servers';
import { TokenClient, TokenClientError, TokenClientEvent, TokenClientOptions, cacheKeyOf } from '../../token-client/src';

const T0 = 1_800_000_000_000;
const KEY = cacheKeyOf('c1', []);

let server: ScriptedServer | undefined;
let clock: number;
let events: TokenClientEvent[];

beforeEach(() => {
  clock = T0;
  events = [];
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A client on the script's server whose waits move the clock; events are collected. The n-th token is tok-<n>, 100 s. */
async function clientFor(script: Script = (_r, n, res) => tokenAnswer(res, `tok-${n}`, 100), options: Partial<TokenClientOptions> = {}) {
  server = await scriptedServer(script);
  return new TokenClient({
    credentials: { clientId: 'c1', clientSecret: 's1', tokenEndpoint: server.url },
    now: () => clock,
    sleep: async (ms) => { clock += ms; },
    random: () => 0.5,
    refreshSkewMs: 0,
    onEvent: (e) => events.push(e),
    ...options,
  });
}

const types = () => events.map((e) => e.type);

describe('events', () => {
  test('a first call, a hit, a background refresh, an expiry and an invalidation, each with its fields', async () => {
    const c = await clientFor();
    const base = { cacheKey: KEY, clientId: 'c1', scopes: [] };

    // a first call waits for a token
    expect(await c.getToken()).toBe('tok-0');
    expect(events).toEqual([{
      type: 'token-fetched',
      ...base,
      at: T0,
      reason: 'uncached',
      lifetimeMs: 100_000,
      expiresAt: T0 + 100_000,
      refreshAt: T0 + 75_000,
      attempts: 1,
      durationMs: 0,
      rotated: false,
    }]);

    // the next call is a hit, before the refresh point
    clock = T0 + 10_000;
    await c.getToken();
    expect(events[1]).toEqual({ type: 'cache-hit', ...base, at: T0 + 10_000, refreshDue: false, expiresAt: T0 + 100_000 });

    // past the refresh point: a hit that starts one background refresh
    clock = T0 + 80_000;
    expect(await c.getToken()).toBe('tok-0');
    await eventually(() => events.length === 4, 'the background refresh');
    expect(events.slice(2)).toEqual([
      { type: 'cache-hit', ...base, at: T0 + 80_000, refreshDue: true, expiresAt: T0 + 100_000 },
      {
        type: 'token-refreshed',
        ...base,
        at: T0 + 80_000,
        lifetimeMs: 100_000,
        expiresAt: T0 + 180_000,
        refreshAt: T0 + 155_000,
        attempts: 1,
        durationMs: 0,
        rotated: false,
      },
    ]);

    // past the expiry (less the 5 s margin): callers wait, reason expired
    clock = T0 + 176_000;
    expect(await c.getToken()).toBe('tok-2');
    expect(events[4]).toMatchObject({ type: 'token-fetched', reason: 'expired', expiresAt: T0 + 276_000 });

    // an invalidation, then a token fetched because of it
    c.invalidate('tok-2');
    expect(await c.getToken()).toBe('tok-3');
    expect(events.slice(5)).toMatchObject([
      { type: 'token-invalidated', ...base, at: T0 + 176_000, expiresAt: T0 + 276_000 },
      { type: 'token-fetched', reason: 'invalidated' },
    ]);
  });

  test('a retry says which attempt failed, why and how long the wait is; the token then counts its attempts and time', async () => {
    const c = await clientFor((_r, n, res) => (n === 0 ? json(res, 503, {}) : n === 1
      ? json(res, 429, {}, { 'Retry-After': '3' }) : tokenAnswer(res, 'tok-ok', 100)));

    await c.getToken();

    expect(events).toEqual([
      { type: 'retry', cacheKey: KEY, clientId: 'c1', scopes: [], at: T0, attempt: 1, code: 'server_error', status: 503, delayMs: 50, retryAfter: false, background: false },
      { type: 'retry', cacheKey: KEY, clientId: 'c1', scopes: [], at: T0 + 50, attempt: 2, code: 'rate_limited', status: 429, delayMs: 3000, retryAfter: true, background: false },
      expect.objectContaining({ type: 'token-fetched', attempts: 3, durationMs: 3050, expiresAt: T0 + 3050 + 100_000 }),
    ]);
  });

  test('a failed fetch reports the error code, status and attempts; the caller gets the error itself', async () => {
    const c = await clientFor((_r, _n, res) => json(res, 400, { error: 'invalid_scope' }));

    await expect(c.getToken({ scopes: ['orders/write'] })).rejects.toMatchObject({ code: 'invalid_scope', attempts: 1 });

    expect(events).toEqual([{
      type: 'fetch-failed',
      cacheKey: cacheKeyOf('c1', ['orders/write']),
      clientId: 'c1',
      scopes: ['orders/write'],
      at: T0,
      code: 'invalid_scope',
      status: 400,
      attempts: 1,
      retryable: false,
      durationMs: 0,
    }]);
  });

  test('a failed background refresh is refresh-failed, with when the next one may start; its retries are background', async () => {
    const c = await clientFor((_r, n, res) => (n === 0 ? tokenAnswer(res, 'tok-0', 100) : json(res, 500, {})), { maxAttempts: 2 });
    await c.getToken();

    clock = T0 + 80_000;
    expect(await c.getToken()).toBe('tok-0');
    await eventually(() => types().includes('refresh-failed'), 'the refresh fails');

    expect(types()).toEqual(['token-fetched', 'cache-hit', 'retry', 'refresh-failed']);
    expect(events[2]).toMatchObject({ background: true, attempt: 1, code: 'server_error' });
    // the backoff wait moved the clock by 50 ms; the next refresh waits at least a second after the failure
    expect(events[3]).toMatchObject({ code: 'server_error', status: 500, attempts: 2, retryable: true, durationMs: 50, nextRefreshAt: T0 + 81_050 });
  });

  test('a token got with rotated credentials is marked rotated and counts the refused request', async () => {
    let secret = 'old';
    server = await scriptedServer((r, n, res) => (r.headers.authorization === `Basic ${Buffer.from('c1:new').toString('base64')}`
      ? tokenAnswer(res, `tok-${n}`, 100) : json(res, 400, { error: 'invalid_client' })));
    const url = server.url;
    const c = new TokenClient({
      credentials: async () => ({ clientId: 'c1', clientSecret: secret, tokenEndpoint: url }),
      now: () => clock,
      onEvent: (e) => events.push(e),
    });
    const first = c.getToken();
    secret = 'new';

    expect(await first).toBe('tok-1');
    expect(events).toEqual([expect.objectContaining({ type: 'token-fetched', attempts: 2, rotated: true })]);
  });

  test('events and their scopes are frozen: one hook call cannot change what the next one sees', async () => {
    const c = await clientFor();
    await c.getToken();

    expect(Object.isFrozen(events[0])).toBe(true);
    expect(Object.isFrozen(events[0].scopes)).toBe(true);
  });
});

describe('the cache key', () => {
  test('12 hex digits of the client id and scope set: the same in every client, whatever the order, never the secret', async () => {
    const seen: TokenClientEvent[] = [];
    server = await scriptedServer((_r, n, res) => tokenAnswer(res, `tok-${n}`));
    const make = (clientId: string, clientSecret: string) => new TokenClient({
      credentials: { clientId, clientSecret, tokenEndpoint: server!.url }, onEvent: (e) => seen.push(e),
    });

    await make('c1', 'secret-a').getToken({ scopes: ['b', 'a'] });
    await make('c1', 'secret-b').getToken({ scopes: ['a', 'b', 'a'] });
    await make('c1', 'secret-a').getToken({ scopes: ['a'] });
    await make('c2', 'secret-a').getToken({ scopes: ['a', 'b'] });

    const keys = seen.map((e) => e.cacheKey);
    expect(keys.every((k) => /^[0-9a-f]{12}$/.test(k))).toBe(true);
    expect(keys[0]).toBe(keys[1]);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toBe(cacheKeyOf('c1', [' a', 'b']));
    // SHA-256("c1\na b"), cut to 12 hex digits: documented, so others can compute it
    expect(cacheKeyOf('c1', ['a', 'b'])).toBe(createHash('sha256').update('c1\na b').digest('hex').slice(0, 12));
  });
});

describe('hooks never break or delay token delivery', () => {
  test('a hook that throws on every event: the tokens, the counts and the errors callers see are unchanged', async () => {
    const c = await clientFor((_r, n, res) => (n === 0 ? tokenAnswer(res, 'tok-0', 100) : json(res, 400, { error: 'invalid_scope' })), {
      onEvent: () => { throw new Error('metrics backend down'); },
    });

    expect(await c.getToken()).toBe('tok-0');
    expect(await c.getToken()).toBe('tok-0');
    const err = await c.getToken({ scopes: ['x'] }).then(() => undefined, (e: unknown) => e);

    expect(err).toBeInstanceOf(TokenClientError);
    expect(err).toMatchObject({ code: 'invalid_scope' });
    expect(c.stats()).toMatchObject({ totals: { calls: 3, fetched: 1, cacheHits: 1, fetchFailed: 1 }, hookErrors: 3 });
  });

  test('an async hook is not awaited: one that never settles delays nothing, one that rejects is counted, not unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let calls = 0;
      const c = await clientFor(undefined, {
        onEvent: async () => {
          calls++;
          if (calls === 1) await new Promise(() => undefined);
          throw new Error('rejected');
        },
      });

      expect(await c.getToken()).toBe('tok-0');
      expect(await c.getToken()).toBe('tok-0');
      await new Promise((r) => setImmediate(r));

      expect(calls).toBe(2);
      expect(c.stats().hookErrors).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('onEvent that is not a function is refused, naming the option', () => {
    expect(() => new TokenClient({ credentials: { clientId: 'c', clientSecret: 's' }, onEvent: 'log' as never }))
      .toThrow('option "onEvent" must be a function, got string');
  });
});

describe('stats()', () => {
  test('one client for 20 calls: 1 token fetched, 19 cache hits, 1 request', async () => {
    const c = await clientFor();

    for (let i = 0; i < 20; i++) await c.getToken();

    expect(c.stats()).toEqual({
      since: T0,
      totals: { calls: 20, cacheHits: 19, fetched: 1, refreshed: 0, fetchFailed: 0, refreshFailed: 0, retries: 0, requests: 1, invalidated: 0 },
      keys: [{ cacheKey: KEY, clientId: 'c1', scopes: [], calls: 20, cacheHits: 19, fetched: 1, refreshed: 0, fetchFailed: 0, refreshFailed: 0, retries: 0, requests: 1, invalidated: 0 }],
      hookErrors: 0,
    });
  });

  test('a client per call (the bug): every call fetches a token; the shared hook shows fetched = calls and no hit for one key', async () => {
    server = await scriptedServer((_r, n, res) => tokenAnswer(res, `tok-${n}`));
    const url = server.url;
    const shared: TokenClientEvent[] = [];

    for (let i = 0; i < 20; i++) {
      const perCall = new TokenClient({ credentials: { clientId: 'c1', clientSecret: 's1', tokenEndpoint: url }, onEvent: (e) => shared.push(e) });
      await perCall.getToken();
      expect(perCall.stats().totals).toMatchObject({ calls: 1, fetched: 1, cacheHits: 0 });
    }

    expect(server.requests).toHaveLength(20);
    expect(shared.filter((e) => e.type === 'token-fetched' && e.cacheKey === KEY)).toHaveLength(20);
    expect(shared.filter((e) => e.type === 'cache-hit')).toHaveLength(0);
  });

  test('more scope sets than the cache holds (the other bug): fetched = calls per key, no hit, counts kept after eviction', async () => {
    const c = await clientFor(undefined, { maxCacheEntries: 2 });

    for (let round = 0; round < 3; round++) {
      for (const scope of ['a', 'b', 'c']) await c.getToken({ scopes: [scope] });
    }

    const { totals, keys } = c.stats();
    expect(totals).toMatchObject({ calls: 9, fetched: 9, cacheHits: 0, requests: 9 });
    expect(keys.map((k) => [k.scopes.join(' '), k.calls, k.fetched, k.cacheHits])).toEqual([['a', 3, 3, 0], ['b', 3, 3, 0], ['c', 3, 3, 0]]);
  });

  test('callers that wait for another caller\'s request count as calls, not as hits or fetches', async () => {
    const c = await clientFor();

    await Promise.all(Array.from({ length: 10 }, () => c.getToken()));

    expect(c.stats().totals).toMatchObject({ calls: 10, fetched: 1, cacheHits: 0, requests: 1 });
  });

  test('per-key counts are kept for the 1,000 most recently used keys; the totals count every key', async () => {
    let n = 0;
    const c = new TokenClient({
      credentials: { clientId: 'c1', clientSecret: 's1', tokenEndpoint: 'https://auth.example.com/oauth2/token' },
      fetch: async () => new Response(JSON.stringify({ access_token: `tok-${n++}`, expires_in: 3600 }), { status: 200 }),
    });

    for (let i = 0; i < 1_001; i++) await c.getToken({ scopes: [`s${i}`] });

    const { totals, keys } = c.stats();
    expect(totals).toMatchObject({ calls: 1_001, fetched: 1_001 });
    expect(keys).toHaveLength(1_000);
    expect(keys[0].scopes).toEqual(['s1']);
    expect(keys[999].scopes).toEqual(['s1000']);
  });
});
