/**
 * The developer portal's HTTP API as both ends see it: the request and
 * response bodies of every route of portal-routes.ts (`PortalRequests`,
 * `PortalResponses`), its error body, and the request rules the web UI checks
 * before sending. The handler (lambda/portal/) returns exactly these types and
 * the web UI (web/portal/api.ts) reads them. Types and import-free rules only:
 * the handler and the browser bundle this module.
 *
 * A field the server leaves undefined is absent from the JSON, so optional
 * fields are written `?`.
 */
import type { AuditEntry } from './audit';
import type { IdRule } from './ids';
import type { PortalRouteName } from './portal-routes';
import type { BudgetSpec, BudgetSubject, BudgetWindow } from './token-budget';

export type { AuditDetail, AuditEntry } from './audit';

/** Who acts: a platform admin (every tenant) or a tenant's own admin. */
export type Role = 'platform-admin' | 'tenant-admin';

/**
 * Status of a tenant or a client in the registry. `deleting`: a delete in
 * progress (denied already); `deleted`: kept as a tombstone.
 */
export type RegistryStatus = 'active' | 'suspended' | 'deleting' | 'deleted';

/** The statuses a request may set: suspend or resume. */
export type SettableStatus = 'active' | 'suspended';

/** One page of a listing; `nextToken` fetches the next. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/** `GET /me`: who calls. */
export interface Me {
  /** The person's username, or the API client's id. */
  readonly principal: string;
  readonly kind: 'person' | 'client';
  readonly role: Role;
  /** The caller's own tenant (tenant admins only). */
  readonly tenantId?: string;
}

/**
 * A tenant's tier on each tiered API the portal manages (API name to tier
 * name); `null` for an API where it has no key yet.
 */
export type TenantUsageTiers = Readonly<Record<string, string | null>>;

export interface Tenant {
  readonly tenantId: string;
  readonly displayName?: string;
  readonly status: RegistryStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  /** Absent when the portal manages no tiered API. */
  readonly usageTiers?: TenantUsageTiers;
  /** The tenant's token budget set in the portal (all its clients together); absent: none. */
  readonly tokenBudget?: TokenBudgetSpec;
  /** The tenant's budget suspension while it lasts (token budgets only). */
  readonly budgetSuspension?: BudgetSuspension;
  /** Sent back as `If-Match` to change the tenant (also the answer's ETag). */
  readonly version: number;
}

/**
 * A token budget as the portal stores it on a tenant and the budget function
 * reads it (token-budget.ts `BudgetSpec`): tokens per UTC hour and day, and
 * the suspension after a crossing, in seconds (absent: alarm only).
 */
export type TokenBudgetSpec = BudgetSpec;

/**
 * A budget suspension in force: the authorizer denies the client (or every
 * client of the tenant) with the reason `token_budget` until `until`, or
 * until a platform admin lifts it.
 */
export interface BudgetSuspension {
  readonly subject: BudgetSubject;
  /** ISO time the suspension ends. */
  readonly until: string;
  /** The budget crossed: per `hour` or per `day`. */
  readonly window: BudgetWindow;
  readonly budget: number;
  /** New tokens counted when the crossing was seen. */
  readonly count: number;
  /** ISO time of the suspension. */
  readonly since?: string;
}

/** `GET /tenants/{tenantId}`: the tenant and its first clients. */
export interface TenantWithClients extends Tenant {
  readonly clients: Client[];
  readonly clientsNextToken?: string;
}

/** A secret rotation: both secrets work until `graceUntil` (`overlap`), or a rotation is being started (`in_progress`). */
export type ClientRotation =
  | { readonly state: 'overlap'; readonly oldSecretId: string; readonly newSecretId: string; readonly graceUntil: string }
  | { readonly state: 'in_progress' };

export interface Client {
  readonly tenantId: string;
  readonly clientId: string;
  readonly name: string;
  readonly scopes: string[];
  readonly accessTokenValidityMinutes: number;
  readonly status: RegistryStatus;
  /** Where the client gets its tokens (the M2M pool's token endpoint). */
  readonly tokenEndpoint: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly lastRotatedAt?: string;
  readonly deletedAt?: string;
  readonly rotation?: ClientRotation;
  /** Who suspended a suspended client: only a platform admin lifts a platform admin's suspension. */
  readonly suspendedBy?: Role;
  /** The client's budget suspension while it lasts (in tenant and client answers; token budgets only). */
  readonly budgetSuspension?: BudgetSuspension;
  /** Sent back as `If-Match` to change the client (also the answer's ETag). */
  readonly version: number;
}

/** A client secret as listed: its id and creation date, never its value. */
export interface ClientSecretInfo {
  readonly clientSecretId: string;
  readonly createdAt?: string;
}

/** `GET …/clients/{clientId}`: a live client lists its secrets (a deleted one does not). */
export interface ClientWithSecrets extends Client {
  readonly secrets?: ClientSecretInfo[];
}

/**
 * `POST …/clients`: 201 with the client's secret, shown this once; 200 for a
 * repeated registration that had already completed (the secret is not
 * shown again).
 */
export type RegisteredClient =
  | (Client & { readonly clientSecret: string })
  | (Client & { readonly secretAlreadyIssued: true });

/** `POST …/clients/{clientId}/secrets`: the client and, this once, its new secret; the old one works until `graceUntil`. */
export interface RotatedClient extends Client {
  readonly clientSecretId: string;
  readonly clientSecret: string;
  readonly oldSecretId: string;
  readonly graceUntil: string;
}

/** `DELETE …/secrets/{secretId}`: the client and the secrets it still holds. */
export interface ClientWithoutSecret extends Client {
  readonly deletedSecretId: string;
  readonly secrets: { readonly clientSecretId: string }[];
}

/** An admin of a tenant: a person of the portal's sign-in pool in the tenant's group. */
export interface TenantAdmin {
  readonly username: string;
  readonly email?: string;
  /** Cognito's user status, e.g. FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED. */
  readonly status: string;
  readonly enabled: boolean;
}

/** `POST /tenants/{tenantId}/admins`: the invited admin (Cognito e-mails a temporary password). */
export interface InvitedAdmin extends TenantAdmin {
  readonly tenantId: string;
}

/** `DELETE /tenants/{tenantId}/admins/{username}`: the person is deleted from the sign-in pool. */
export interface RemovedAdmin {
  readonly username: string;
  readonly tenantId: string;
  readonly removed: true;
}

/** The answer of every route, by route name (portal-routes.ts). */
export interface PortalResponses {
  readonly me: Me;
  readonly listTenants: Page<Tenant>;
  readonly createTenant: Tenant;
  readonly getTenant: TenantWithClients;
  readonly patchTenant: Tenant;
  readonly deleteTenant: Tenant;
  readonly getAudit: Page<AuditEntry>;
  readonly listAdmins: Page<TenantAdmin>;
  readonly inviteAdmin: InvitedAdmin;
  readonly removeAdmin: RemovedAdmin;
  readonly listClients: Page<Client>;
  readonly createClient: RegisteredClient;
  readonly getClient: ClientWithSecrets;
  readonly patchClient: Client;
  readonly deleteClient: Client;
  readonly rotateSecret: RotatedClient;
  readonly deleteSecret: ClientWithoutSecret;
  readonly setUsageTier: Tenant;
  readonly setTokenBudget: Tenant;
  readonly liftTenantBudgetSuspension: Tenant;
  readonly liftClientBudgetSuspension: Client;
}

/** A compile error names a route without a response type here, or a response type of no route. */
type Exactly<T extends never> = T;
export type EveryRouteAnswered = Exactly<Exclude<PortalRouteName, keyof PortalResponses> | Exclude<keyof PortalResponses, PortalRouteName>>;

export interface CreateTenantRequest {
  readonly tenantId: string;
  readonly displayName?: string;
}

export interface PatchTenantRequest {
  readonly status: SettableStatus;
}

export interface InviteAdminRequest {
  readonly username: string;
  readonly email: string;
}

export interface CreateClientRequest {
  readonly name: string;
  readonly scopes: string[];
  /** @default the portal's default token validity */
  readonly accessTokenValidityMinutes?: number;
}

/** At least one field. */
export interface PatchClientRequest {
  readonly status?: SettableStatus;
  readonly scopes?: string[];
  readonly accessTokenValidityMinutes?: number;
}

export interface SetUsageTierRequest {
  readonly tier: string;
}

/** `PUT /tenants/{tenantId}/token-budget`: the tenant's budget, or `null` to remove it. */
export interface SetTokenBudgetRequest {
  readonly tokenBudget: TokenBudgetSpec | null;
}

/** The body of every route that takes one, by route name; the others take none. */
export interface PortalRequests {
  readonly createTenant: CreateTenantRequest;
  readonly patchTenant: PatchTenantRequest;
  readonly inviteAdmin: InviteAdminRequest;
  readonly createClient: CreateClientRequest;
  readonly patchClient: PatchClientRequest;
  readonly setUsageTier: SetUsageTierRequest;
  readonly setTokenBudget: SetTokenBudgetRequest;
}

/** A compile error names a request body of no route. */
export type EveryRequestRouted = Exactly<Exclude<keyof PortalRequests, PortalRouteName>>;

/** The `error` code of an error answer. */
export type PortalErrorCode =
  | 'bad_request' | 'forbidden' | 'not_found' | 'conflict' | 'throttled' | 'rate_limited'
  | 'client_limit_reached' | 'pool_client_quota_reached' | 'api_key_quota_reached' | 'internal';

/** The body of an error answer of the handler (API Gateway's own answers carry `message` or `Message` only). */
export interface PortalErrorBody {
  readonly error: PortalErrorCode;
  /** `<field>: <value> is invalid: <rule>` for a bad request. */
  readonly message: string;
  /** Only for `internal`: quote it when reporting the error. */
  readonly requestId?: string;
}

/** The name of a client the portal registers (`@portal.<tenantId>.<name>` in Cognito, see portal.ts). */
export const CLIENT_NAME: IdRule = {
  pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,46}[A-Za-z0-9])?$/,
  minLength: 1,
  maxLength: 48,
  describe: '1-48 characters [A-Za-z0-9_-], starting and ending with a letter or digit',
};

/** Access-token validity of a registered client, in minutes (Cognito's range for access tokens). */
export const MIN_ACCESS_TOKEN_VALIDITY_MINUTES = 5;
export const MAX_ACCESS_TOKEN_VALIDITY_MINUTES = 1440;

/** Scopes one client may hold (Cognito's limit per app client). */
export const MAX_SCOPES = 50;
