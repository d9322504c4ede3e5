/** The verified-token cache: hits skip verification, expiry is exact, caps hold, eviction gives hit entries a second chance. */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import * as fc from 'fast-check';
import { allowsAnything, claims, jwksOf, makeAuthorizer, makeKey, outcome, sign, tokenEvent } from './helpers';
import type { Grant } from '../../../lambda/authorizer/authorizer';
import { ENTRY_OVERHEAD_BYTES, TokenCache } from '../../../lambda/authorizer/token-cache';

const key = makeKey();

describe('in the authorizer', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a cache hit skips signature verification entirely', async () => {
    // GIVEN
    const verifySync = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    const verify = jest.spyOn(CognitoJwtVerifier.prototype, 'verify');
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    const token = sign(key, claims());
    // WHEN
    for (let i = 0; i < 5; i++) expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    // THEN
    expect(verifySync).toHaveBeenCalledTimes(1);
    expect(verify).not.toHaveBeenCalled();
    expect(t.authorizer.tokenCache.size).toBe(1);
  });

  test('an entry is never served after the token expires', async () => {
    let now = Date.now();
    const t = makeAuthorizer({ jwks: jwksOf(key), deps: { now: () => now } });
    const exp = Math.floor(now / 1000) + 60;
    const token = sign(key, claims({ exp }));
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    // One millisecond before exp: still served from the cache.
    now = exp * 1000 - 1;
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(token)))).toBe(true);
    // At exp: the entry is dropped (and the real clock decides the re-verification).
    now = exp * 1000;
    const spy = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 + 1000);
    expect(await outcome(t.authorizer, tokenEvent(token))).toBe('Unauthorized');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(t.decisionLogs().map((l) => l.reason)).toEqual(['expired']);
    // Seen first once, served from the cache until its expiry, then denied: one first sighting in all.
    expect(t.firstSeen()).toHaveLength(1);
  });

  test('the entry cap is respected: without hits, the oldest tokens go first', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key), config: { tokenCacheMaxEntries: 3 } });
    const tokens = Array.from({ length: 5 }, () => sign(key, claims()));
    for (const tok of tokens) await outcome(t.authorizer, tokenEvent(tok));
    expect(t.authorizer.tokenCache.size).toBe(3);
    const cachedClient = (tok: string) => (t.authorizer.tokenCache.get(tok) as Grant | undefined)?.clientId;
    expect(tokens.map(cachedClient)).toEqual([undefined, undefined, 'client1globex', 'client1globex', 'client1globex']);
  });

  test('a token that was hit survives new tokens that evict never-hit ones (no re-verification)', async () => {
    // GIVEN a full cache of three tokens, the oldest of which is requested again
    const t = makeAuthorizer({ jwks: jwksOf(key), config: { tokenCacheMaxEntries: 3 } });
    const [hot, b, c, d, e] = Array.from({ length: 5 }, () => sign(key, claims()));
    for (const tok of [hot, b, c, hot]) expect(allowsAnything(await outcome(t.authorizer, tokenEvent(tok)))).toBe(true);
    // WHEN two new tokens arrive
    for (const tok of [d, e]) await outcome(t.authorizer, tokenEvent(tok));
    // THEN the hot token is still answered from the cache, the never-hit ones were evicted
    const verifySync = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(hot)))).toBe(true);
    expect(verifySync).not.toHaveBeenCalled();
    expect(allowsAnything(await outcome(t.authorizer, tokenEvent(b)))).toBe(true);
    expect(verifySync).toHaveBeenCalledTimes(1);
  });

  test('TOKEN_CACHE_MAX_ENTRIES=0 disables the cache', async () => {
    const spy = jest.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
    const t = makeAuthorizer({ jwks: jwksOf(key), config: { tokenCacheMaxEntries: 0 } });
    const token = sign(key, claims());
    await outcome(t.authorizer, tokenEvent(token));
    await outcome(t.authorizer, tokenEvent(token));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('denied tokens are not cached', async () => {
    const t = makeAuthorizer({ jwks: jwksOf(key) });
    await outcome(t.authorizer, tokenEvent(sign(key, claims({ client_id: 'stranger' }))));
    expect(t.authorizer.tokenCache.size).toBe(0);
  });
});

describe('TokenCache', () => {
  /** 82 characters; distinct `i` give distinct 32-character suffixes (the map key). */
  const tok = (i: number) => `${'h'.repeat(20)}.${'p'.repeat(20)}.${String(i).padStart(40, 's')}`;
  /** A different token with the same 32-character suffix as `tok(i)`. */
  const forged = (i: number) => 'X' + tok(i).slice(1);
  const BYTES = tok(0).length + ENTRY_OVERHEAD_BYTES;
  const cached = (c: TokenCache<number>, n: number) => Array.from({ length: n }, (_, i) => c.get(tok(i)));

  describe('second-chance eviction', () => {
    test('an entry hit since it was stored survives inserts that evict never-hit entries', () => {
      const c = new TokenCache<number>({ maxEntries: 4, maxBytes: 1e6, now: () => 0 });
      for (const i of [0, 1, 2, 3]) c.set(tok(i), i, 1000);
      expect(c.get(tok(0))).toBe(0);
      expect(c.get(tok(2))).toBe(2);
      c.set(tok(4), 4, 1000);
      c.set(tok(5), 5, 1000);
      expect(c.size).toBe(4);
      expect(cached(c, 6)).toEqual([0, undefined, 2, undefined, 4, 5]);
    });

    test('the chance is spent: a spared entry is evicted when the walk comes round to it without another hit', () => {
      const c = new TokenCache<number>({ maxEntries: 3, maxBytes: 1e6, now: () => 0 });
      for (const i of [0, 1, 2]) c.set(tok(i), i, 1000);
      c.get(tok(2));
      c.get(tok(0));
      c.set(tok(3), 3, 1000); // 0 spared (flag cleared, requeued), 1 evicted: queue 2*, 0, 3
      c.set(tok(4), 4, 1000); // 2 spared, 0 evicted: an LRU would have evicted 2 (hit before 0)
      expect(cached(c, 5)).toEqual([undefined, undefined, 2, 3, 4]);
    });

    test('when every entry was hit, an insert clears every flag and evicts the oldest (the walk ends)', () => {
      const c = new TokenCache<number>({ maxEntries: 3, maxBytes: 1e6, now: () => 0 });
      for (const i of [0, 1, 2]) c.set(tok(i), i, 1000);
      for (const i of [2, 1, 0]) c.get(tok(i));
      c.set(tok(3), 3, 1000);
      // Flags were cleared by the walk: the next insert evicts 1, the oldest remaining, without a second pass.
      c.set(tok(4), 4, 1000);
      expect(c.size).toBe(3);
      expect(cached(c, 5)).toEqual([undefined, undefined, 2, 3, 4]);
    });

    test('the byte cap evicts as many entries as the new one needs, sparing hit ones', () => {
      const c = new TokenCache<number>({ maxEntries: 100, maxBytes: 4 * BYTES, now: () => 0 });
      for (const i of [0, 1, 2, 3]) c.set(tok(i), i, 1000);
      c.get(tok(1));
      c.set(tok(4), 4, 1000, 2 * BYTES); // needs three entries' worth of room: 0, 2 and 3 go, 1 is spared
      expect(cached(c, 5)).toEqual([undefined, 1, undefined, undefined, 4]);
      expect(c.totalBytes).toBe(4 * BYTES);
    });

    test('an entry past its exp is evicted before a never-hit one, even if it was hit', () => {
      let now = 0;
      const c = new TokenCache<number>({ maxEntries: 2, maxBytes: 1e6, now: () => now });
      c.set(tok(0), 0, 1000);
      c.set(tok(1), 1, 100);
      c.get(tok(0));
      c.get(tok(1));
      now = 150;
      c.set(tok(2), 2, 1000); // 0 spared; 1 expired: evicted although its flag was set
      expect(cached(c, 3)).toEqual([0, undefined, 2]);
    });

    test('a hit does not write the map (its cost cannot grow with the fill level)', () => {
      const c = new TokenCache<number>({ maxEntries: 100, maxBytes: 1e6, now: () => 0 });
      for (let i = 0; i < 50; i++) c.set(tok(i), i, 1000);
      const writes = [jest.spyOn(Map.prototype, 'set'), jest.spyOn(Map.prototype, 'delete'), jest.spyOn(Map.prototype, 'clear')];
      try {
        expect(c.get(tok(7))).toBe(7);
        expect(c.get(tok(7))).toBe(7);
        for (const w of writes) expect(w).not.toHaveBeenCalled();
      } finally {
        for (const w of writes) w.mockRestore();
      }
    });
  });

  test('an entry larger than the byte cap is not stored and evicts nothing', () => {
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 2 * BYTES, now: () => 0 });
    c.set(tok(0), 0, 1000);
    c.set(tok(1), 1, 1000, BYTES + 1);
    expect(cached(c, 2)).toEqual([0, undefined]);
    expect(c.totalBytes).toBe(BYTES);
  });

  test('maxEntries 0 stores nothing', () => {
    const c = new TokenCache<number>({ maxEntries: 0, maxBytes: 1e6, now: () => 0 });
    c.set(tok(0), 0, 1000);
    expect(c.get(tok(0))).toBeUndefined();
    expect([c.size, c.totalBytes]).toEqual([0, 0]);
  });

  test('clear empties the cache and its byte count', () => {
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => 0 });
    for (const i of [0, 1, 2]) c.set(tok(i), i, 1000);
    c.get(tok(3));
    c.clear();
    expect([c.size, c.totalBytes]).toEqual([0, 0]);
    expect(cached(c, 3)).toEqual([undefined, undefined, undefined]);
    c.set(tok(3), 3, 1000);
    expect([c.get(tok(3)), c.size, c.totalBytes]).toEqual([3, 1, BYTES]);
  });

  test('expiry is checked on every hit; an expired entry is removed', () => {
    let now = 0;
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => now });
    c.set(tok(1), 1, 100);
    now = 99;
    expect(c.get(tok(1))).toBe(1);
    now = 100;
    expect(c.get(tok(1))).toBeUndefined();
    expect([c.size, c.totalBytes]).toEqual([0, 0]);
  });

  test('checkAfter makes an entry a miss without dropping it; storing it again serves it again', () => {
    let now = 0;
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => now });
    c.set(tok(1), 1, 1000, 0, 50);
    expect(c.get(tok(1))).toBe(1);
    now = 50;
    expect(c.get(tok(1))).toBeUndefined();
    expect([c.size, c.totalBytes]).toEqual([1, BYTES]);
    expect(c.set(tok(1), 11, 1000, 0, 80)).toBe(false);
    expect(c.get(tok(1))).toBe(11);
    expect([c.size, c.totalBytes]).toEqual([1, BYTES]);
  });

  test('set tells a token the cache did not hold (true: a first sighting) from one it stores again (false)', () => {
    let now = 0;
    const c = new TokenCache<number>({ maxEntries: 1, maxBytes: 1e6, now: () => now });
    expect(c.set(tok(1), 1, 1000, 0, 50)).toBe(true);
    expect(c.set(tok(1), 1, 1000)).toBe(false);
    // Evicted by another token: held no more, so new again.
    expect(c.set(tok(2), 2, 1000)).toBe(true);
    expect(c.set(tok(1), 1, 1000)).toBe(true);
    // Expired and dropped by a lookup: new again.
    now = 1000;
    expect(c.get(tok(1))).toBeUndefined();
    expect(c.set(tok(1), 1, 2000)).toBe(true);
    // A different token sharing the 32-character suffix replaces the entry: new.
    expect(c.set(forged(1), 3, 2000)).toBe(true);
    // A cache that holds nothing (disabled, or the entry over the byte cap) reports every token as new.
    expect(new TokenCache<number>({ maxEntries: 0, maxBytes: 1e6 }).set(tok(1), 1, 1000)).toBe(true);
    const small = new TokenCache<number>({ maxEntries: 10, maxBytes: BYTES });
    expect([small.set(tok(1), 1, 1000, 1), small.set(tok(1), 1, 1000, 1)]).toEqual([true, true]);
  });

  test('a different token with the same 32-character suffix is a miss; storing it replaces the other', () => {
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => 0 });
    const a = tok(1);
    const suffix = a.slice(-32);
    c.set(a, 1, 1000);
    expect(c.get(forged(1))).toBeUndefined();
    expect(c.get(suffix)).toBeUndefined();
    expect(c.get(a)).toBe(1);
    c.set(forged(1), 2, 1000);
    expect(c.get(a)).toBeUndefined();
    expect(c.get(forged(1))).toBe(2);
    expect([c.size, c.totalBytes]).toEqual([1, BYTES]);
  });

  test('set after a miss on another token stores under the right key', () => {
    const c = new TokenCache<number>({ maxEntries: 10, maxBytes: 1e6, now: () => 0 });
    expect(c.get(tok(1))).toBeUndefined();
    c.set(tok(2), 2, 1000);
    expect(c.get(tok(1))).toBeUndefined();
    expect(c.get(tok(2))).toBe(2);
    c.set(tok(1), 1, 1000);
    expect(cached(c, 3)).toEqual([undefined, 1, 2]);
  });

  describe('under random operations (against a reference model)', () => {
    /** Second chance, written plainly: an array queue, oldest first. */
    class Model {
      readonly queue: { token: string; value: number; expiresAt: number; checkAfter?: number; bytes: number; referenced: boolean }[] = [];
      now = 0;
      constructor(readonly maxEntries: number, readonly maxBytes: number) {}
      get bytes(): number { return this.queue.reduce((s, e) => s + e.bytes, 0); }
      #index(token: string): number { return this.queue.findIndex((e) => e.token.slice(-32) === token.slice(-32)); }
      get(token: string): number | undefined {
        const i = this.#index(token);
        const e = this.queue[i];
        if (e === undefined || e.token !== token) return undefined;
        if (this.now >= e.expiresAt) {
          this.queue.splice(i, 1);
          return undefined;
        }
        if (e.checkAfter !== undefined && this.now >= e.checkAfter) return undefined;
        e.referenced = true;
        return e.value;
      }
      set(token: string, value: number, expiresAt: number, extra: number, checkAfter?: number): void {
        const bytes = token.length + extra + ENTRY_OVERHEAD_BYTES;
        if (this.maxEntries <= 0 || bytes > this.maxBytes) return;
        const i = this.#index(token);
        if (i >= 0) this.queue.splice(i, 1);
        while (this.queue.length >= this.maxEntries || this.bytes + bytes > this.maxBytes) {
          const e = this.queue.shift()!;
          if (e.referenced && this.now < e.expiresAt) {
            e.referenced = false;
            this.queue.push(e);
          }
        }
        this.queue.push({ token, value, expiresAt, checkAfter, bytes, referenced: false });
      }
    }

    // Few tokens (as few as the cap allows), so that gets hit and sets evict; forged ones (same suffix) now and then.
    const tokens = (n: number) => fc.oneof(
      { weight: 5, arbitrary: fc.nat(n).map(tok) },
      { weight: 1, arbitrary: fc.nat(n).map(forged) },
    );
    const opOver = (token: fc.Arbitrary<string>, clearWeight = 10) => fc.oneof(
      { weight: 100, arbitrary: fc.record({ kind: fc.constant('get' as const), token }) },
      {
        weight: 80,
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          token,
          ttl: fc.integer({ min: 1, max: 400 }),
          extra: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3 * BYTES) }),
          check: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined, freq: 3 }),
        }),
      },
      { weight: 20, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 60 }) }) },
      { weight: clearWeight, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    const op = opOver(tokens(6));
    type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
    const bounds = fc.record({
      maxEntries: fc.integer({ min: 0, max: 5 }),
      maxBytes: fc.integer({ min: BYTES - 1, max: 8 * BYTES }),
    });

    /** Runs `ops` on a cache and on the model; answers, size and bytes must agree after every operation, within the bounds. */
    function agrees({ maxEntries, maxBytes }: { maxEntries: number; maxBytes: number }, ops: Op[]): void {
      // Plain checks (thousands per run); fast-check reports the first that throws, with the shrunk operations.
      const check = (ok: boolean, what: () => string) => {
        if (!ok) throw new Error(what());
      };
      const m = new Model(maxEntries, maxBytes);
      const c = new TokenCache<number>({ maxEntries, maxBytes, now: () => m.now });
      let n = 0;
      ops.forEach((o, i) => {
        if (o.kind === 'get') {
          const [got, want] = [c.get(o.token), m.get(o.token)];
          check(got === want, () => `op ${i}: get answered ${got}, the model ${want}`);
        } else if (o.kind === 'set') {
          n++;
          const checkAfter = o.check === undefined ? undefined : m.now + o.check;
          c.set(o.token, n, m.now + o.ttl, o.extra, checkAfter);
          m.set(o.token, n, m.now + o.ttl, o.extra, checkAfter);
        } else if (o.kind === 'tick') {
          m.now += o.ms;
        } else {
          c.clear();
          m.queue.length = 0;
        }
        check(c.size === m.queue.length, () => `op ${i}: size ${c.size}, the model ${m.queue.length}`);
        check(c.totalBytes === m.bytes, () => `op ${i}: totalBytes ${c.totalBytes}, the model ${m.bytes}`);
        check(c.size <= Math.max(0, maxEntries) && c.totalBytes <= maxBytes, () => `op ${i}: ${c.size} entries, ${c.totalBytes} bytes: over a bound`);
      });
    }

    test('answers, size and bytes match the model; the entry and byte bounds hold after every operation', () => {
      fc.assert(fc.property(bounds, fc.array(op, { maxLength: 100 }), agrees), { numRuns: 500 });
    });

    test('the same over long runs without clear (the queue of spared and deleted entries is compacted many times)', () => {
      const longOp = op.filter((o) => o.kind !== 'clear');
      fc.assert(fc.property(bounds, fc.array(longOp, { minLength: 300, maxLength: 1500 }), agrees), { numRuns: 100 });
    });

    test('the same with caps of up to 60 entries (the queue grows and wraps round; a rare clear)', () => {
      const bigBounds = fc.record({ maxEntries: fc.integer({ min: 1, max: 60 }), maxBytes: fc.integer({ min: 10 * BYTES, max: 80 * BYTES }) });
      fc.assert(fc.property(bigBounds, fc.array(opOver(tokens(90), 1), { minLength: 300, maxLength: 1500 }), agrees), { numRuns: 60 });
    });

    test('a value is served only for the exact token it was stored for, before its exp and checkAfter', () => {
      fc.assert(fc.property(bounds, fc.array(op, { maxLength: 80 }), ({ maxEntries, maxBytes }, ops) => {
        let now = 0;
        const c = new TokenCache<number>({ maxEntries, maxBytes, now: () => now });
        const stored = new Map<number, { token: string; expiresAt: number; checkAfter?: number }>();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'get') {
            const v = c.get(o.token);
            if (v === undefined) continue;
            const s = stored.get(v)!;
            expect(s.token).toBe(o.token);
            expect(now).toBeLessThan(s.expiresAt);
            if (s.checkAfter !== undefined) expect(now).toBeLessThan(s.checkAfter);
          } else if (o.kind === 'set') {
            n++;
            const checkAfter = o.check === undefined ? undefined : now + o.check;
            stored.set(n, { token: o.token, expiresAt: now + o.ttl, checkAfter });
            c.set(o.token, n, now + o.ttl, o.extra, checkAfter);
          } else if (o.kind === 'tick') {
            now += o.ms;
          } else {
            c.clear();
          }
        }
      }), { numRuns: 300 });
    });
  });
});
