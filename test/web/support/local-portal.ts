/**
 * The developer portal, locally, for browser journeys:
 * - the site: the web UI, built from web/portal into a temporary directory
 *   (scripts/build-web-ui.ts, so the journeys always run today's source), with
 *   its config.json, catalog.json and OpenAPI document, served with the
 *   Content-Security-Policy the CloudFront headers policy sends
 *   (lib/private/site-policy.ts);
 * - "API Gateway": a small HTTP adapter in front of the real portal handler
 *   (dynalite + cognito-local, see test/lambda/portal/harness.ts) that runs
 *   the real authorizer (portal build: registry + people) on every request,
 *   enforces its policy as API Gateway does, answers CORS preflights for the
 *   site's origin from the portal route table, and serves a business API
 *   (`GET /orders`) behind the registry authorizer; the portal has token
 *   budgets (a budget table whose suspensions the journeys write);
 * - a stand-in for Cognito's M2M token endpoint (cognito-local has no
 *   client-credentials grant): `client_secret_basic`, checked against the
 *   client's current secrets, scopes within the client's allowed scopes,
 *   tokens signed with a local key;
 * - sign-in: a real OpenID Connect provider (oidc-provider.mjs) shaped like
 *   the portal's sign-in pool and its managed-login domain (Cognito's paths,
 *   refresh tokens that `/oauth2/revoke` really revokes, managed login's
 *   session that answers `prompt=none` until `/logout` ends it).
 * Everything listens on 127.0.0.1.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Authorizer, AuthorizerEvent, createAuthorizer } from '../../../lambda/authorizer/authorizer';
import type { Transport } from '../../../lambda/authorizer/https-get';
import { PEOPLE, PeopleConfig } from '../../../lambda/authorizer/people';
import { RegistryTenantResolver } from '../../../lambda/authorizer/registry-resolver';
import { routeTableOf } from '../../../lambda/authorizer/route-table';
import { StaticTenantResolver } from '../../../lambda/authorizer/tenant-resolver';
import { route } from '../../../lambda/portal/http';
import { Logger } from '../../../lambda/shared/log';
import { getClientStatus } from '../../../lambda/shared/registry';
import { methodsByPath, PORTAL_REQUEST_HEADERS, PORTAL_ROUTES, PortalRoute } from '../../../lib/private/contracts/portal-routes';
import { CatalogRoute, WEB_UI_CONFIG_VERSION } from '../../../lib/private/contracts/web-ui';
import { catalogApi, openApiDocument } from '../../../lib/private/openapi';
import { planRouteTable } from '../../../lib/private/route-plan';
import { contentSecurityPolicy } from '../../../lib/private/site-policy';
import { buildWebUi } from '../../../scripts/build-web-ui';
import { evaluatePolicy } from '../../lambda/authorizer/iam-eval';
import { ADMIN_SCOPE, createTable, CREDENTIALS, Env, GRANTABLE, READ, REGION, setup, TENANT_ADMIN_SCOPE, WRITE } from '../../lambda/portal/harness';

export const M2M_POOL = 'us-east-1_M2mLocal1';
/** The token budgets' table the local portal shows and lifts suspensions of. */
export const BUDGET_TABLE = 'budgets';
export const PEOPLE_POOL = 'us-east-1_People1';
export const WEB_CLIENT_ID = 'portalwebclient0000000001';
const M2M_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${M2M_POOL}`;
const PEOPLE_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${PEOPLE_POOL}`;
const API_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:localapi01';

/** The business API the catalog shows and M2M clients call. */
/** What api.routes says of a method behind the API's tenant-aware authorizer (the local API's). */
const TENANT_AWARE_REASON = 'the API\'s authorizer: M2mAuthorizer.tenantAware()';

export const ORDERS_ROUTES: CatalogRoute[] = [
  { method: 'GET', path: '/orders', scopes: [READ], scopeMatch: 'ANY_OF', isPublic: false, authorizer: 'lambda', authorizerReason: TENANT_AWARE_REASON },
  { method: 'POST', path: '/orders', scopes: [WRITE], scopeMatch: 'ANY_OF', isPublic: false, authorizer: 'lambda', authorizerReason: TENANT_AWARE_REASON },
];

export type SignInEvent =
  /** `prompt`: `none` for a silent request; `session`: the request's cookie named a live managed-login session; `answer`: `code` or the error. */
  | { kind: 'authorize'; prompt: 'none' | 'login'; session: boolean; answer: string }
  | { kind: 'token'; grantType: string; clientId: string; codeVerifier: boolean; clientSecret: boolean; status: number }
  | { kind: 'revoke'; clientId: string; liveRefreshToken: boolean; clientSecret: boolean; status: number }
  | { kind: 'logout'; clientId: string };

export interface LocalPortal {
  readonly siteUrl: string;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  /** The sign-in domain's endpoints, as config.json names them (and `/oauth2/revoke`). */
  readonly signInUrls: { readonly authorize: string; readonly token: string; readonly revoke: string; readonly logout: string };
  readonly env: Env;
  /** Who signs in next at the OpenID Connect provider. */
  signInAs(username: string, groups: string[]): Promise<void>;
  /** The next authorize request answers `?error=…&error_description=…` (with the request's state) instead of a code. */
  refuseNextSignIn(error: string, description?: string): Promise<void>;
  /** The next revoke request answers `status` (and revokes nothing). */
  failNextRevoke(status: number): Promise<void>;
  /** Token requests the provider saw (grant type, PKCE verifier present, secret present, answer's status). */
  signInRequests(): Promise<Array<Extract<SignInEvent, { kind: 'token' }>>>;
  /** Everything the provider saw, in order: authorize, token and revoke requests and logouts (never a token's or a cookie's value). */
  signInEvents(): Promise<SignInEvent[]>;
  /** A refresh-token grant at the sign-in domain's token endpoint, as the web client makes it. */
  refreshSignIn(refreshToken: string): Promise<{ status: number; body: any }>;
  /** A client-credentials request to the M2M token endpoint stand-in. */
  m2mToken(clientId: string, secret: string, scope?: string): Promise<{ status: number; body: any }>;
  /** `GET /orders` on the business API with a bearer token. */
  getOrders(token: string): Promise<{ status: number; body: any }>;
  /** A portal API call with a bearer token, as any HTTP client would make it. */
  api(method: string, p: string, token: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startOidc(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'oidc-provider.mjs')], {
    env: { ...process.env, PEOPLE_ISSUER, WEB_CLIENT_ID, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the OpenID Connect provider did not start: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the OpenID Connect provider exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}

/** The authorizer's JWKS fetch for the sign-in pool, sent to the provider's /jwks over loopback HTTP. */
function jwksFrom(oidcUrl: string): Transport {
  const { port } = new URL(oidcUrl);
  return (uri, options, callback) => {
    if (!uri.startsWith(PEOPLE_ISSUER)) throw new Error(`unexpected JWKS fetch ${uri}`);
    return http.request({ ...options, host: '127.0.0.1', port: Number(port), path: '/jwks' }, callback);
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The portal route of a request and its path parameters, found by the handler's own router (what API Gateway passes). */
function portalRoute(method: string, p: string): (PortalRoute & { params: Record<string, string> }) | undefined {
  try {
    const { name, params } = route({ httpMethod: method, path: p, resource: '' } as APIGatewayProxyEvent);
    return { ...PORTAL_ROUTES.find((r) => r.name === name)!, params };
  } catch {
    return undefined;
  }
}

function b64url(v: string | Buffer): string {
  return Buffer.from(v).toString('base64url');
}

export async function startLocalPortal(): Promise<LocalPortal> {
  const webUi = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-ui-e2e-'));
  buildWebUi(webUi, () => undefined);
  // The site first: its origin is what the API allows.
  const site = http.createServer();
  const sitePort = await listen(site);
  const siteOrigin = `http://127.0.0.1:${sitePort}`;
  const gateway = http.createServer();
  const apiPort = await listen(gateway);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const { env, close: closeEnv } = await setup({
    people: true, allowedOrigin: siteOrigin, tokenEndpoint: `${apiUrl}/oauth2/token`, config: { budgetTable: BUDGET_TABLE },
  });
  // The token budgets' table (DeveloperPortal.addTokenBudgets): the journeys write suspensions as the budget function does.
  await createTable(env.ddb, BUDGET_TABLE);
  const oidc = await startOidc();

  // The M2M pool's signing key (the token endpoint stand-in) and the registry the authorizers read.
  const m2mKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const m2mJwk = { ...(m2mKey.publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'm2m-local', alg: 'RS256', use: 'sig' };
  const endpoint = await env.ddb.config.endpoint!();
  const registryDdb = new DynamoDBClient({
    endpoint: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`, region: REGION, credentials: CREDENTIALS,
  });
  const registry = () => new RegistryTenantResolver({
    declared: new StaticTenantResolver(new Map()),
    lookup: (id) => getClientStatus(registryDdb, env.table, id),
    ttlSeconds: 0,
  });
  const people: PeopleConfig = {
    userPoolId: PEOPLE_POOL,
    clientId: WEB_CLIENT_ID,
    adminGroup: 'platform-admins',
    tenantGroupPrefix: 'tenant-',
    adminScope: ADMIN_SCOPE,
    tenantAdminScope: TENANT_ADMIN_SCOPE,
  };
  // The authorizers' log lines join the portal's, which the leak check reads.
  const logger = new Logger('debug', (line) => { env.logs.push(line); });
  const portalAuthorizer: Authorizer = createAuthorizer({
    userPoolId: M2M_POOL,
    tenants: registry(),
    routes: routeTableOf(planRouteTable({
      scopes: [ADMIN_SCOPE, TENANT_ADMIN_SCOPE],
      routes: PORTAL_ROUTES.map((r) => ({ method: r.method, path: r.path, scopes: r.access === 'admin' ? [0] : [0, 1], match: 'ANY_OF' as const })),
    })),
    people,
  }, { people: PEOPLE, jwksTransport: jwksFrom(oidc.url), logger });
  const ordersAuthorizer: Authorizer = createAuthorizer({
    userPoolId: M2M_POOL,
    tenants: registry(),
    routes: routeTableOf(planRouteTable({
      scopes: [READ, WRITE],
      routes: ORDERS_ROUTES.map((r) => ({ method: r.method, path: r.path, scopes: r.scopes.map((s) => [READ, WRITE].indexOf(s)), match: 'ANY_OF' as const })),
    })),
  }, { logger });
  for (const a of [portalAuthorizer, ordersAuthorizer]) a.cacheJwks({ keys: [m2mJwk] } as any, M2M_POOL);

  const cors = { 'Access-Control-Allow-Origin': siteOrigin };
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

  /** Cognito's token endpoint for client_credentials, as far as clients see it. */
  const tokenEndpoint = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const form = new URLSearchParams(await readBody(req));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [clientId, secret] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [];
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
    const current = env.secrets.get(clientId ?? '') ?? [];
    if (!clientId || !secret || !current.some((s) => s.value === secret)) return send(res, 400, { error: 'invalid_client' });
    const described = await env.real.send(new DescribeUserPoolClientCommand({ UserPoolId: env.userPoolId, ClientId: clientId }));
    const allowed = described.UserPoolClient?.AllowedOAuthScopes ?? [];
    const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (asked.some((s) => !allowed.includes(s))) return send(res, 400, { error: 'invalid_scope' });
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      sub: clientId,
      token_use: 'access',
      scope: (asked.length ? asked : allowed).join(' '),
      auth_time: now,
      iss: M2M_ISSUER,
      exp: now + 60 * (described.UserPoolClient?.AccessTokenValidity ?? 60),
      iat: now,
      version: 2,
      jti: crypto.randomUUID(),
      client_id: clientId,
    };
    const input = `${b64url(JSON.stringify({ kid: 'm2m-local', alg: 'RS256' }))}.${b64url(JSON.stringify(payload))}`;
    const token = `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), m2mKey.privateKey).toString('base64url')}`;
    return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: payload.exp - now });
  };

  const authorize = async (a: Authorizer, req: http.IncomingMessage, methodArn: string) => {
    try {
      const answer = await a.handle({ type: 'TOKEN', authorizationToken: req.headers.authorization ?? '', methodArn } as AuthorizerEvent);
      return evaluatePolicy(answer.policyDocument, methodArn) === 'Allow' ? answer : 'denied';
    } catch {
      return 'unauthorized';
    }
  };

  gateway.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', apiUrl);
      const method = (req.method ?? 'GET').toUpperCase();
      if (url.pathname === '/oauth2/token' && method === 'POST') return tokenEndpoint(req, res);
      if (url.pathname === '/orders' && method === 'GET') {
        const answer = await authorize(ordersAuthorizer, req, `${API_PREFIX}/prod/GET/orders`);
        if (typeof answer === 'string') return send(res, answer === 'denied' ? 403 : 401, { message: answer });
        return send(res, 200, { tenantId: answer.context.tenantId, clientId: answer.context.clientId });
      }
      // CORS preflight: API Gateway's mock integration, from the portal route table.
      if (method === 'OPTIONS') {
        const resource = ['GET', 'POST', 'PATCH', 'DELETE'].map((m) => portalRoute(m, url.pathname)).find(Boolean)?.path;
        if (!resource) return send(res, 403, { message: 'Missing Authentication Token' }, cors);
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': methodsByPath().get(resource)!.join(','),
          'Access-Control-Allow-Headers': PORTAL_REQUEST_HEADERS.join(','),
          'Access-Control-Max-Age': '3600',
        }).end();
        return;
      }
      const match = portalRoute(method, url.pathname);
      if (!match) return send(res, 403, { message: 'Missing Authentication Token' }, cors);
      const methodArn = `${API_PREFIX}/prod/${method}${url.pathname}`;
      const answer = await authorize(portalAuthorizer, req, methodArn);
      // API Gateway's gateway responses (UNAUTHORIZED, ACCESS_DENIED), with the site's origin as the construct sets it.
      if (answer === 'unauthorized') return send(res, 401, { message: 'Unauthorized' }, { ...cors, 'WWW-Authenticate': 'Bearer' });
      if (answer === 'denied') {
        return send(res, 403, { message: 'User is not authorized to access this resource with an explicit deny' }, { ...cors, 'WWW-Authenticate': 'Bearer error="insufficient_scope"' });
      }
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const event = {
        httpMethod: method,
        path: url.pathname,
        resource: match.path,
        pathParameters: match.params,
        headers,
        multiValueHeaders: {},
        queryStringParameters: url.searchParams.size ? Object.fromEntries(url.searchParams) : null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        isBase64Encoded: false,
        body: body || null,
        requestContext: { requestId: crypto.randomUUID(), authorizer: answer.context },
      } as unknown as APIGatewayProxyEvent;
      const out = await env.portal.api(event);
      res.writeHead(out.statusCode, out.headers as Record<string, string>).end(out.body);
    })().catch((err) => send(res, 500, { message: `local gateway: ${err instanceof Error ? err.message : err}` }, cors));
  });

  const signInUrls = {
    authorize: `${oidc.url}/oauth2/authorize`,
    token: `${oidc.url}/oauth2/token`,
    revoke: `${oidc.url}/oauth2/revoke`,
    logout: `${oidc.url}/logout`,
  };
  // The site: built files, config.json, catalog.json and the API's OpenAPI document; the CSP the distribution sends.
  const input = {
    title: 'Orders',
    description: 'Orders of the tenant',
    url: apiUrl,
    tokenUrl: `${apiUrl}/oauth2/token`,
    routes: ORDERS_ROUTES,
    scopeDescriptions: new Map([[READ, 'Read orders'], [WRITE, 'Write orders']]),
  };
  const files: Record<string, string> = {
    '/config.json': JSON.stringify({
      version: WEB_UI_CONFIG_VERSION,
      apiUrl,
      tokenEndpoint: `${apiUrl}/oauth2/token`,
      signIn: { authorizeUrl: signInUrls.authorize, tokenUrl: signInUrls.token, logoutUrl: signInUrls.logout, clientId: WEB_CLIENT_ID, scopes: ['openid', 'email', 'profile'] },
      grantableScopes: GRANTABLE.filter((s) => s === READ || s === WRITE).map((name) => ({ name, description: name === READ ? 'Read orders' : 'Write orders' })),
      rotationGraceHours: env.config.rotationGraceHours,
      defaultAccessTokenValidityMinutes: env.config.defaultTokenValidityMinutes,
    }),
    '/catalog.json': JSON.stringify({ version: 1, apis: [catalogApi('Orders', input)] }),
    '/openapi/Orders.json': JSON.stringify(openApiDocument(input)),
  };
  const csp = contentSecurityPolicy([apiUrl, oidc.url]).replace('; upgrade-insecure-requests', '');
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
  site.on('request', (req, res) => {
    const p = new URL(req.url ?? '/', siteOrigin).pathname;
    const headers = { 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
    if (files[p]) return res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(files[p]);
    const file = path.join(webUi, p === '/' ? 'index.html' : path.normalize(p).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(webUi) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404, headers).end('not found');
    return res.writeHead(200, { ...headers, 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });

  const oidcGet = async (p: string) => fetch(`${oidc.url}${p}`);
  return {
    siteUrl: `${siteOrigin}/`,
    apiUrl,
    tokenUrl: `${apiUrl}/oauth2/token`,
    signInUrls,
    env,
    async signInAs(username, groups) {
      const res = await oidcGet(`/__test/user?username=${encodeURIComponent(username)}&groups=${encodeURIComponent(groups.join(','))}`);
      if (res.status !== 204) throw new Error(`could not set the person: ${res.status}`);
    },
    async refuseNextSignIn(error, description) {
      const query = new URLSearchParams({ error, ...(description === undefined ? {} : { error_description: description }) });
      const res = await oidcGet(`/__test/refuse-next-sign-in?${query}`);
      if (res.status !== 204) throw new Error(`could not set the refusal: ${res.status}`);
    },
    async failNextRevoke(status) {
      const res = await oidcGet(`/__test/fail-next-revoke?status=${status}`);
      if (res.status !== 204) throw new Error(`could not set the revoke failure: ${res.status}`);
    },
    async signInEvents() {
      return (await oidcGet('/__test/events')).json() as Promise<SignInEvent[]>;
    },
    async signInRequests() {
      const events = (await (await oidcGet('/__test/events')).json()) as SignInEvent[];
      return events.filter((e): e is Extract<SignInEvent, { kind: 'token' }> => e.kind === 'token');
    },
    async refreshSignIn(refreshToken) {
      const res = await fetch(signInUrls.token, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: WEB_CLIENT_ID, refresh_token: refreshToken }).toString(),
      });
      return { status: res.status, body: await res.json() };
    },
    async m2mToken(clientId, secret, scope) {
      const res = await fetch(`${apiUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'Authorization': `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }).toString(),
      });
      return { status: res.status, body: await res.json() };
    },
    async getOrders(token) {
      const res = await fetch(`${apiUrl}/orders`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    },
    async api(method, p, token) {
      const res = await fetch(`${apiUrl}${p}`, { method, headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await closeServer(gateway);
      await closeServer(site);
      registryDdb.destroy();
      if (oidc.child.exitCode === null) {
        await new Promise<void>((resolve) => {
          oidc.child.once('exit', () => resolve());
          oidc.child.kill('SIGTERM');
        });
      }
      await closeEnv();
      fs.rmSync(webUi, { recursive: true, force: true });
    },
  };
}
