import { ClientCredentials, CredentialsLoader, configError, credentialsFromSecretString, loaderError, sameCredentials, validateCredentials } from './credentials';
import { TokenClientError, amend } from './errors';
import { KeyInfo, Telemetry, TokenClientEvent, TokenClientStats, TokenFetchedEvent, TokenFailure, TokenLifetime, keyInfo } from './events';
import { FetchFn, postOnce } from './http';
import { TokenMethod, buildRequest } from './methods';
import { backoffDelay } from './retry';

export interface TokenClientOptions {
  /**
   * The credentials, or a loader called when first needed. After an `invalid_client` answer the loader
   * is called again (with `{ refresh: true }`, one call shared by concurrent callers) and, when the
   * credentials it returns differ, the token is requested once more with them in the same call:
   * a rotated secret never fails a call once the new one can be read.
   */
  readonly credentials: ClientCredentials | CredentialsLoader;
  /** How to get tokens. @default the token endpoint when the credentials have a `tokenEndpoint`, else GetClientToken */
  readonly method?: TokenMethod;
  /** Scopes requested when a call names none. @default the credentials' `scope`, else none (every scope of the client) */
  readonly scopes?: readonly string[];
  /** Refresh once this fraction of a token's lifetime has passed. @default 0.75 */
  readonly refreshFraction?: number;
  /** Refresh at least this long before expiry (whichever point comes first). @default 60_000 */
  readonly refreshSkewMs?: number;
  /** Never hand out a token closer than this to its expiry. @default 5_000 */
  readonly expiryMarginMs?: number;
  /** Cached tokens (one per scope set), least recently used evicted first. @default 100 */
  readonly maxCacheEntries?: number;
  /** Requests per token, first one included. @default 4 */
  readonly maxAttempts?: number;
  /** Time allowed for one request, answer included. @default 5_000 */
  readonly attemptTimeoutMs?: number;
  /** Time allowed for all attempts of one token, waits and a re-read of the credentials included. @default 15_000 */
  readonly deadlineMs?: number;
  /** First backoff ceiling; doubles per attempt (full jitter). @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff ceiling. @default 5_000 */
  readonly maxDelayMs?: number;
  /** Largest wait honoured from a Retry-After header. @default 10_000 */
  readonly maxRetryAfterMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Waits between attempts. @default setTimeout (a pending retry keeps the process alive until the deadline; nothing runs between requests) */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
  /** The fetch used for token requests and by `fetchWithToken`. @default globalThis.fetch */
  readonly fetch?: FetchFn;
  /**
   * Called synchronously with each `TokenClientEvent` (a cache hit, a token fetched or refreshed in the
   * background, a failed fetch or refresh, a retry, an invalidation). Events carry the cache key, client id
   * and scopes, never the token or the secret. Whatever the hook throws, or its promise rejects with, is
   * dropped (and counted in `stats().hookErrors`); a returned promise is not awaited. A hook therefore never
   * fails a call, and delays it only by its own synchronous work: keep it cheap (count, buffer, enqueue).
   * @default none
   */
  readonly onEvent?: (event: TokenClientEvent) => void;
}

export interface TokenRequestOptions {
  /** Scopes for this call; order and duplicates do not matter. @default the client's `scopes` */
  readonly scopes?: readonly string[];
}

interface CachedToken {
  readonly accessToken: string;
  readonly refreshAt: number;
  /** Handed out until then: the expiry less `expiryMarginMs`. */
  readonly expiresAt: number;
  /** When its request was sent, and its lifetime from then. */
  readonly issuedAt: number;
  readonly lifetimeMs: number;
}

interface Entry {
  /** The key and identity events and `stats()` use. */
  readonly info: KeyInfo;
  token?: CachedToken;
  /** The last token was dropped by `invalidate` (the reason of the next `token-fetched` event). */
  invalidated?: boolean;
  inflight?: Promise<CachedToken>;
  /** After a failed background refresh, the next one waits until then. */
  backgroundPauseUntil?: number;
}

/**
 * A client-credentials token client with a cache per (client id, scope set):
 * one token request in flight per key, proactive refresh after `refreshFraction`
 * of the lifetime, retries with backoff, and `fetchWithToken` for calling the API.
 */
export class TokenClient {
  private readonly method?: TokenMethod;
  private readonly refreshFraction: number;
  private readonly refreshSkewMs: number;
  private readonly expiryMarginMs: number;
  private readonly maxCacheEntries: number;
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly fetchImpl: FetchFn;
  private readonly cache = new Map<string, Entry>();
  private readonly loader?: CredentialsLoader;
  private credentials?: Promise<ClientCredentials>;
  /** The re-read after `invalid_client`, shared by every caller refused with the same (stale) credentials. */
  private rereading?: { readonly stale: ClientCredentials; readonly fresh: Promise<ClientCredentials> };
  private readonly defaultScopes?: readonly string[];
  private readonly telemetry: Telemetry;

  constructor(options: TokenClientOptions) {
    this.method = options.method;
    this.refreshFraction = check('refreshFraction', options.refreshFraction ?? 0.75, (v) => v > 0 && v <= 1, 'in (0, 1]');
    this.refreshSkewMs = check('refreshSkewMs', options.refreshSkewMs ?? 60_000, (v) => v >= 0, '>= 0');
    this.expiryMarginMs = check('expiryMarginMs', options.expiryMarginMs ?? 5_000, (v) => v >= 0, '>= 0');
    this.maxCacheEntries = check('maxCacheEntries', options.maxCacheEntries ?? 100, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
    this.maxAttempts = check('maxAttempts', options.maxAttempts ?? 4, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
    this.attemptTimeoutMs = check('attemptTimeoutMs', options.attemptTimeoutMs ?? 5_000, (v) => v > 0, '> 0');
    this.deadlineMs = check('deadlineMs', options.deadlineMs ?? 15_000, (v) => v > 0, '> 0');
    this.baseDelayMs = check('baseDelayMs', options.baseDelayMs ?? 100, (v) => v >= 0, '>= 0');
    this.maxDelayMs = check('maxDelayMs', options.maxDelayMs ?? 5_000, (v) => v >= 0, '>= 0');
    this.maxRetryAfterMs = check('maxRetryAfterMs', options.maxRetryAfterMs ?? 10_000, (v) => v >= 0, '>= 0');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw configError('no fetch implementation: use Node.js 22 or later, or pass "fetch"');
    this.fetchImpl = fetchImpl;
    if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
      throw configError(`option "onEvent" must be a function, got ${typeof options.onEvent}`);
    }
    this.telemetry = new Telemetry(options.onEvent, this.now());
    this.defaultScopes = options.scopes;
    if (typeof options.credentials === 'function') {
      this.loader = options.credentials;
    } else {
      this.credentials = Promise.resolve(validateCredentials({ ...options.credentials }, 'credentials'));
    }
  }

  /**
   * An access token for the scopes: the cached one while it is fresh; after its refresh point and
   * before its expiry, the cached one while one background refresh runs; otherwise a new one
   * (one request however many callers wait for it).
   */
  public async getToken(options: TokenRequestOptions = {}): Promise<string> {
    const creds = await this.loadCredentials();
    const scopes = normalizeScopes(options.scopes ?? this.defaultScopes ?? creds.scope?.split(' ') ?? []);
    const entry = this.entryFor(creds.clientId, scopes);
    this.telemetry.call(entry.info);
    const now = this.now();
    const token = entry.token;
    if (token && now < token.expiresAt) {
      const refreshDue = now >= token.refreshAt;
      this.telemetry.record({ type: 'cache-hit', ...entry.info, at: now, refreshDue, expiresAt: token.issuedAt + token.lifetimeMs });
      if (refreshDue && !entry.inflight && now >= (entry.backgroundPauseUntil ?? 0)) {
        // Its failure pauses background refreshes (see refresh) and reaches no caller.
        this.refresh(entry, creds, scopes, undefined).catch(() => undefined);
      }
      return token.accessToken;
    }
    if (entry.inflight) return (await entry.inflight).accessToken;
    const reason = token ? 'expired' : entry.invalidated ? 'invalidated' : 'uncached';
    return (await this.refresh(entry, creds, scopes, reason)).accessToken;
  }

  /**
   * What this client did, per cache key (client id and scope set) and in total: calls, cache hits, tokens
   * fetched and refreshed, failures, retries and token requests. A service that builds one client per
   * request, or asks for a new scope set per call, shows `fetched` close to `calls` and no `cacheHits`.
   */
  public stats(): TokenClientStats {
    return this.telemetry.stats();
  }

  /**
   * Drops a token from the cache (every cached token when none is given), e.g. after the API
   * answered 401. Dropping a token that was already replaced does nothing, so concurrent callers
   * that saw the same 401 cause one new request, not one each.
   */
  public invalidate(accessToken?: string): void {
    for (const entry of this.cache.values()) {
      const dropped = entry.token;
      if (dropped && (accessToken === undefined || dropped.accessToken === accessToken)) {
        entry.token = undefined;
        entry.invalidated = true;
        this.telemetry.record({ type: 'token-invalidated', ...entry.info, at: this.now(), expiresAt: dropped.issuedAt + dropped.lifetimeMs });
      }
    }
  }

  /**
   * `fetch` with `Authorization: Bearer <token>`. On a 401 the token is invalidated and the call
   * is made once more with a new token (not on 403: the token is valid, its scopes do not reach).
   * A streamed body cannot be sent twice: then the 401 is returned as is.
   */
  public async fetchWithToken(url: string | URL, init: RequestInit = {}, options: TokenRequestOptions = {}): Promise<Response> {
    const token = await this.getToken(options);
    const res = await this.fetchImpl(url, withBearer(init, token));
    if (res.status !== 401 || !replayable(init.body)) return res;
    await res.body?.cancel().catch(() => undefined);
    this.invalidate(token);
    const fresh = await this.getToken(options);
    return this.fetchImpl(url, withBearer(init, fresh));
  }

  private entryFor(clientId: string, scopes: readonly string[]): Entry {
    const key = `${clientId}\n${scopes.join(' ')}`;
    let entry = this.cache.get(key);
    if (entry) {
      // Most recently used last: eviction takes from the front.
      this.cache.delete(key);
    } else {
      entry = { info: keyInfo(clientId, scopes) };
      for (const [k, e] of this.cache) {
        if (this.cache.size < this.maxCacheEntries) break;
        if (!e.inflight) this.cache.delete(k);
      }
    }
    this.cache.set(key, entry);
    return entry;
  }

  private loadCredentials(): Promise<ClientCredentials> {
    return this.credentials ?? this.readCredentials(false);
  }

  /** Calls the loader; the result is what later calls use, and a failed read is tried again on the next call. */
  private readCredentials(refresh: boolean): Promise<ClientCredentials> {
    const loader = this.loader!;
    const loading = (async () => {
      let value: string | ClientCredentials;
      try {
        value = await loader({ refresh });
      } catch (e) {
        throw loaderError(e);
      }
      return typeof value === 'string' ? credentialsFromSecretString(value) : validateCredentials({ ...value }, 'loaded credentials');
    })();
    this.credentials = loading;
    loading.catch(() => { if (this.credentials === loading) this.credentials = undefined; });
    return loading;
  }

  /** One re-read for every caller refused with these credentials, however many there are. */
  private reread(stale: ClientCredentials): Promise<ClientCredentials> {
    if (this.rereading?.stale !== stale) this.rereading = { stale, fresh: this.readCredentials(true) };
    return this.rereading.fresh;
  }

  /**
   * Fetches a token for the entry: for waiting callers (`reason` says why they wait) or, without a reason,
   * in the background. A failed background refresh pauses the next one for at least a second.
   */
  private refresh(entry: Entry, creds: ClientCredentials, scopes: readonly string[], reason: TokenFetchedEvent['reason'] | undefined): Promise<CachedToken> {
    const background = reason === undefined;
    const startedAt = this.now();
    const inflight = this.obtain(creds, scopes, entry.info, background).then(({ token, by, attempts }) => {
      // Credentials re-read for another client id: the token belongs under that id.
      const target = by.clientId === creds.clientId ? entry : this.entryFor(by.clientId, scopes);
      target.token = token;
      target.invalidated = false;
      target.backgroundPauseUntil = undefined;
      if (target !== entry) entry.token = undefined;
      const at = this.now();
      const lifetime: TokenLifetime = {
        lifetimeMs: token.lifetimeMs,
        expiresAt: token.issuedAt + token.lifetimeMs,
        refreshAt: token.refreshAt,
        attempts,
        durationMs: at - startedAt,
        rotated: by !== creds,
      };
      this.telemetry.record(reason === undefined
        ? { type: 'token-refreshed', ...target.info, at, ...lifetime }
        : { type: 'token-fetched', ...target.info, at, ...lifetime, reason });
      return token;
    }, (e: unknown) => {
      const at = this.now();
      const err = e instanceof TokenClientError ? e : undefined;
      const failure: TokenFailure = {
        code: err?.code ?? 'bad_response', status: err?.status, attempts: err?.attempts ?? 0, retryable: err?.retryable ?? false, durationMs: at - startedAt,
      };
      if (background) {
        const nextRefreshAt = at + Math.max(this.baseDelayMs, 1_000);
        entry.backgroundPauseUntil = nextRefreshAt;
        this.telemetry.record({ type: 'refresh-failed', ...entry.info, at, ...failure, nextRefreshAt });
      } else {
        this.telemetry.record({ type: 'fetch-failed', ...entry.info, at, ...failure });
      }
      throw e;
    }).finally(() => {
      if (entry.inflight === inflight) entry.inflight = undefined;
    });
    entry.inflight = inflight;
    return inflight;
  }

  /**
   * A token with these credentials; on `invalid_client` with loaded credentials, re-reads them and,
   * when they changed (a rotation), tries once more with the new ones within the same deadline.
   */
  private async obtain(creds: ClientCredentials, scopes: readonly string[], info: KeyInfo, background: boolean): Promise<Obtained> {
    const deadline = this.now() + this.deadlineMs;
    const on: ForKey = { info, background };
    try {
      return { ...await this.requestToken(creds, scopes, deadline, on, 0), by: creds };
    } catch (e) {
      if (!this.loader || !(e instanceof TokenClientError) || e.code !== 'invalid_client') throw e;
      // A failed re-read leaves the refusal as the answer; the next call reads again.
      const fresh = await this.reread(creds).catch(() => undefined);
      if (!fresh || sameCredentials(fresh, creds)) throw e;
      return { ...await this.requestToken(fresh, scopes, deadline, on, e.attempts, e), by: fresh };
    }
  }

  /**
   * Attempts with backoff until a token, a final refusal, `maxAttempts` or the deadline;
   * `before` requests were made already, the last of them failing with `last`.
   */
  private async requestToken(creds: ClientCredentials, scopes: readonly string[], deadline: number, on: ForKey,
    before: number, last?: TokenClientError): Promise<{ token: CachedToken; attempts: number }> {
    const request = buildRequest(this.method, creds, scopes);
    const endpoint = endpointOf(request.url);
    for (let attempt = 1; ; attempt++) {
      const sentAt = this.now();
      const left = deadline - sentAt;
      if (left <= 0) throw this.deadlineError(endpoint, before + attempt - 1, last);
      try {
        const answer = await postOnce(this.fetchImpl, request.url, request.headers, request.body,
          Math.min(this.attemptTimeoutMs, left), endpoint);
        const grant = request.interpret(answer, this.now());
        return { token: this.cached(grant.accessToken, grant.expiresInSeconds * 1000, sentAt), attempts: before + attempt };
      } catch (e) {
        const err = e instanceof TokenClientError ? e : new TokenClientError({ code: 'bad_response', cause: 'unexpected failure', endpoint });
        const made = before + attempt;
        // The deadline, not the attempt timeout, cut this attempt short.
        if (err.code === 'timeout' && left < this.attemptTimeoutMs) throw this.deadlineError(endpoint, made, undefined);
        if (!err.retryable || attempt >= this.maxAttempts) throw err.withAttempts(made);
        const wait = err.retryAfterMs !== undefined
          ? Math.min(err.retryAfterMs, this.maxRetryAfterMs)
          : backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random);
        if (this.now() + wait >= deadline) {
          throw amend(err, (init) => ({ attempts: made, cause: `${init.cause}; waiting ${wait} ms for another attempt would pass the ${this.deadlineMs} ms deadline` }));
        }
        last = err;
        this.telemetry.record({
          type: 'retry',
          ...on.info,
          at: this.now(),
          attempt: made,
          code: err.code,
          status: err.status,
          delayMs: wait,
          retryAfter: err.retryAfterMs !== undefined,
          background: on.background,
        });
        await this.sleep(wait);
      }
    }
  }

  private deadlineError(endpoint: string, attempts: number, last: TokenClientError | undefined): TokenClientError {
    const plural = attempts === 1 ? '' : 's';
    return new TokenClientError({
      code: 'timeout',
      cause: `no access token within the ${this.deadlineMs} ms deadline (${attempts} attempt${plural}${last ? `, the last one ended with ${last.code}` : ''})`,
      endpoint,
      status: last?.status,
      remoteError: last?.remoteError,
      attempts,
    });
  }

  /** Times count from when the request was sent, so a slow answer shortens the token's life here, never lengthens it. */
  private cached(accessToken: string, lifetimeMs: number, sentAt: number): CachedToken {
    const refreshAfter = Math.max(0, Math.min(lifetimeMs * this.refreshFraction, lifetimeMs - this.refreshSkewMs));
    const expiresAt = Math.max(sentAt + refreshAfter, sentAt + lifetimeMs - this.expiryMarginMs);
    return { accessToken, refreshAt: sentAt + refreshAfter, expiresAt, issuedAt: sentAt, lifetimeMs };
  }
}

/** Whose token a request is for, as retry events report it. */
interface ForKey {
  readonly info: KeyInfo;
  readonly background: boolean;
}

interface Obtained {
  readonly token: CachedToken;
  readonly attempts: number;
  /** The credentials that got it: the given ones, or those re-read after a refusal. */
  readonly by: ClientCredentials;
}

function check(name: string, value: number, ok: (v: number) => boolean, rule: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || !ok(value)) throw configError(`option "${name}" must be ${rule}, got ${value}`);
  return value;
}

function normalizeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((s) => s.trim()).filter(Boolean))].sort();
}

function endpointOf(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}

function replayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams
    || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof Blob || body instanceof FormData;
}

/**
 * Not unref'd: a caller is waiting for this retry, and a one-shot script must not exit under it.
 * It is bounded by the deadline; no timer exists between requests.
 */
function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
