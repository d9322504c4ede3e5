/**
 * Shared helpers for the authorizer tests: local RSA keys, token signing,
 * route tables, an authorizer with captured logs, loopback JWKS servers.
 * (Not a test file: no network beyond 127.0.0.1.)
 */
import * as crypto from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { Authorizer, AuthorizerDeps, AuthorizerEvent, AuthorizerResponse, createAuthorizer } from '../../../lambda/authorizer/authorizer';
import { AuthorizerConfig } from '../../../lambda/authorizer/config';
import type { Transport } from '../../../lambda/authorizer/https-get';
import { routeTableOf } from '../../../lambda/authorizer/route-table';
import { StaticTenantResolver } from '../../../lambda/authorizer/tenant-resolver';
import { Logger } from '../../../lambda/shared/log';
import { TOKEN_FIRST_SEEN_MESSAGE } from '../../../lib/private/contracts/token-usage';
import { planRouteTable, PlannedRouteTable, RouteTableSpec } from '../../../lib/private/route-plan';

export const USER_POOL_ID = 'us-east-1_AbC123';
export const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`;
export const API_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234';
export const METHOD_ARN = `${API_PREFIX}/prod/GET/orders`;
export const READ = 'https://api.acme.example/orders/read';
export const WRITE = 'https://api.acme.example/orders/write';
export const CLIENTS = { client1globex: 'globex', client2initech: 'initech' };
export const KID = 'test-key-1';

/** The routes of the contract's reference API, as the construct collects them. */
export const REFERENCE_SPEC: RouteTableSpec = {
  scopes: [READ, WRITE],
  routes: [
    { method: 'GET', path: '/orders', scopes: [0], match: 'ANY_OF' },
    { method: 'POST', path: '/orders', scopes: [1], match: 'ANY_OF' },
    { method: 'GET', path: '/orders/{orderId}', scopes: [0, 1], match: 'ALL_OF' },
    { method: 'ANY', path: '/admin/{proxy+}', scopes: [1], match: 'ANY_OF' },
  ],
};

/** The routes.json the construct ships for REFERENCE_SPEC. */
export const REFERENCE_ROUTES: PlannedRouteTable = planRouteTable(REFERENCE_SPEC);

export interface KeyPair {
  readonly kid: string;
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  readonly jwk: Record<string, string>;
}

export function makeKey(kid = KID): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

export function jwksOf(...keys: KeyPair[]): Jwks {
  return { keys: keys.map((k) => k.jwk) } as unknown as Jwks;
}

export function b64url(v: string | Buffer): string {
  return Buffer.from(v).toString('base64url');
}

/** Claims of a valid client-credentials access token. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'client1globex',
    token_use: 'access',
    scope: `${READ} ${WRITE}`,
    auth_time: now,
    iss: ISSUER,
    exp: now + 3600,
    iat: now,
    version: 2,
    jti: crypto.randomUUID(),
    client_id: 'client1globex',
    ...overrides,
  };
}

/** Signs header.payload with RS256 (or returns it with the given signature). */
export function sign(key: KeyPair, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64url(JSON.stringify({ kid: key.kid, alg: 'RS256', ...header }))}.${b64url(JSON.stringify(payload))}`;
  const sig = crypto.sign('RSA-SHA256', Buffer.from(input), key.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

export function tokenEvent(token: string | undefined, methodArn = METHOD_ARN): AuthorizerEvent {
  return { type: 'TOKEN', authorizationToken: token === undefined ? '' : `Bearer ${token}`, methodArn } as AuthorizerEvent;
}

export function requestEvent(headers: Record<string, string> | null, methodArn = METHOD_ARN): AuthorizerEvent {
  return { type: 'REQUEST', methodArn, headers } as unknown as AuthorizerEvent;
}

export interface TestAuthorizer {
  readonly authorizer: Authorizer;
  readonly lines: string[];
  /** Parsed log lines. */
  logs(): Record<string, unknown>[];
  /** Parsed log lines, without the tokens' first sightings: the decisions, denials and the authorizer's own events. */
  decisionLogs(): Record<string, unknown>[];
  /** Parsed first-sighting lines (lib/private/contracts/token-usage.ts). */
  firstSeen(): Record<string, unknown>[];
}

/** Whether a log line (raw or parsed) is a token's first sighting (lib/private/contracts/token-usage.ts). */
export function isFirstSeen(line: string | Record<string, unknown>): boolean {
  return (typeof line === 'string' ? JSON.parse(line) : line).msg === TOKEN_FIRST_SEEN_MESSAGE;
}

export function makeAuthorizer(opts: {
  routes?: RouteTableSpec;
  jwks?: Jwks;
  config?: Partial<AuthorizerConfig>;
  deps?: AuthorizerDeps;
  logLevel?: 'info' | 'debug';
} = {}): TestAuthorizer {
  const lines: string[] = [];
  const logger = new Logger(opts.logLevel ?? 'info', (l) => { lines.push(l); });
  const config: AuthorizerConfig = {
    userPoolId: USER_POOL_ID,
    tenants: new StaticTenantResolver(new Map(Object.entries(CLIENTS))),
    routes: routeTableOf(planRouteTable(opts.routes ?? REFERENCE_SPEC)),
    ...opts.config,
  };
  const authorizer = createAuthorizer(config, { logger, ...opts.deps });
  if (opts.jwks) authorizer.cacheJwks(opts.jwks);
  const logs = (): Record<string, unknown>[] => lines.map((l) => JSON.parse(l));
  return {
    authorizer,
    lines,
    logs,
    decisionLogs: () => logs().filter((l) => !isFirstSeen(l)),
    firstSeen: () => logs().filter(isFirstSeen),
  };
}

/** Runs the handler; returns the response or the error message. */
export async function outcome(a: Authorizer, event: AuthorizerEvent): Promise<AuthorizerResponse | string> {
  try {
    return await a.handle(event);
  } catch (err) {
    return (err as Error).message;
  }
}

export function allowsAnything(r: AuthorizerResponse | string): boolean {
  return typeof r !== 'string' && r.policyDocument.Statement.some((s) => s.Effect === 'Allow');
}

/** A loopback HTTP server; `handler` decides each response. Call `close()` when done. */
export async function loopbackServer(handler: http.RequestListener): Promise<{ port: number; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((req, res) => { hits++; handler(req, res); });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * The authorizer's real JWKS fetch (https-get.ts) sent to 127.0.0.1:port over
 * plain HTTP: `https.request`'s signature, with the URI's path kept.
 */
export function loopbackTransport(port: number): Transport & { calls: number } {
  const t = Object.assign(
    (uri: string, options: http.RequestOptions, callback: (res: http.IncomingMessage) => void) => {
      t.calls++;
      return http.request({ ...options, host: '127.0.0.1', port, path: new URL(uri).pathname }, callback);
    },
    { calls: 0 },
  );
  return t;
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
export async function closedPort(): Promise<number> {
  const s = await loopbackServer(() => undefined);
  await s.close();
  return s.port;
}
