import { errorName, ThrottledError } from './errors';

/** How Cognito and API Gateway calls are retried when throttled. */
export interface RetryOptions {
  /** Total attempts, first included. @default 4 */
  readonly attempts?: number;
  /** First backoff ceiling in ms; doubles per attempt (full jitter). @default 200 */
  readonly baseDelayMs?: number;
  /** Backoff ceiling in ms. @default 2000 */
  readonly maxDelayMs?: number;
  /** Waits; injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1); injectable for tests. @default Math.random */
  readonly random?: () => number;
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

export function isThrottling(err: unknown): boolean {
  return THROTTLING.has(errorName(err));
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, retrying throttling (Cognito allows about 5 app-client
 * changes per second per pool; API Gateway's management API a few requests
 * per second per account) with exponential backoff and full jitter; when
 * every attempt is throttled, throws `ThrottledError` (HTTP 429 with
 * Retry-After, saying `throttledMessage`). Other errors propagate at once.
 */
export async function withThrottleRetry<T>(call: () => Promise<T>, options: RetryOptions = {}, throttledMessage?: string): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 2000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isThrottling(err)) throw err;
      if (attempt >= attempts) throw new ThrottledError(Math.max(1, Math.ceil(cap / 1000)), throttledMessage);
      await sleep(Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1))));
    }
  }
}
