/**
 * Cache of verified tokens: exact token string → the authorizer's answer.
 *
 * A hit skips signature verification entirely. Entries never outlive the
 * token's `exp` (the clock is checked on every hit), the cache is bounded by
 * entries and by bytes, and the least recently used entry goes first.
 * `checkAfter` is the hook for status checks with a short TTL (a tenant
 * registry): past it, `get` reports a miss so the caller re-validates.
 *
 * Lookups hash only the last 32 characters of the token (its signature,
 * 192 bits) and then compare the whole token, so the cache is keyed by the
 * exact token string while a miss does not hash a kilobyte of text. A crafted
 * token sharing that suffix is a miss (and is verified); storing it only
 * replaces the other entry.
 */

export interface CacheEntry<V> {
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

export interface TokenCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly now?: () => number;
}

/** Bytes charged per entry on top of the token itself (map slot, entry object, shared-answer reference). */
export const ENTRY_OVERHEAD_BYTES = 256;
const KEY_CHARS = 32;

function keyOf(token: string): string {
  return token.length > KEY_CHARS ? token.slice(token.length - KEY_CHARS) : token;
}

export class TokenCache<V> {
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
