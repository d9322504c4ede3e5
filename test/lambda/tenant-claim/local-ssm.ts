/**
 * A local SSM Parameter Store for the directory tests and the directory
 * benchmark: GetParametersByPath (paginated, not recursive unless asked) and
 * GetParameters (at most 10 names; unknown names in InvalidParameters) over
 * the real JSON protocol on 127.0.0.1, so the functions' real directory
 * loader runs unchanged. Parameters are set by the caller; `failing` answers
 * every call with a 500; `throttle` answers ThrottlingException beyond a
 * request rate, as SSM does when a burst of new execution environments reads
 * at once; `denied` answers AccessDeniedException for the operations the
 * function's role would not allow; `latencyMs` delays every answer (a round
 * trip to SSM in a Region rather than on loopback); `tls` serves HTTPS, as
 * SSM does. (Not a test file: no network beyond 127.0.0.1.)
 */
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

/** The operations served. */
export type SsmOperation = 'GetParametersByPath' | 'GetParameters';

export interface Throttle {
  readonly perSecond: number;
  readonly burst?: number;
}

export interface LocalSsmOptions {
  /** Milliseconds before each answer. @default 0 */
  readonly latencyMs?: number;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. @default - HTTP */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface LocalSsm {
  readonly endpoint: string;
  /** Parameter name → value. */
  readonly parameters: Map<string, string>;
  /** Answer every call with an internal error. */
  failing: boolean;
  /**
   * Answer ThrottlingException beyond a rate: a token bucket of `burst` requests (default `perSecond`),
   * refilled at `perSecond` (0: never refilled, so exactly `burst` requests pass).
   */
  throttle: Throttle | undefined;
  /** Operations answered AccessDeniedException (the role does not allow them). */
  readonly denied: Set<SsmOperation>;
  /** The requests received, in order: operation and input. */
  readonly log: { readonly operation: string; readonly input: Record<string, unknown> }[];
  /** Requests received, all or of one operation. */
  calls(operation?: SsmOperation): number;
  /** Requests answered ThrottlingException. */
  throttled(): number;
  close(): Promise<void>;
}

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

interface Answer { readonly status: number; readonly body: unknown }

const error = (status: number, type: string, message: string): Answer => ({ status, body: { __type: type, message } });

export async function startLocalSsm(options: LocalSsmOptions = {}): Promise<LocalSsm> {
  const parameters = new Map<string, string>();
  const state = { failing: false, throttle: undefined as Throttle | undefined };
  const denied = new Set<SsmOperation>();
  const log: { operation: string; input: Record<string, unknown> }[] = [];
  const counts = new Map<string, number>();
  let throttled = 0;
  let bucket = { tokens: 0, at: 0 };

  const answer = (req: http.IncomingMessage, body: string): Answer => {
    if (state.failing) return error(500, 'InternalServerError', 'injected failure');
    const throttle = state.throttle;
    if (throttle) {
      const t = Date.now();
      const burst = throttle.burst ?? throttle.perSecond;
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) * throttle.perSecond) / 1000);
      bucket.at = t;
      if (bucket.tokens < 1) {
        throttled++;
        return error(400, 'ThrottlingException', 'Rate exceeded');
      }
      bucket.tokens--;
    }
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
    const input = JSON.parse(body) as Record<string, unknown>;
    log.push({ operation, input });
    if (denied.has(operation as SsmOperation)) {
      return error(400, 'AccessDeniedException', `not authorized to perform: ssm:${operation}`);
    }
    if (operation === 'GetParametersByPath') {
      const { Path, Recursive, MaxResults, NextToken } = input as { Path: string; Recursive?: boolean; MaxResults?: number; NextToken?: string };
      const prefix = Path.endsWith('/') ? Path : `${Path}/`;
      const names = [...parameters.keys()]
        .filter((n) => n.startsWith(prefix) && (Recursive || !n.slice(prefix.length).includes('/')))
        .sort();
      const start = NextToken ? Number(NextToken) : 0;
      const end = start + (MaxResults ?? 10);
      return {
        status: 200,
        body: {
          Parameters: names.slice(start, end).map((Name) => ({ Name, Value: parameters.get(Name), Type: 'String', Version: 1 })),
          NextToken: end < names.length ? String(end) : undefined,
        },
      };
    }
    if (operation === 'GetParameters') {
      const names = (input.Names ?? []) as string[];
      if (names.length < 1 || names.length > 10) return error(400, 'ValidationException', 'Names: 1 to 10 names');
      const found = names.filter((n) => parameters.has(n));
      return {
        status: 200,
        body: {
          Parameters: found.map((Name) => ({ Name, Value: parameters.get(Name), Type: 'String', Version: 1 })),
          InvalidParameters: names.filter((n) => !parameters.has(n)),
        },
      };
    }
    return error(400, 'UnknownOperationException', 'not served here');
  };

  let hits = 0;
  const sockets = new Set<import('net').Socket>();
  const listener: http.RequestListener = (req, res) => {
    hits++;
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const a = answer(req, body);
      const send = () => res.writeHead(a.status, JSON_TYPE).end(JSON.stringify(a.body));
      if (options.latencyMs) setTimeout(send, options.latencyMs);
      else send();
    });
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  server.on(options.tls ? 'secureConnection' : 'connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    parameters,
    get failing() { return state.failing; },
    set failing(v: boolean) { state.failing = v; },
    get throttle() { return state.throttle; },
    set throttle(v: Throttle | undefined) {
      state.throttle = v;
      bucket = { tokens: v?.burst ?? v?.perSecond ?? 0, at: Date.now() };
    },
    denied,
    calls: (operation?: SsmOperation) => (operation ? counts.get(operation) ?? 0 : hits),
    throttled: () => throttled,
    log,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

