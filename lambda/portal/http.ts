/**
 * API Gateway proxy plumbing: routes, the caller from the authorizer
 * context, and JSON responses.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ForbiddenError, NotFoundError, PortalError, ThrottledError } from './errors';
import type { PortalErrorBody } from '../../lib/private/contracts/portal-api';
import { PORTAL_EXPOSED_HEADERS, PORTAL_ROUTES, PortalRouteName } from '../../lib/private/contracts/portal-routes';

/** Who calls, as the authorizer put it into the request context. */
export interface Caller {
  readonly clientId: string;
  /** A person of the portal's sign-in pool (the authorizer's `username`); absent for an API client. */
  readonly username?: string;
  /** The caller's own tenant (set for tenant admins). */
  readonly tenantId?: string;
  readonly scopes: ReadonlySet<string>;
}

export type RouteName = PortalRouteName;

export interface Route {
  readonly name: RouteName;
  readonly params: Record<string, string>;
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/').filter(Boolean);
  const p = path.split('/').filter(Boolean);
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    if (t[i].startsWith('{') && t[i].endsWith('}')) {
      try {
        params[t[i].slice(1, -1)] = decodeURIComponent(p[i]);
      } catch {
        return undefined;
      }
    } else if (t[i] !== p[i]) {
      return undefined;
    }
  }
  return params;
}

/**
 * Finds the route: by the API Gateway resource template when it is one of
 * ours (path parameters from `pathParameters`), else by matching the path.
 */
export function route(event: APIGatewayProxyEvent): Route {
  const method = (event.httpMethod ?? '').toUpperCase();
  const byResource = PORTAL_ROUTES.find((r) => r.method === method && r.path === event.resource);
  if (byResource) {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
    return { name: byResource.name, params };
  }
  for (const r of PORTAL_ROUTES) {
    if (r.method !== method) continue;
    const params = matchTemplate(r.path, event.path ?? '');
    if (params) return { name: r.name, params };
  }
  throw new NotFoundError(`no route ${method} ${event.resource ?? event.path}`);
}

/** Reads the caller from the Lambda authorizer context (or a Cognito authorizer's claims). */
export function caller(event: APIGatewayProxyEvent): Caller {
  const auth = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const claims = (auth.claims ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const clientId = str(auth.clientId) ?? str(claims.client_id);
  if (!clientId) throw new ForbiddenError('no authenticated client in the request context');
  const scopes = str(auth.scopes) ?? str(claims.scope) ?? '';
  return { clientId, username: str(auth.username), tenantId: str(auth.tenantId), scopes: new Set(scopes.split(/\s+/).filter(Boolean)) };
}

/** Who the audit trail names: `user:<username>` for a person, the client id for an API client. */
export function actorOf(c: Caller): string {
  return c.username ? `user:${c.username}` : c.clientId;
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === lower && v !== undefined) return v;
  }
  return undefined;
}

const BASE_HEADERS = {
  'Content-Type': 'application/json',
  // Responses may carry a secret (once): never cache them anywhere.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Lets the portal's web UI (a browser at `origin`) read an answer: adds
 * `Access-Control-Allow-Origin: <origin>` (one fixed origin, never `*` or the
 * caller's own) and exposes ETag and Retry-After. Without an origin the
 * answer is returned as is.
 */
export function withCors(origin: string | undefined, res: APIGatewayProxyResult): APIGatewayProxyResult {
  if (!origin) return res;
  return {
    ...res,
    headers: { ...res.headers, 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': PORTAL_EXPOSED_HEADERS.join(', '), 'Vary': 'Origin' },
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(err: PortalError): APIGatewayProxyResult {
  const headers: Record<string, string> = {};
  if (err instanceof ThrottledError) headers['Retry-After'] = String(err.retryAfterSeconds);
  const body: PortalErrorBody = { error: err.code, message: err.message };
  return json(err.status, body, headers);
}

export function internalError(requestId: string): APIGatewayProxyResult {
  const body: PortalErrorBody = { error: 'internal', message: 'internal error; quote the request id when reporting it', requestId };
  return json(500, body);
}
