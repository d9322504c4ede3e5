/**
 * Cache of verified tokens: exact token string → the authorizer's answer.
 *
 * A hit skips signature verification entirely. Entries never outlive the
 * token's `exp` (the clock is checked on every hit), and the cache is bounded
 * by entries and by bytes. `checkAfter` is the hook for status checks with a
 * short TTL (a tenant registry): past it, `get` reports a miss so the caller
 * re-validates.
 *
 * Eviction is second chance (CLOCK): a hit only sets the entry's `referenced`
 * flag, so its cost does not depend on how full the cache is (the map is never
 * written on a hit). Entries wait in a queue in the order they were inserted.
 * When an insert would exceed a bound, the queue is examined from its oldest
 * entry: an unreferenced entry (or one whose token has expired) is evicted; a
 * referenced one has its flag cleared and is requeued behind the newest entry,
 * so it is evicted when the examination comes round to it again unless it was
 * hit in between. Every examination either evicts or clears a flag and no
 * flag is set while inserting, so an insert ends within one pass over the
 * entries, even when every entry was referenced. New entries, and entries
 * stored again (re-validated), start unreferenced at the back of the queue.
 *
 * Lookups hash only the last 32 characters of the token (its signature,
 * 192 bits) and then compare the whole token, so the cache is keyed by the
 * exact token string while a miss does not hash a kilobyte of text. A crafted
 * token sharing that suffix is a miss (and is verified); storing it only
 * replaces the other entry.
 */

export interface CacheEntry<V> {
  /** The map key: the token's last 32 characters. */
  readonly key: string;
  /** The exact token: a hit requires equality with it. */
  readonly token: string;
  readonly value: V;
  /** Epoch ms after which the entry must never be served (the token's exp). */
  readonly expiresAt: number;
  /** Epoch ms after which the entry must be re-validated before use. */
  readonly checkAfter?: number;
  /** Bytes charged for this entry. */
  readonly bytes: number;
  /** Set by a hit, cleared when eviction spares the entry. */
  referenced: boolean;
  /** The entry's slot in the eviction queue. */
  pos: number;
}

export interface TokenCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly now?: () => number;
}

/** Bytes charged per entry on top of the token itself (map slot, entry object, shared-answer reference). */
export const ENTRY_OVERHEAD_BYTES = 256;
const KEY_CHARS = 32;
/** Initial slots of the eviction queue (it doubles as needed). */
const INITIAL_SLOTS = 16;

function keyOf(token: string): string {
  return token.length > KEY_CHARS ? token.slice(token.length - KEY_CHARS) : token;
}

function emptySlots<T>(n: number): (T | undefined)[] {
  return Array.from({ length: n }, () => undefined);
}

export class TokenCache<V> {
  readonly #map = new Map<string, CacheEntry<V>>();
  /**
   * The eviction queue: a ring of slots, of which the `#used` from `#head` (the oldest entry) on are in use. An
   * entry's slot is its `pos`; a deleted entry leaves its slot empty until the walk or a compaction passes it. Not the map's own order:
   * sparing an entry requeues it without a map write and without allocating, and finding the oldest entry does not
   * iterate the map (a map iterator rescans the holes deletions leave at its start).
   */
  #ring = emptySlots<CacheEntry<V>>(INITIAL_SLOTS);
  #head = 0;
  #used = 0;
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
    if (e === undefined || e.token !== token) return this.#miss(token, key);
    const now = this.#now();
    if (now >= e.expiresAt) {
      this.#delete(e);
      return this.#miss(token, key);
    }
    if (e.checkAfter !== undefined && now >= e.checkAfter) return this.#miss(token, key);
    // A hit writes one field of the entry, never the map: its cost is the same at any fill level.
    if (!e.referenced) e.referenced = true;
    return e.value;
  }

  /**
   * Stores the token's value. Returns false when the exact token had an entry
   * (stored again after a re-check), true otherwise: a token the cache did not
   * know, or one it cannot hold.
   */
  public set(token: string, value: V, expiresAt: number, extraBytes = 0, checkAfter?: number): boolean {
    const { maxEntries, maxBytes } = this.#options;
    const bytes = token.length + extraBytes + ENTRY_OVERHEAD_BYTES;
    if (maxEntries <= 0 || bytes > maxBytes) return true;
    const key = token === this.#missToken ? this.#missKey : keyOf(token);
    this.#missToken = undefined;
    const old = this.#map.get(key);
    if (old) this.#delete(old);
    if (this.#map.size >= maxEntries || this.#bytes + bytes > maxBytes) this.#evict(bytes);
    const e: CacheEntry<V> = { key, token, value, expiresAt, checkAfter, bytes, referenced: false, pos: 0 };
    this.#map.set(key, e);
    this.#enqueue(e);
    this.#bytes += bytes;
    return old?.token !== token;
  }

  public clear(): void {
    this.#missToken = undefined;
    this.#map.clear();
    this.#ring = emptySlots(INITIAL_SLOTS);
    this.#head = 0;
    this.#used = 0;
    this.#bytes = 0;
  }

  #miss(token: string, key: string): undefined {
    this.#missToken = token;
    this.#missKey = key;
    return undefined;
  }

  /** Makes room for one entry of `bytes`: second chance, from the oldest entry of the queue. */
  #evict(bytes: number): void {
    const { maxEntries, maxBytes } = this.#options;
    const now = this.#now();
    // Each entry is spared at most once per walk: its flag is cleared and no flag is set during the walk, so the
    // walk meets it again unreferenced (after every other entry) and ends within one pass even when every entry was
    // referenced. The counter and the queue's length also bound the loop outright: at most `size` entries are spared.
    let spared = 0;
    while ((this.#map.size >= maxEntries || this.#bytes + bytes > maxBytes) && this.#used > 0) {
      const e = this.#ring[this.#head];
      this.#ring[this.#head] = undefined;
      this.#head = this.#head + 1 === this.#ring.length ? 0 : this.#head + 1;
      this.#used--;
      if (e === undefined) continue; // the slot of a deleted entry
      if (e.referenced && now < e.expiresAt && spared < this.#map.size) {
        spared++;
        e.referenced = false;
        this.#enqueue(e); // requeued behind the newest entry
      } else {
        this.#map.delete(e.key);
        this.#bytes -= e.bytes;
      }
    }
  }

  #enqueue(e: CacheEntry<V>): void {
    if (this.#used === this.#ring.length) this.#makeRoom();
    let pos = this.#head + this.#used;
    if (pos >= this.#ring.length) pos -= this.#ring.length;
    this.#ring[pos] = e;
    e.pos = pos;
    this.#used++;
  }

  /**
   * Drops the empty slots in place (the order kept), then doubles the ring if more than half of it is still taken:
   * a full ring is at least half free afterwards, so the work is paid for by the enqueues that filled it.
   */
  #makeRoom(): void {
    const ring = this.#ring;
    let n = 0;
    for (let i = 0; i < this.#used; i++) {
      const from = (this.#head + i) % ring.length;
      const e = ring[from];
      if (e === undefined) continue;
      ring[from] = undefined;
      e.pos = (this.#head + n++) % ring.length;
      ring[e.pos] = e;
    }
    this.#used = n;
    if (2 * n <= ring.length) return;
    const bigger = emptySlots<CacheEntry<V>>(2 * ring.length);
    for (let i = 0; i < n; i++) {
      const e = ring[(this.#head + i) % ring.length]!;
      e.pos = i;
      bigger[i] = e;
    }
    this.#ring = bigger;
    this.#head = 0;
  }

  #delete(e: CacheEntry<V>): void {
    this.#map.delete(e.key);
    this.#ring[e.pos] = undefined;
    this.#bytes -= e.bytes;
  }
}
