import { configError } from './credentials';
import { TokenClientEvent } from './events';

/** Options of `emfMetrics`. */
export interface EmfMetricsOptions {
  /** The CloudWatch namespace: 1 to 255 ASCII characters, not starting with `:` or `AWS/`. */
  readonly namespace: string;
  /**
   * Dimensions of every metric, as name and value. Keep them few and fixed for the process (the service, the
   * stage): each combination is a custom metric that CloudWatch bills. Never a value per tenant, client or
   * request, unless the service uses a single client. At most 30.
   * @default none: each metric once per namespace
   */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * Where each line goes.
   * @default a line on standard output through `process.stdout.write`, not `console.log`, which Lambda's JSON log
   * format wraps in its own JSON, where CloudWatch no longer finds the metrics.
   */
  readonly write?: (line: string) => void;
  /** The lines' `Timestamp`, in milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

/** What `emfMetrics` returns: a hook for `TokenClient`'s `onEvent`, and `flush` to write what it counted. */
export interface EmfMetrics {
  /** Counts an event per cache key; writes nothing (see `flush`). */
  readonly onEvent: (event: TokenClientEvent) => void;
  /**
   * Writes one EMF line per cache key that had events since the last flush, and forgets them; returns the
   * number of lines. Call it at the end of every Lambda invocation (in a `finally`), or on an interval in a
   * long-running service.
   */
  flush(): number;
}

/** The metrics of a line, all `Count` but the fetch time. */
const EMF_COUNT_METRICS = {
  'cache-hit': 'TokenCacheHit',
  'token-fetched': 'TokenFetched',
  'token-refreshed': 'TokenRefreshed',
  'fetch-failed': 'TokenFetchFailed',
  'refresh-failed': 'TokenRefreshFailed',
  'retry': 'TokenRetry',
  'token-invalidated': 'TokenInvalidated',
} as const satisfies Record<TokenClientEvent['type'], string>;

/**
 * The CloudWatch Logs Insights query, over the consumer's log group, that shows a "token per call" bug (a
 * `TokenClient` built per request, or a new scope set per call): per client id and 5 minutes, tokens that callers
 * waited for against cache hits, containers (log streams) and scope sets. A healthy service fetches about one
 * token per container per token lifetime and serves the rest from its cache; a token per call shows `fetched`
 * close to the calls, `cacheHits` near zero and `fetched` far above `containers`.
 */
export const TOKEN_PER_CALL_QUERY = [
  'filter ispresent(TokenFetched)',
  '| stats sum(TokenFetched) as fetched, sum(TokenCacheHit) as cacheHits, sum(TokenRequests) as requests, '
    + 'count_distinct(@logStream) as containers, count_distinct(CacheKey) as scopeSets by ClientId, bin(5m)',
  '| sort fetched desc',
  '| limit 100',
].join('\n');

/** Members of a line besides the dimensions: a dimension may not take their names. */
const RESERVED = new Set<string>(['_aws', 'CacheKey', 'ClientId', 'Scopes', 'TokenErrors', 'TokenRequests', 'TokenFetchTime',
  ...Object.values(EMF_COUNT_METRICS)]);
/** The EMF specification's limits: values per metric array and dimensions per set. */
const MAX_VALUES = 100;
const MAX_DIMENSIONS = 30;
/** Keys counted between flushes at most; one more flushes first. */
const MAX_PENDING = 100;

interface Pending {
  readonly clientId: string;
  readonly scopes: string;
  readonly counts: Record<string, number>;
  readonly fetchTimes: number[];
  readonly errors: Record<string, number>;
}

/**
 * Turns the token client's events into CloudWatch metrics with the embedded metric format (EMF): one JSON line
 * per cache key and flush, whose `_aws.CloudWatchMetrics` directive names the metrics `TokenCacheHit`,
 * `TokenFetched`, `TokenRefreshed`, `TokenFetchFailed`, `TokenRefreshFailed`, `TokenRetry`, `TokenInvalidated`,
 * `TokenRequests` (all `Count`) and `TokenFetchTime` (`Milliseconds`, one value per token), under the given
 * dimensions only. `CacheKey`, `ClientId`, `Scopes` and `TokenErrors` (failures and retries by error code) are
 * members of the line, for Logs Insights, and never dimensions.
 */
export function emfMetrics(options: EmfMetricsOptions): EmfMetrics {
  if (typeof options !== 'object' || options === null) throw configError('emfMetrics needs options with a "namespace"');
  const namespace = checkNamespace(options.namespace);
  const dimensions = checkDimensions(options.dimensions ?? {});
  const write = options.write ?? ((line: string) => { process.stdout.write(`${line}\n`); });
  const now = options.now ?? Date.now;
  const pending = new Map<string, Pending>();

  const flush = (): number => {
    const lines = [...pending].map(([cacheKey, p]) => lineOf(namespace, dimensions, now(), cacheKey, p));
    pending.clear();
    for (const line of lines) write(line);
    return lines.length;
  };

  const onEvent = (event: TokenClientEvent): void => {
    const metric = EMF_COUNT_METRICS[event.type];
    if (metric === undefined) return;
    let p = pending.get(event.cacheKey);
    if (!p) {
      if (pending.size >= MAX_PENDING) flush();
      p = { clientId: event.clientId, scopes: event.scopes.join(' '), counts: {}, fetchTimes: [], errors: {} };
      pending.set(event.cacheKey, p);
    }
    p.counts[metric] = (p.counts[metric] ?? 0) + 1;
    if ('attempts' in event) p.counts.TokenRequests = (p.counts.TokenRequests ?? 0) + event.attempts;
    if ((event.type === 'token-fetched' || event.type === 'token-refreshed') && p.fetchTimes.length < MAX_VALUES) {
      p.fetchTimes.push(event.durationMs);
    }
    if (event.type === 'fetch-failed' || event.type === 'refresh-failed' || event.type === 'retry') {
      p.errors[event.code] = (p.errors[event.code] ?? 0) + 1;
    }
  };

  return { onEvent, flush };
}

function lineOf(namespace: string, dimensions: Readonly<Record<string, string>>, timestamp: number, cacheKey: string, p: Pending): string {
  const counts: Record<string, number> = {};
  for (const name of [...Object.values(EMF_COUNT_METRICS), 'TokenRequests']) counts[name] = p.counts[name] ?? 0;
  const metrics = Object.keys(counts).map((Name) => ({ Name, Unit: 'Count' }));
  if (p.fetchTimes.length > 0) metrics.push({ Name: 'TokenFetchTime', Unit: 'Milliseconds' });
  const doc: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: metrics }],
    },
    ...dimensions,
    CacheKey: cacheKey,
    ClientId: p.clientId,
    Scopes: p.scopes,
    ...counts,
  };
  if (p.fetchTimes.length > 0) doc.TokenFetchTime = p.fetchTimes.length === 1 ? p.fetchTimes[0] : p.fetchTimes;
  if (Object.keys(p.errors).length > 0) doc.TokenErrors = p.errors;
  return JSON.stringify(doc);
}

/** Printable ASCII with at least one character that is not a space. */
const ASCII = /^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/;

function checkNamespace(value: unknown): string {
  if (typeof value !== 'string' || value.length > 255 || !ASCII.test(value) || value.startsWith(':') || value.startsWith('AWS/')) {
    throw configError(`emfMetrics option "namespace" must be 1 to 255 printable ASCII characters, not starting with ":" or "AWS/", got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkDimensions(value: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError('emfMetrics option "dimensions" must be an object of dimension names and values');
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_DIMENSIONS) {
    throw configError(`emfMetrics option "dimensions" may hold at most ${MAX_DIMENSIONS} dimensions, got ${entries.length}`);
  }
  for (const [name, v] of entries) {
    if (name.length > 255 || !ASCII.test(name) || name.startsWith(':')) {
      throw configError(`emfMetrics dimension name ${JSON.stringify(name)} must be 1 to 255 printable ASCII characters, not starting with ":"`);
    }
    if (RESERVED.has(name)) throw configError(`emfMetrics dimension name "${name}" is taken by a member of the line; choose another`);
    if (typeof v !== 'string' || v.length > 1024 || !ASCII.test(v)) {
      throw configError(`emfMetrics dimension "${name}" must have a value of 1 to 1024 printable ASCII characters, got ${JSON.stringify(v)}`);
    }
  }
  return Object.freeze({ ...value });
}
