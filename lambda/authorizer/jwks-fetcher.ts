/**
 * A JWKS fetcher whose every call settles within a fixed time.
 *
 * aws-jwt-verify's default fetcher has a response timeout but retries once,
 * so a hanging endpoint could hold a request for twice that. This wrapper
 * makes one attempt, passes the timeout to the inner fetcher, and rejects on
 * its own deadline whatever the inner fetcher does. After a failure it fails
 * fast for a short back-off, so a JWKS outage (or an endpoint returning
 * garbage) is not hammered by every request.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { assertIsJwks } from 'aws-jwt-verify/jwk';
import { safeJsonParse } from './safe-json-parse';

/** Any failure to get a usable JWKS: timeout, network error, bad status, unparsable body. */
export class JwksFetchError extends Error {}

export interface BoundedFetcherOptions {
  readonly timeoutMs: number;
  /** Fail fast for this long after a failed fetch. @default 1000 */
  readonly failureBackoffMs?: number;
  readonly now?: () => number;
}

export class BoundedFetcher implements Fetcher {
  private failedUntil = 0;
  private lastError?: unknown;
  private readonly now: () => number;

  constructor(private readonly inner: Fetcher, private readonly options: BoundedFetcherOptions) {
    this.now = options.now ?? Date.now;
  }

  public async fetch(uri: string, requestOptions?: Record<string, unknown>, data?: ArrayBuffer): Promise<ArrayBuffer> {
    if (this.now() < this.failedUntil) throw this.lastError;
    const ms = this.options.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JwksFetchError(`JWKS fetch did not complete within ${ms} ms`)), ms);
      timer.unref();
    });
    try {
      const body = await Promise.race([this.inner.fetch(uri, { ...requestOptions, timeout: ms, responseTimeout: ms }, data), deadline]);
      // Check the body here too, so a JWKS endpoint returning garbage also gets the back-off.
      assertIsJwks(safeJsonParse(new TextDecoder('utf8', { fatal: true }).decode(body)));
      return body;
    } catch (err) {
      const e = err instanceof JwksFetchError ? err : new JwksFetchError('JWKS fetch failed', { cause: err });
      this.lastError = e;
      this.failedUntil = this.now() + (this.options.failureBackoffMs ?? 1000);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
