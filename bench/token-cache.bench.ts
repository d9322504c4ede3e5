/**
 * Verified-token cache benchmark: the cost of a hit must not grow with the fill level.
 *
 *   npx ts-node --prefer-ts-exts bench/token-cache.bench.ts
 *
 * Measures, in the same run and interleaved, the shipped `TokenCache`
 * (second chance: a hit only sets a flag) and `LegacyTokenCache` (the previous
 * LRU, copied verbatim below: a hit deletes and re-inserts its map entry):
 *   - a hit on a repeated token, with the cache empty (that token only), half
 *     full and full. The caches are the authorizer's own, built by
 *     `createAuthorizer` with its defaults (checked to fill up at 10,000
 *     entries with these tokens: the entry cap binds, not the 32 MiB byte cap);
 *     the legacy caches get the same caps. Tokens are Cognito-like access
 *     tokens of about 930 characters with distinct signatures; each request
 *     looks up one of 16 copies of the token string, never the stored string
 *     object, as in the handler (it slices the token out of each event), so a
 *     hit compares the whole token;
 *   - a miss + set at full (the eviction path) on a stream of new tokens;
 *   - one insert right after every entry was hit (diagnostic: the new cache
 *     then clears every flag and requeues every entry in one pass before it
 *     evicts; the cost those hits deferred).
 * Each of ROUNDS rounds measures every case once, in an order rotated by one
 * per round (an implementation's three fill levels interleaved in chunks);
 * the figures are medians over rounds, and medians of per-round ratios.
 * Exits 1 when the shipped cache's hit at full costs more than 1.5x its hit
 * when empty (median of the per-round ratios).
 */
import * as crypto from 'crypto';
import { fmtRatio, median, msNow } from './stats';
import { createAuthorizer } from '../lambda/authorizer/authorizer';
import { routeTableOf } from '../lambda/authorizer/route-table';
import { StaticTenantResolver } from '../lambda/authorizer/tenant-resolver';
import { ENTRY_OVERHEAD_BYTES, TokenCache, TokenCacheOptions } from '../lambda/authorizer/token-cache';
import { planRouteTable } from '../lib/private/route-plan';

/** The authorizer's defaults: TOKEN_CACHE_MAX_ENTRIES (config.ts) and DEFAULT_CACHE_BYTES (authorizer.ts). */
const CAP = 10_000;
const CAP_BYTES = 32 * 1024 * 1024;
const ROUNDS = 15;
/** A sample lasts about TARGET_MS; a hit sample has at least MIN_HIT_OPS hits (the legacy cost is periodic: map rehashes). */
const TARGET_MS = 30;
/** A round's hit samples of one implementation are taken in this many chunks, fill levels alternating. */
const HIT_CHUNKS = 4;
const MIN_HIT_OPS = 20_000;
const MIN_MISS_OPS = 2_000;
/** Distinct string copies of the repeated token, looked up in turn. */
const COPIES = 16;
const MAX_RATIO = 1.5;
const USER_POOL_ID = 'us-east-1_BenchPool1';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`;
const SCOPES = ['https://api.acme.example/orders/read', 'https://api.acme.example/orders/write'];

// ---- The previous implementation, verbatim (lambda/authorizer/token-cache.ts before second-chance eviction). ----

interface CacheEntry<V> {
  /** The exact token: a hit requires equality with it. */
  readonly token: string;
  readonly value: V;
  /** Epoch ms after which the entry must never be served (the token's exp). */
  readonly expiresAt: number;
  /** Epoch ms after which the entry must be re-validated before use. */
  readonly checkAfter?: number;
  /** Bytes charged for this entry. */
  readonly bytes: number;
}

const KEY_CHARS = 32;

function keyOf(token: string): string {
  return token.length > KEY_CHARS ? token.slice(token.length - KEY_CHARS) : token;
}

export class LegacyTokenCache<V> {
  readonly #map = new Map<string, CacheEntry<V>>();
  #bytes = 0;
  /** The last token `get` missed, and its key: `set` after a miss reuses the key (no second slice and hash). */
  #missToken?: string;
  #missKey = '';
  readonly #now: () => number;
  readonly #options: TokenCacheOptions;

  constructor(options: TokenCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  public get size(): number { return this.#map.size; }
  public get totalBytes(): number { return this.#bytes; }

  /** The cached value, or undefined when absent, expired or due for a re-check. */
  public get(token: string): V | undefined {
    const key = keyOf(token);
    const e = this.#map.get(key);
    if (e === undefined || e.token !== token) {
      this.#missToken = token;
      this.#missKey = key;
      return undefined;
    }
    const now = this.#now();
    if (now >= e.expiresAt) {
      this.#delete(key, e);
      return undefined;
    }
    if (e.checkAfter !== undefined && now >= e.checkAfter) return undefined;
    // Refresh recency: Map keeps insertion order, the first key is the LRU one.
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }

  public set(token: string, value: V, expiresAt: number, extraBytes = 0, checkAfter?: number): void {
    if (this.#options.maxEntries <= 0) return;
    const bytes = token.length + extraBytes + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.#options.maxBytes) return;
    const key = token === this.#missToken ? this.#missKey : keyOf(token);
    this.#missToken = undefined;
    const old = this.#map.get(key);
    if (old) this.#delete(key, old);
    while (this.#map.size >= this.#options.maxEntries || this.#bytes + bytes > this.#options.maxBytes) {
      const first = this.#map.keys().next();
      if (first.done) break;
      this.#delete(first.value, this.#map.get(first.value)!);
    }
    this.#map.set(key, { token, value, expiresAt, checkAfter, bytes });
    this.#bytes += bytes;
  }

  public clear(): void {
    this.#missToken = undefined;
    this.#map.clear();
    this.#bytes = 0;
  }

  #delete(key: string, e: CacheEntry<V>): void {
    this.#map.delete(key);
    this.#bytes -= e.bytes;
  }
}

// ---- Benchmark. ----

interface Cache {
  readonly size: number;
  readonly totalBytes: number;
  get(token: string): unknown;
  set(token: string, value: unknown, expiresAt: number): void;
}

type Impl = 'new' | 'legacy';
const IMPLS: Impl[] = ['new', 'legacy'];
const IMPL_NAME: Record<Impl, string> = { new: 'TokenCache (second chance)', legacy: 'LegacyTokenCache (LRU)' };
type Level = 'empty' | 'half' | 'full';
const LEVELS: Level[] = ['empty', 'half', 'full'];
const OTHERS: Record<Level, number> = { empty: 0, half: CAP / 2, full: 2 * CAP };

function fmtTime(ns: number): string {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} us` : ns >= 1000 ? `${(ns / 1000).toFixed(2)} us` : `${ns.toFixed(0)} ns`;
}

/** A Cognito-like access token (RS256, kid, client-credentials claims) with a random 2048-bit signature. */
function mint(i: number, t0: number): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const clientId = `${i % 2 ? '5r1cl1ent' : '7gl0bex'}${crypto.randomBytes(10).toString('hex')}`.slice(0, 26);
  const header = b64({ kid: crypto.randomBytes(32).toString('base64'), alg: 'RS256' });
  const payload = b64({
    sub: clientId,
    token_use: 'access',
    scope: SCOPES.join(' '),
    auth_time: t0,
    iss: ISSUER,
    exp: t0 + 3600,
    iat: t0,
    version: 2,
    jti: crypto.randomUUID(),
    client_id: clientId,
  });
  return `${header}.${payload}.${crypto.randomBytes(256).toString('base64url')}`;
}

/** The authorizer's own verified-token cache, built with its defaults. */
function shippedCache(): Cache {
  const authorizer = createAuthorizer({
    userPoolId: USER_POOL_ID,
    tenants: new StaticTenantResolver(new Map([['client', 'tenant']])),
    routes: routeTableOf(planRouteTable({ scopes: SCOPES, routes: [{ method: 'GET', path: '/orders', scopes: [0], match: 'ANY_OF' }] })),
  });
  if (!(authorizer.tokenCache instanceof TokenCache)) throw new Error('the authorizer does not use TokenCache');
  return authorizer.tokenCache;
}

function makeCache(impl: Impl): Cache {
  return impl === 'new' ? shippedCache() : new LegacyTokenCache<unknown>({ maxEntries: CAP, maxBytes: CAP_BYTES });
}

function main(): number {
  const t0 = Math.floor(Date.now() / 1000);
  const expiresAt = (t0 + 3600) * 1000;
  const value = { clientId: 'client', tenantId: 'tenant' };
  process.stdout.write(`minting ${4 * CAP + 1} tokens... `);
  const fill = Array.from({ length: 2 * CAP }, (_, i) => mint(i, t0));
  const stream = Array.from({ length: 2 * CAP }, (_, i) => mint(i, t0));
  const hot = mint(-1, t0);
  const avgLen = fill.reduce((s, t) => s + t.length, 0) / fill.length;
  console.log(`done (average ${avgLen.toFixed(0)} characters)`);
  // Fresh string objects, as the handler gets per request (the cache must compare the whole token).
  const copies = Array.from({ length: COPIES }, () => Buffer.from(hot, 'latin1').toString('latin1'));

  // Hit caches: `OTHERS[level]` other tokens, then the repeated one (hit once). "full" saw 2 x CAP others: it has
  // evicted CAP of them already, as a cache in steady state has.
  const hitCaches = {} as Record<Impl, Record<Level, Cache>>;
  for (const impl of IMPLS) {
    hitCaches[impl] = {} as Record<Level, Cache>;
    for (const level of LEVELS) {
      const c = makeCache(impl);
      for (let i = 0; i < OTHERS[level]; i++) c.set(fill[i], value, expiresAt);
      if (c.get(hot) !== undefined) throw new Error('the repeated token was cached before it was stored');
      c.set(hot, value, expiresAt);
      if (c.get(copies[0]) !== value) throw new Error('the repeated token is not cached');
      hitCaches[impl][level] = c;
    }
  }
  const full = hitCaches.new.full;
  if (full.size !== CAP || hitCaches.legacy.full.size !== CAP) {
    throw new Error(`"full" is not full: ${full.size} and ${hitCaches.legacy.full.size} entries, expected ${CAP} (did the authorizer's default cap change?)`);
  }
  console.log(`caches: empty 1, half ${hitCaches.new.half.size}, full ${full.size} entries (${(full.totalBytes / 1024 / 1024).toFixed(1)} MiB charged of `
    + `${CAP_BYTES / 1024 / 1024} MiB: the entry cap binds)`);

  // Eviction caches: full, then a stream of new tokens (each a miss, then set); the stream is 2 x CAP long so a token
  // comes back only long after it was evicted. `worst` caches: every entry hit, then one insert.
  const evictCaches = {} as Record<Impl, { cache: Cache; next: number }>;
  const worstCaches = {} as Record<Impl, { cache: Cache; first: number; next: number }>;
  for (const impl of IMPLS) {
    const e = makeCache(impl);
    const w = makeCache(impl);
    for (let i = 0; i < CAP; i++) {
      e.set(stream[i], value, expiresAt);
      w.set(fill[i], value, expiresAt);
    }
    evictCaches[impl] = { cache: e, next: CAP };
    worstCaches[impl] = { cache: w, first: 0, next: CAP };
  }

  const hits = (c: Cache, ops: number): number => {
    const start = msNow();
    for (let i = 0; i < ops; i++) {
      if (c.get(copies[i % COPIES]) !== value) throw new Error('expected a hit');
    }
    return ((msNow() - start) * 1e6) / ops;
  };
  const missSets = (impl: Impl, ops: number): number => {
    const s = evictCaches[impl];
    const c = s.cache;
    const start = msNow();
    for (let i = 0; i < ops; i++) {
      const t = stream[s.next];
      s.next = (s.next + 1) % stream.length;
      if (c.get(t) !== undefined) throw new Error('expected a miss');
      c.set(t, value, expiresAt);
    }
    const ns = ((msNow() - start) * 1e6) / ops;
    if (c.size !== CAP) throw new Error(`eviction cache holds ${c.size} entries, expected ${CAP}`);
    return ns;
  };
  /** Hits every entry (the CAP tokens fill[first .. first + CAP), cyclically), then times one insert. */
  const insertAfterHits = (impl: Impl): number => {
    const s = worstCaches[impl];
    for (let i = 0; i < CAP; i++) {
      if (s.cache.get(fill[(s.first + i) % fill.length]) !== value) throw new Error('expected every entry cached');
    }
    const t = fill[s.next];
    const start = msNow();
    s.cache.set(t, value, expiresAt);
    const ns = (msNow() - start) * 1e6;
    // Both evict the oldest token: the new cache after requeueing every other one (their flags now clear).
    s.first = (s.first + 1) % fill.length;
    s.next = (s.next + 1) % fill.length;
    return ns;
  };

  type Case = { name: string; run: (ops: number) => number; minOps: number; ops: number; samples: number[] };
  const cases: Case[] = [];
  const hitCase = {} as Record<Impl, Record<Level, Case>>;
  const missCase = {} as Record<Impl, Case>;
  const worstCase = {} as Record<Impl, Case>;
  for (const impl of IMPLS) {
    hitCase[impl] = {} as Record<Level, Case>;
    for (const level of LEVELS) {
      const c = hitCaches[impl][level];
      hitCase[impl][level] = { name: `${impl} hit ${level}`, run: (ops) => hits(c, ops), minOps: MIN_HIT_OPS, ops: 0, samples: [] };
      cases.push(hitCase[impl][level]);
    }
    missCase[impl] = { name: `${impl} miss+set`, run: (ops) => missSets(impl, ops), minOps: MIN_MISS_OPS, ops: 0, samples: [] };
    worstCase[impl] = { name: `${impl} insert after hits`, run: () => insertAfterHits(impl), minOps: 1, ops: 1, samples: [] };
    cases.push(missCase[impl], worstCase[impl]);
  }

  // Warm-up and calibration: ops per sample for about TARGET_MS (at least minOps); the second pass runs optimized code.
  for (let pass = 0; pass < 2; pass++) {
    for (const k of cases) {
      if (k.minOps === 1) {
        for (let i = 0; i < 2; i++) k.run(1);
        continue;
      }
      let ops = 1_000;
      let ns = k.run(ops);
      while ((ns * ops) / 1e6 < 5) {
        ops *= 2;
        ns = k.run(ops);
      }
      k.ops = Math.max(k.minOps, Math.ceil((TARGET_MS * 1e6) / ns));
    }
  }

  // A round runs six units in an order rotated by one per round: each implementation's hits (its three fill levels
  // interleaved in HIT_CHUNKS chunks, level order rotated too, so that a burst of load on this shared machine hits the
  // three alike), each miss + set, each insert after hits.
  const hitUnit = (impl: Impl, r: number) => {
    const order = LEVELS.map((_, j) => LEVELS[(j + r) % LEVELS.length]);
    const ns: Record<Level, number> = { empty: 0, half: 0, full: 0 };
    const chunkOps = (level: Level) => Math.ceil(hitCase[impl][level].ops / HIT_CHUNKS);
    for (let c = 0; c < HIT_CHUNKS; c++) {
      for (const level of order) ns[level] += hitCase[impl][level].run(chunkOps(level)) * chunkOps(level);
    }
    for (const level of LEVELS) hitCase[impl][level].samples.push(ns[level] / (chunkOps(level) * HIT_CHUNKS));
  };
  const sample = (k: Case) => () => { k.samples.push(k.run(k.ops)); };
  const units: ((r: number) => void)[] = [
    ...IMPLS.map((impl) => (r: number) => hitUnit(impl, r)),
    ...IMPLS.map((impl) => sample(missCase[impl])),
    ...IMPLS.map((impl) => sample(worstCase[impl])),
  ];
  const start = msNow();
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < units.length; j++) units[(j + r) % units.length](r);
  }
  const seconds = (msNow() - start) / 1000;

  const med = (k: Case) => median(k.samples);
  /** Median over rounds of the per-round ratio a/b (a round measures both within a few tens of ms). */
  const paired = (a: Case, b: Case) => median(a.samples.map((x, i) => x / b.samples[i]));
  const col = (s: string, w: number) => s.padEnd(w);
  console.log(`\nhit on a repeated token, per request (median of ${ROUNDS} rounds; hits per sample, empty/half/full: `
    + `${IMPLS.map((i) => `${i} ${LEVELS.map((l) => hitCase[i][l].ops).join('/')}`).join(', ')}):`);
  console.log(`  ${col('', 28)}${col('empty', 11)}${col(`half (${CAP / 2})`, 13)}${col(`full (${CAP})`, 14)}`
    + `${col('full/empty', 12)}${col('half/empty', 12)}per-round ratios: full/empty, half/empty (median)`);
  for (const impl of IMPLS) {
    const h = hitCase[impl];
    console.log(`  ${col(IMPL_NAME[impl], 28)}${col(fmtTime(med(h.empty)), 11)}${col(fmtTime(med(h.half)), 13)}${col(fmtTime(med(h.full)), 14)}`
      + `${col(fmtRatio(med(h.full) / med(h.empty)), 12)}${col(fmtRatio(med(h.half) / med(h.empty)), 12)}`
      + `${fmtRatio(paired(h.full, h.empty))}, ${fmtRatio(paired(h.half, h.empty))}`);
  }
  console.log(`  hit at full, legacy/new: ${fmtRatio(med(hitCase.legacy.full) / med(hitCase.new.full))}; `
    + `hit when empty, legacy/new: ${fmtRatio(med(hitCase.legacy.empty) / med(hitCase.new.empty))}`);
  console.log(`miss + set at full (eviction path, new token each time): new ${fmtTime(med(missCase.new))}, legacy ${fmtTime(med(missCase.legacy))} `
    + `(new/legacy ${fmtRatio(paired(missCase.new, missCase.legacy))} per round, median; ${missCase.new.ops}/${missCase.legacy.ops} ops per sample)`);
  console.log(`one insert right after all ${CAP} entries were hit (diagnostic): new ${fmtTime(med(worstCase.new))} `
    + `(max ${fmtTime(Math.max(...worstCase.new.samples))}; requeues ${CAP - 1} entries), legacy ${fmtTime(med(worstCase.legacy))} `
    + `(max ${fmtTime(Math.max(...worstCase.legacy.samples))})`);
  console.log(`measured in ${seconds.toFixed(1)} s`);

  // The gate is the per-round ratio: the three fill levels of a round are measured interleaved, so load on this
  // shared machine moves them alike, whereas a ratio of medians taken across rounds can pick different load phases.
  const ratio = paired(hitCase.new.full, hitCase.new.empty);
  const verdict = `hit at full / hit when empty = ${fmtRatio(ratio)} (median of ${ROUNDS} per-round ratios; limit ${MAX_RATIO}x)`;
  if (ratio > MAX_RATIO) {
    console.log(`FAIL: ${verdict}`);
    return 1;
  }
  console.log(`OK: ${verdict}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.log(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 2;
}
