import { TokenClientError } from './errors';

export type FetchFn = typeof globalThis.fetch;

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * One POST with a timeout that covers the whole answer (headers and body).
 * Network failures and the timeout become `TokenClientError`s; any HTTP status is returned.
 */
export async function postOnce(fetchImpl: FetchFn, url: string, headers: Record<string, string>, body: string,
  timeoutMs: number, endpoint: string): Promise<HttpAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(1, timeoutMs));
  timer.unref?.();
  try {
    const res = await fetchImpl(url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'error' });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text };
  } catch (e) {
    if (controller.signal.aborted) {
      throw new TokenClientError({ code: 'timeout', cause: `no complete answer within ${Math.max(1, timeoutMs)} ms`, endpoint });
    }
    throw new TokenClientError({ code: 'network', cause: `network error (${networkCause(e)})`, endpoint });
  } finally {
    clearTimeout(timer);
  }
}

/** The system error code behind a fetch failure (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET...), never its payload. */
function networkCause(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return e instanceof Error ? e.name : 'unknown';
}
