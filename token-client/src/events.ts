import { createHash } from 'crypto';
import { TokenClientErrorCode } from './errors';

/**
 * What every event says about the token it concerns: which client and scope set, never the token,
 * the secret or anything computed from them.
 */
export interface TokenEventBase {
  /**
   * The cache key: the first 12 hex digits of SHA-256 over the client id, a line feed and the sorted scopes
   * joined by spaces (`cacheKeyOf`). The same in every process and container, so logs of many can be grouped by it.
   */
  readonly cacheKey: string;
  readonly clientId: string;
  /** Sorted and de-duplicated; empty when the client asks for every scope it has. */
  readonly scopes: readonly string[];
  /** When it happened, on the client's clock (its `now` option), in milliseconds since the epoch. */
  readonly at: number;
}

/** What a new token is known by: when it was issued, how long it lives and when the client refreshes it. */
export interface TokenLifetime {
  /** `expires_in` (or `ExpiresIn`) of the answer, in milliseconds. */
  readonly lifetimeMs: number;
  /** When the token expires, counted from when its request was sent. */
  readonly expiresAt: number;
  /** When the client starts refreshing it in the background. */
  readonly refreshAt: number;
  /** Token requests it took, first one included (also the refused one before a secret rotation). */
  readonly attempts: number;
  /** From the first request to the token, waits between attempts included. */
  readonly durationMs: number;
  /** The token came with credentials the loader returned after an `invalid_client` refusal (a rotated secret). */
  readonly rotated: boolean;
}

/** A call was answered from the cache at once. */
export interface TokenCacheHitEvent extends TokenEventBase {
  readonly type: 'cache-hit';
  /** The token has passed its refresh point: a background refresh runs, or will after a failed one's pause. */
  readonly refreshDue: boolean;
  /** When the handed-out token expires. */
  readonly expiresAt: number;
}

/** A new token that callers waited for. */
export interface TokenFetchedEvent extends TokenEventBase, TokenLifetime {
  readonly type: 'token-fetched';
  /** Why callers had to wait: nothing cached for the key (a first call, or evicted), the cached token expired, or it was invalidated. */
  readonly reason: 'uncached' | 'expired' | 'invalidated';
}

/** A new token fetched in the background while callers kept getting the cached one. */
export interface TokenRefreshedEvent extends TokenEventBase, TokenLifetime {
  readonly type: 'token-refreshed';
}

/** What failed: the error's stable code and HTTP status, never its message. */
export interface TokenFailure {
  readonly code: TokenClientErrorCode;
  /** HTTP status of the last answer, if there was one. */
  readonly status?: number;
  /** Token requests made (0 when none could be sent, e.g. a `config` error). */
  readonly attempts: number;
  readonly retryable: boolean;
  readonly durationMs: number;
}

/** Callers waited and got an error (the `TokenClientError` with the same code). */
export interface TokenFetchFailedEvent extends TokenEventBase, TokenFailure {
  readonly type: 'fetch-failed';
}

/** A background refresh failed; callers keep getting the cached token until it expires. */
export interface TokenRefreshFailedEvent extends TokenEventBase, TokenFailure {
  readonly type: 'refresh-failed';
  /** No other background refresh starts before then. */
  readonly nextRefreshAt: number;
}

/** A token request failed and another will be sent after a wait. */
export interface TokenRetryEvent extends TokenEventBase {
  readonly type: 'retry';
  /** The number of the attempt that failed, from 1. */
  readonly attempt: number;
  readonly code: TokenClientErrorCode;
  readonly status?: number;
  /** The wait before the next attempt. */
  readonly delayMs: number;
  /** The wait is the server's `Retry-After` (capped by `maxRetryAfterMs`), not the backoff. */
  readonly retryAfter: boolean;
  /** The request belongs to a background refresh. */
  readonly background: boolean;
}

/** A cached token was dropped by `invalidate` (`fetchWithToken` does so after a 401). */
export interface TokenInvalidatedEvent extends TokenEventBase {
  readonly type: 'token-invalidated';
  readonly expiresAt: number;
}

/**
 * What the token client reports to its `onEvent` hook, told apart by `type`. New types may be added:
 * a hook should ignore types it does not know.
 */
export type TokenClientEvent = TokenCacheHitEvent | TokenFetchedEvent | TokenRefreshedEvent
| TokenFetchFailedEvent | TokenRefreshFailedEvent | TokenRetryEvent | TokenInvalidatedEvent;

/** How often each thing happened, per cache key or in total. */
export interface TokenCounts {
  /** Calls (`getToken`, `fetchWithToken`) that got as far as the cache: hits, and callers that waited for a token. */
  readonly calls: number;
  readonly cacheHits: number;
  /** Tokens callers waited for (`token-fetched`). */
  readonly fetched: number;
  /** Tokens fetched in the background (`token-refreshed`). */
  readonly refreshed: number;
  readonly fetchFailed: number;
  readonly refreshFailed: number;
  readonly retries: number;
  /** Token requests sent by finished fetches and refreshes, failed ones included: what counts against Cognito's quota. */
  readonly requests: number;
  readonly invalidated: number;
}

/** The counts of one cache key. */
export interface TokenKeyStats extends TokenCounts {
  readonly cacheKey: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** What `TokenClient.stats()` returns. */
export interface TokenClientStats {
  /** When this client started counting (its construction), on its clock. */
  readonly since: number;
  /** Everything counted since then, evicted keys included. */
  readonly totals: TokenCounts;
  /** Per cache key, least recently used first; the 1,000 most recently used keys are kept. */
  readonly keys: readonly TokenKeyStats[];
  /** Times the `onEvent` hook threw or its promise rejected (the errors are dropped). */
  readonly hookErrors: number;
}

/** Which client and scope set a cache entry holds, with its public key. */
export interface KeyInfo {
  readonly cacheKey: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/**
 * The cache key events and `stats()` use: the first 12 hex digits of SHA-256 over the client id, a line feed
 * and the sorted, de-duplicated scopes joined by spaces. It says which client and scope set without the
 * secret; compute it for a client id to find that client's lines.
 */
export function cacheKeyOf(clientId: string, scopes: readonly string[]): string {
  const set = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))].sort();
  return createHash('sha256').update(`${clientId}\n${set.join(' ')}`).digest('hex').slice(0, 12);
}

/** Per-key stats kept at most. */
const MAX_KEYS = 1_000;

type Counter = { -readonly [K in keyof TokenCounts]: number };

function zero(): Counter {
  return { calls: 0, cacheHits: 0, fetched: 0, refreshed: 0, fetchFailed: 0, refreshFailed: 0, retries: 0, requests: 0, invalidated: 0 };
}

/** Which counter an event moves, and by how much the requests counter grows. */
const COUNTED: Readonly<Record<TokenClientEvent['type'], keyof TokenCounts>> = {
  'cache-hit': 'cacheHits',
  'token-fetched': 'fetched',
  'token-refreshed': 'refreshed',
  'fetch-failed': 'fetchFailed',
  'refresh-failed': 'refreshFailed',
  'retry': 'retries',
  'token-invalidated': 'invalidated',
};

/**
 * The client's counters and its hook. Counts come from the events themselves, so `stats()` and what a
 * hook saw always agree. The hook is called synchronously; whatever it throws (or its promise rejects
 * with) is dropped and counted, and its promise is never awaited.
 */
export class Telemetry {
  private readonly keys = new Map<string, { info: KeyInfo; counts: Counter }>();
  private readonly totals = zero();
  private hookErrors = 0;

  constructor(private readonly hook: ((event: TokenClientEvent) => unknown) | undefined, private readonly since: number) {}

  public call(info: KeyInfo): void {
    this.countsOf(info).calls++;
    this.totals.calls++;
  }

  public record(event: TokenClientEvent): void {
    const counts = this.countsOf(event);
    const field = COUNTED[event.type];
    counts[field]++;
    this.totals[field]++;
    if ('attempts' in event) {
      counts.requests += event.attempts;
      this.totals.requests += event.attempts;
    }
    if (!this.hook) return;
    try {
      const result = this.hook(Object.freeze(event));
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, () => { this.hookErrors++; });
      }
    } catch {
      this.hookErrors++;
    }
  }

  public stats(): TokenClientStats {
    return {
      since: this.since,
      totals: { ...this.totals },
      keys: [...this.keys.values()].map(({ info, counts }) => ({ cacheKey: info.cacheKey, clientId: info.clientId, scopes: info.scopes, ...counts })),
      hookErrors: this.hookErrors,
    };
  }

  private countsOf(info: KeyInfo): Counter {
    let kept = this.keys.get(info.cacheKey);
    if (kept) {
      this.keys.delete(info.cacheKey);
    } else {
      kept = { info: { cacheKey: info.cacheKey, clientId: info.clientId, scopes: info.scopes }, counts: zero() };
      if (this.keys.size >= MAX_KEYS) this.keys.delete(this.keys.keys().next().value!);
    }
    // Most recently used last, so the oldest goes first.
    this.keys.set(info.cacheKey, kept);
    return kept.counts;
  }
}

/** The public key and identity of a cache entry; `scopes` are already sorted and de-duplicated. */
export function keyInfo(clientId: string, scopes: readonly string[]): KeyInfo {
  return { cacheKey: cacheKeyOf(clientId, scopes), clientId, scopes: Object.freeze([...scopes]) };
}
