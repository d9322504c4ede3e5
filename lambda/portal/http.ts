/**
 * API Gateway proxy plumbing: routes, the caller from the authorizer
 * context, and JSON responses.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ForbiddenError, NotFoundError, PortalError, ThrottledError } from './errors';

/** Who calls, as the authorizer put it into the request context. */
export interface Caller {
  readonly clientId: string;
  /** The caller's own tenant (set for tenant admins). */
  readonly tenantId?: string;
  readonly scopes: ReadonlySet<string>;
}

export type RouteName =
  | 'listTenants' | 'createTenant' | 'getTenant' | 'patchTenant' | 'deleteTenant' | 'getAudit'
  | 'listClients' | 'createClient' | 'getClient' | 'patchClient' | 'deleteClient'
  | 'rotateSecret' | 'deleteSecret';

const ROUTES: Array<[string, string, RouteName]> = [
  ['GET', '/tenants', 'listTenants'],
  ['POST', '/tenants', 'createTenant'],
  ['GET', '/tenants/{tenantId}', 'getTenant'],
  ['PATCH', '/tenants/{tenantId}', 'patchTenant'],
  ['DELETE', '/tenants/{tenantId}', 'deleteTenant'],
  ['GET', '/tenants/{tenantId}/audit', 'getAudit'],
  ['GET', '/tenants/{tenantId}/clients', 'listClients'],
  ['POST', '/tenants/{tenantId}/clients', 'createClient'],
  ['GET', '/tenants/{tenantId}/clients/{clientId}', 'getClient'],
  ['PATCH', '/tenants/{tenantId}/clients/{clientId}', 'patchClient'],
  ['DELETE', '/tenants/{tenantId}/clients/{clientId}', 'deleteClient'],
  ['POST', '/tenants/{tenantId}/clients/{clientId}/secrets', 'rotateSecret'],
  ['DELETE', '/tenants/{tenantId}/clients/{clientId}/secrets/{secretId}', 'deleteSecret'],
];

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
  const byResource = ROUTES.find(([m, t]) => m === method && t === event.resource);
  if (byResource) {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
    return { name: byResource[2], params };
  }
  for (const [m, template, name] of ROUTES) {
    if (m !== method) continue;
    const params = matchTemplate(template, event.path ?? '');
    if (params) return { name, params };
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
  return { clientId, tenantId: str(auth.tenantId), scopes: new Set(scopes.split(/\s+/).filter(Boolean)) };
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

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(err: PortalError): APIGatewayProxyResult {
  const headers: Record<string, string> = {};
  if (err instanceof ThrottledError) headers['Retry-After'] = String(err.retryAfterSeconds);
  return json(err.status, { error: err.code, message: err.message }, headers);
}

export function internalError(requestId: string): APIGatewayProxyResult {
  return json(500, { error: 'internal', message: 'internal error; quote the request id when reporting it', requestId });
}
