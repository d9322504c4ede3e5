import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';

/** One request as a scripted server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** What a scripted handler does with the n-th request (0-based). */
export type Script = (req: SeenRequest, n: number, res: http.ServerResponse) => void;

export interface ScriptedServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP server answering each request as the script says; it records every request. */
export async function scriptedServer(script: Script): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      script(seen, requests.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A token answer with the given token and lifetime. */
export function tokenAnswer(res: http.ServerResponse, accessToken: string, expiresIn = 3600): void {
  json(res, 200, { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' });
}

export interface MockOAuthServer {
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  requests(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/** Starts oauth2-mock-server (support/oauth2-server.mjs) in a child process. */
export async function startMockOAuthServer(env: { clientId: string; clientSecret: string; ttlSeconds?: number }): Promise<MockOAuthServer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'oauth2-server.mjs')], {
    env: { ...process.env, CLIENT_ID: env.clientId, CLIENT_SECRET: env.clientSecret, TOKEN_TTL: String(env.ttlSeconds ?? 3600) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`oauth2-mock-server exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    tokenEndpoint: `${base}/token`,
    jwksUri: `${base}/jwks`,
    requests: async () => (await fetch(`${base}/__test/requests`)).json() as Promise<Array<Record<string, unknown>>>,
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Waits (polling, bounded) until the condition holds; fails the test if it never does. The bound is far beyond
 * the work waited for (loopback requests), so that a busy machine only makes the wait longer, never a failure.
 */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
