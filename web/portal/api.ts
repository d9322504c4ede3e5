/**
 * The portal API as the UI calls it: its shapes and one `fetch` wrapper that
 * turns every failure into an ApiError (HTTP error) or a NetworkError (no
 * answer), for the page to show.
 */
import type { AuditEntry } from '../../lib/private/contracts/audit';

export type Role = 'platform-admin' | 'tenant-admin';

/** `GET /me`: who is signed in. */
export interface Me {
  readonly principal: string;
  readonly kind: 'person' | 'client';
  readonly role: Role;
  readonly tenantId?: string;
}

export type TenantStatus = 'active' | 'suspended';

export interface Tenant {
  readonly tenantId: string;
  readonly displayName?: string;
  readonly status: TenantStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly version: number;
}

export type ClientStatus = 'active' | 'suspended' | 'deleting' | 'deleted' | 'registering';

export type Rotation =
  | { readonly state: 'overlap'; readonly oldSecretId: string; readonly newSecretId: string; readonly graceUntil: string }
  | { readonly state: 'in_progress' };

export interface Client {
  readonly tenantId: string;
  readonly clientId: string;
  readonly name: string;
  readonly scopes: string[];
  readonly accessTokenValidityMinutes: number;
  readonly status: ClientStatus;
  readonly tokenEndpoint: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly lastRotatedAt?: string;
  readonly deletedAt?: string;
  readonly rotation?: Rotation;
  readonly version: number;
}

/** `POST …/clients`: the client and, this once, its secret. */
export interface RegisteredClient extends Client {
  clientSecret?: string;
}

/** `POST …/secrets`: the client and, this once, the new secret. */
export interface RotatedClient extends Client {
  clientSecret?: string;
  readonly clientSecretId: string;
  readonly oldSecretId: string;
  readonly graceUntil: string;
}

export interface TenantAdmin {
  readonly username: string;
  readonly email?: string;
  readonly status: string;
  readonly enabled: boolean;
}

export interface InvitedAdmin {
  readonly username: string;
  readonly email: string;
  readonly tenantId: string;
  readonly status: string;
}

/** An audit entry as the portal stores and returns it. */
export type { AuditEntry };

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

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

interface RequestOptions {
  readonly body?: unknown;
  /** Sent as `If-Match: "<version>"` (optimistic concurrency). */
  readonly ifMatch?: number;
  readonly idempotencyKey?: string;
  readonly query?: Record<string, string | undefined>;
}

function pathOf(...segments: string[]): string {
  return '/' + segments.map(encodeURIComponent).join('/');
}

function asPage<T>(doc: unknown): Page<T> {
  const page = doc as Page<T> | null;
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
    return this.request('GET', '/me');
  }

  async listTenants(nextToken?: string): Promise<Page<Tenant>> {
    return asPage(await this.request('GET', '/tenants', { query: { nextToken } }));
  }

  createTenant(tenantId: string, displayName?: string): Promise<Tenant> {
    return this.request('POST', '/tenants', { body: { tenantId, displayName } });
  }

  setTenantStatus(tenant: Tenant, status: TenantStatus): Promise<Tenant> {
    return this.request('PATCH', pathOf('tenants', tenant.tenantId), { body: { status }, ifMatch: tenant.version });
  }

  async listAdmins(tenantId: string): Promise<Page<TenantAdmin>> {
    return asPage(await this.request('GET', pathOf('tenants', tenantId, 'admins')));
  }

  inviteAdmin(tenantId: string, username: string, email: string): Promise<InvitedAdmin> {
    return this.request('POST', pathOf('tenants', tenantId, 'admins'), { body: { username, email } });
  }

  /** Deletes the person from the sign-in pool (platform admins only). */
  removeAdmin(tenantId: string, username: string): Promise<unknown> {
    return this.request('DELETE', pathOf('tenants', tenantId, 'admins', username));
  }

  async listClients(tenantId: string, nextToken?: string): Promise<Page<Client>> {
    return asPage(await this.request('GET', pathOf('tenants', tenantId, 'clients'), { query: { nextToken } }));
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

  getClient(tenantId: string, clientId: string): Promise<Client> {
    return this.request('GET', pathOf('tenants', tenantId, 'clients', clientId));
  }

  registerClient(tenantId: string, body: { name: string; scopes: string[]; accessTokenValidityMinutes: number }, idempotencyKey: string):
  Promise<RegisteredClient> {
    return this.request('POST', pathOf('tenants', tenantId, 'clients'), { body, idempotencyKey });
  }

  patchClient(client: Client, body: { status?: 'active' | 'suspended'; scopes?: string[]; accessTokenValidityMinutes?: number }): Promise<Client> {
    return this.request('PATCH', pathOf('tenants', client.tenantId, 'clients', client.clientId), { body, ifMatch: client.version });
  }

  deleteClient(client: Client): Promise<Client> {
    return this.request('DELETE', pathOf('tenants', client.tenantId, 'clients', client.clientId));
  }

  rotateSecret(client: Client): Promise<RotatedClient> {
    return this.request('POST', pathOf('tenants', client.tenantId, 'clients', client.clientId, 'secrets'));
  }

  /** Ends a rotation's grace period early: deletes the old secret. */
  deleteSecret(client: Client, secretId: string): Promise<Client> {
    return this.request('DELETE', pathOf('tenants', client.tenantId, 'clients', client.clientId, 'secrets', secretId));
  }

  async audit(tenantId: string, nextToken?: string): Promise<Page<AuditEntry>> {
    return asPage(await this.request('GET', pathOf('tenants', tenantId, 'audit'), { query: { limit: '50', nextToken } }));
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
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
    return doc as T;
  }
}
