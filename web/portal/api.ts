/**
 * The portal API as the UI calls it: one `fetch` wrapper that calls a route of
 * the portal's route table by name and turns every failure into an ApiError
 * (HTTP error) or a NetworkError (no answer), for the page to show. The
 * request and response shapes are the handler's own
 * (lib/private/contracts/portal-api.ts).
 */
import type {
  AuditEntry, Client, CreateClientRequest, InvitedAdmin, Me, Page, PortalRequests, PortalResponses, RegisteredClient, RemovedAdmin,
  RotatedClient, SettableStatus, Tenant, TenantAdmin, TenantWithClients,
} from '../../lib/private/contracts/portal-api';
import { PORTAL_ROUTES, PortalRouteName } from '../../lib/private/contracts/portal-routes';

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The portal's error code (`error`), absent on API Gateway's own answers. */
    readonly code?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all: offline, DNS, TLS, or a CORS refusal (the browser hides which). */
export class NetworkError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

/** What a call sends besides its route and path parameters. */
interface RequestOptions<N extends PortalRouteName> {
  readonly body?: N extends keyof PortalRequests ? PortalRequests[N] : never;
  /** Sent as `If-Match: "<version>"` (optimistic concurrency). */
  readonly ifMatch?: number;
  readonly idempotencyKey?: string;
  readonly query?: Record<string, string | undefined>;
}

/** The method and path of a route of the table, its `{parameters}` filled in (each URL-encoded). */
function routeRequest(name: PortalRouteName, params: Readonly<Record<string, string>>): { method: string; path: string } {
  const route = PORTAL_ROUTES.find((r) => r.name === name);
  if (!route) throw new Error(`the portal has no route ${name}`);
  const path = route.path.replace(/\{([^}]+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`route ${name} needs ${key}`);
    return encodeURIComponent(value);
  });
  return { method: route.method, path };
}

function asPage<T>(page: Page<T>): Page<T> {
  if (!page || !Array.isArray(page.items)) throw new ApiError(200, 'The API answered without an items list');
  return page;
}

export class PortalApi {
  /**
   * @param baseUrl the API's base URL, without a trailing slash
   * @param accessToken the current access token (refreshed when needed)
   */
  constructor(private readonly baseUrl: string, private readonly accessToken: () => Promise<string>) {}

  me(): Promise<Me> {
    return this.call('me', {});
  }

  async listTenants(nextToken?: string): Promise<Page<Tenant>> {
    return asPage(await this.call('listTenants', {}, { query: { nextToken } }));
  }

  createTenant(tenantId: string, displayName?: string): Promise<Tenant> {
    return this.call('createTenant', {}, { body: { tenantId, displayName } });
  }

  setTenantStatus(tenant: Tenant, status: SettableStatus): Promise<Tenant> {
    return this.call('patchTenant', { tenantId: tenant.tenantId }, { body: { status }, ifMatch: tenant.version });
  }

  async listAdmins(tenantId: string): Promise<Page<TenantAdmin>> {
    return asPage(await this.call('listAdmins', { tenantId }));
  }

  inviteAdmin(tenantId: string, username: string, email: string): Promise<InvitedAdmin> {
    return this.call('inviteAdmin', { tenantId }, { body: { username, email } });
  }

  /** Deletes the person from the sign-in pool (platform admins only). */
  removeAdmin(tenantId: string, username: string): Promise<RemovedAdmin> {
    return this.call('removeAdmin', { tenantId, username });
  }

  async listClients(tenantId: string, nextToken?: string): Promise<Page<Client>> {
    return asPage(await this.call('listClients', { tenantId }, { query: { nextToken } }));
  }

  /** Every client of the tenant, following nextToken (for the catalog's reach table). */
  async allClients(tenantId: string): Promise<Client[]> {
    const all: Client[] = [];
    let token: string | undefined;
    do {
      const page = await this.listClients(tenantId, token);
      all.push(...page.items);
      token = page.nextToken;
    } while (token);
    return all;
  }

  getTenant(tenantId: string): Promise<TenantWithClients> {
    return this.call('getTenant', { tenantId });
  }

  /** Lifts a token-budget suspension of the client before its time (platform admins). */
  liftClientBudgetSuspension(client: Client): Promise<Client> {
    return this.call('liftClientBudgetSuspension', { tenantId: client.tenantId, clientId: client.clientId });
  }

  /** Lifts a token-budget suspension of the whole tenant before its time (platform admins). */
  liftTenantBudgetSuspension(tenantId: string): Promise<Tenant> {
    return this.call('liftTenantBudgetSuspension', { tenantId });
  }

  getClient(tenantId: string, clientId: string): Promise<Client> {
    return this.call('getClient', { tenantId, clientId });
  }

  registerClient(tenantId: string, body: CreateClientRequest, idempotencyKey: string): Promise<RegisteredClient> {
    return this.call('createClient', { tenantId }, { body, idempotencyKey });
  }

  patchClient(client: Client, body: PortalRequests['patchClient']): Promise<Client> {
    return this.call('patchClient', { tenantId: client.tenantId, clientId: client.clientId }, { body, ifMatch: client.version });
  }

  deleteClient(client: Client): Promise<Client> {
    return this.call('deleteClient', { tenantId: client.tenantId, clientId: client.clientId });
  }

  rotateSecret(client: Client): Promise<RotatedClient> {
    return this.call('rotateSecret', { tenantId: client.tenantId, clientId: client.clientId });
  }

  /** Ends a rotation's grace period early: deletes the old secret. */
  deleteSecret(client: Client, secretId: string): Promise<Client> {
    return this.call('deleteSecret', { tenantId: client.tenantId, clientId: client.clientId, secretId });
  }

  async audit(tenantId: string, nextToken?: string): Promise<Page<AuditEntry>> {
    return asPage(await this.call('getAudit', { tenantId }, { query: { limit: '50', nextToken } }));
  }

  /** Calls a route by name; the answer is the route's response type. */
  private async call<N extends PortalRouteName>(
    name: N, params: Readonly<Record<string, string>>, options: RequestOptions<N> = {},
  ): Promise<PortalResponses[N]> {
    const { method, path } = routeRequest(name, params);
    return this.request(method, path, options);
  }

  private async request<N extends PortalRouteName>(method: string, path: string, options: RequestOptions<N>): Promise<PortalResponses[N]> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) query.set(k, v);
    const qs = query.toString();
    const url = this.baseUrl + path + (qs ? `?${qs}` : '');
    const headers: Record<string, string> = {
      'Authorization': `Bearer ${await this.accessToken()}`,
      'Content-Type': 'application/json',
    };
    if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
    if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;

    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        // Answers may carry a secret: keep them out of the HTTP cache.
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (err) {
      throw new NetworkError(url, err);
    }
    const text = await res.text();
    let doc: unknown;
    try {
      doc = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      doc = undefined;
    }
    if (!res.ok) {
      const body = (doc ?? {}) as { error?: unknown; message?: unknown; Message?: unknown; requestId?: unknown };
      const message = typeof body.message === 'string' ? body.message
        : typeof body.Message === 'string' ? body.Message : (res.statusText || 'no error message in the answer');
      const requestId = typeof body.requestId === 'string' ? body.requestId
        : res.headers.get('x-amzn-requestid') ?? res.headers.get('x-amz-apigw-id') ?? undefined;
      throw new ApiError(res.status, message, typeof body.error === 'string' ? body.error : undefined, requestId);
    }
    if (doc === undefined) throw new ApiError(res.status, 'The API answered with something other than JSON');
    return doc as PortalResponses[N];
  }
}
