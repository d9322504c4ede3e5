/**
 * The developer portal's routes and who may call them: the one table the
 * construct (lib/developer-portal.ts: methods, scopes, CORS preflights) and
 * the handler (lambda/portal/http.ts: dispatch) both read.
 */

/** `admin`: platform admins only; `anyAdmin`: platform admins and tenant admins (their own tenant). */
export type PortalAccess = 'admin' | 'anyAdmin';

export type PortalRouteName =
  | 'me'
  | 'listTenants' | 'createTenant' | 'getTenant' | 'patchTenant' | 'deleteTenant' | 'getAudit'
  | 'listAdmins' | 'inviteAdmin' | 'removeAdmin'
  | 'listClients' | 'createClient' | 'getClient' | 'patchClient' | 'deleteClient'
  | 'rotateSecret' | 'deleteSecret'
  | 'setUsageTier'
  | 'setTokenBudget' | 'liftTenantBudgetSuspension' | 'liftClientBudgetSuspension';

export interface PortalRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, e.g. `/tenants/{tenantId}`. */
  readonly path: string;
  readonly name: PortalRouteName;
  readonly access: PortalAccess;
}

export const PORTAL_ROUTES: readonly PortalRoute[] = [
  { method: 'GET', path: '/me', name: 'me', access: 'anyAdmin' },
  { method: 'GET', path: '/tenants', name: 'listTenants', access: 'anyAdmin' },
  { method: 'POST', path: '/tenants', name: 'createTenant', access: 'admin' },
  { method: 'GET', path: '/tenants/{tenantId}', name: 'getTenant', access: 'anyAdmin' },
  { method: 'PATCH', path: '/tenants/{tenantId}', name: 'patchTenant', access: 'admin' },
  { method: 'DELETE', path: '/tenants/{tenantId}', name: 'deleteTenant', access: 'admin' },
  { method: 'GET', path: '/tenants/{tenantId}/audit', name: 'getAudit', access: 'anyAdmin' },
  { method: 'GET', path: '/tenants/{tenantId}/admins', name: 'listAdmins', access: 'anyAdmin' },
  { method: 'POST', path: '/tenants/{tenantId}/admins', name: 'inviteAdmin', access: 'admin' },
  { method: 'DELETE', path: '/tenants/{tenantId}/admins/{username}', name: 'removeAdmin', access: 'admin' },
  { method: 'GET', path: '/tenants/{tenantId}/clients', name: 'listClients', access: 'anyAdmin' },
  { method: 'POST', path: '/tenants/{tenantId}/clients', name: 'createClient', access: 'anyAdmin' },
  { method: 'GET', path: '/tenants/{tenantId}/clients/{clientId}', name: 'getClient', access: 'anyAdmin' },
  { method: 'PATCH', path: '/tenants/{tenantId}/clients/{clientId}', name: 'patchClient', access: 'anyAdmin' },
  { method: 'DELETE', path: '/tenants/{tenantId}/clients/{clientId}', name: 'deleteClient', access: 'anyAdmin' },
  { method: 'POST', path: '/tenants/{tenantId}/clients/{clientId}/secrets', name: 'rotateSecret', access: 'anyAdmin' },
  { method: 'DELETE', path: '/tenants/{tenantId}/clients/{clientId}/secrets/{secretId}', name: 'deleteSecret', access: 'anyAdmin' },
  // Body `{"tier": "<name>"}`: moves the tenant's API key of a tiered API to that tier's usage plan.
  { method: 'PUT', path: '/tenants/{tenantId}/usage-tiers/{api}', name: 'setUsageTier', access: 'admin' },
  // Token budgets (DeveloperPortal.addTokenBudgets): the tenant's budget, and lifting a budget suspension early.
  { method: 'PUT', path: '/tenants/{tenantId}/token-budget', name: 'setTokenBudget', access: 'admin' },
  { method: 'DELETE', path: '/tenants/{tenantId}/token-budget-suspension', name: 'liftTenantBudgetSuspension', access: 'admin' },
  { method: 'DELETE', path: '/tenants/{tenantId}/clients/{clientId}/token-budget-suspension', name: 'liftClientBudgetSuspension', access: 'admin' },
];

/** Request headers the web UI sends (CORS preflight answers allow exactly these). */
export const PORTAL_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match'] as const;
/** Response headers the web UI reads. */
export const PORTAL_EXPOSED_HEADERS = ['ETag', 'Retry-After'] as const;

/** The methods of each resource path, in table order (for CORS preflights). */
export function methodsByPath(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of PORTAL_ROUTES) out.set(r.path, [...(out.get(r.path) ?? []), r.method]);
  return out;
}
