/**
 * The contract between the DeveloperPortal construct (lib/developer-portal.ts),
 * TenantAppClient (which must never produce a name of the portal's name space)
 * and the portal handler (lambda/portal/): the portal's Cognito client names,
 * its environment (names, defaults, ranges) and its pool metrics. Its HTTP
 * API is portal-api.ts, its routes portal-routes.ts. Imports only other
 * contracts: the handler bundles this module.
 */
import { METRICS_NAMESPACE } from './authorizer-metrics';
import type { DefaultedSetting } from './env';
import { MAX_ACCESS_TOKEN_VALIDITY_MINUTES, MIN_ACCESS_TOKEN_VALIDITY_MINUTES } from './portal-api';

/**
 * Prefix of the Cognito app client names the portal gives the clients it
 * registers: `@portal.<tenantId>.<name>`. Tenant ids and TenantAppClient's
 * default names (the tenant id) cannot start with `@`, and TenantAppClient
 * refuses a `clientName` starting with this prefix (in any case), so only the
 * portal creates names in this space, and its clean-up deletes nothing else.
 */
export const PORTAL_CLIENT_NAME_PREFIX = '@portal.';

/**
 * The Cognito app client name of a portal client (deterministic, so a retry
 * finds the client a lost answer left behind). Tenant ids are at most 64
 * characters and client names 48: at most 121 of Cognito's 128.
 */
export function portalClientName(tenantId: string, name: string): string {
  return `${PORTAL_CLIENT_NAME_PREFIX}${tenantId}.${name}`;
}

/** True for a name in the portal's name space (case-insensitive: a look-alike is refused too). */
export function isPortalClientName(clientName: string): boolean {
  return clientName.toLowerCase().startsWith(PORTAL_CLIENT_NAME_PREFIX);
}

/** A setting of the portal, defaulted by the handler. */
export type PortalLimit = DefaultedSetting;

/**
 * The portal function's own variables. DeveloperPortal sets all of them but
 * the last two always (the M2M pool, the token endpoint, the portal's scopes
 * as full scope strings, GRANTABLE_SCOPES a JSON array of them, and the
 * settings below); ALLOWED_ORIGIN with a web UI, USAGE_TIERS (usage-tiers.ts)
 * with tiered APIs.
 */
export enum PORTAL_ENV {
  userPoolId = 'USER_POOL_ID',
  tokenEndpoint = 'TOKEN_ENDPOINT',
  adminScope = 'ADMIN_SCOPE',
  tenantAdminScope = 'TENANT_ADMIN_SCOPE',
  grantableScopes = 'GRANTABLE_SCOPES',
  defaultTokenValidityMinutes = 'DEFAULT_TOKEN_VALIDITY_MINUTES',
  rotationGraceHours = 'ROTATION_GRACE_HOURS',
  maxClientsPerTenant = 'MAX_CLIENTS_PER_TENANT',
  callerRequestsPerMinute = 'CALLER_REQUESTS_PER_MINUTE',
  appClientQuota = 'APP_CLIENT_QUOTA',
  /** The web UI's origin, the only one allowed to read answers (CORS). */
  allowedOrigin = 'ALLOWED_ORIGIN',
  usageTiers = 'USAGE_TIERS',
}

/** Clients a tenant may hold at once: active, suspended and pending registrations. */
export const MAX_CLIENTS_PER_TENANT: PortalLimit = { env: PORTAL_ENV.maxClientsPerTenant, default: 25, min: 1, max: 1000 };

/** Changes (POST, PUT, PATCH, DELETE) one caller may make per minute. */
export const CALLER_REQUESTS_PER_MINUTE: PortalLimit = { env: PORTAL_ENV.callerRequestsPerMinute, default: 60, min: 1, max: 10_000 };

/** The user pool's app client quota (1,000 by default, raisable to 10,000 in Service Quotas). */
export const APP_CLIENT_QUOTA: PortalLimit = { env: PORTAL_ENV.appClientQuota, default: 1000, min: 1, max: 100_000 };

/** Access-token validity of a client registered without one (`defaultAccessTokenValidity`). */
export const DEFAULT_TOKEN_VALIDITY_MINUTES: PortalLimit = {
  env: PORTAL_ENV.defaultTokenValidityMinutes, default: 60, min: MIN_ACCESS_TOKEN_VALIDITY_MINUTES, max: MAX_ACCESS_TOKEN_VALIDITY_MINUTES, unit: 'minutes',
};

/** How long both secrets work after a rotation (`rotationGracePeriod`). */
export const ROTATION_GRACE_HOURS: PortalLimit = { env: PORTAL_ENV.rotationGraceHours, default: 24, min: 1, max: 720, unit: 'hours' };

/**
 * Pool metrics, in namespace `CdkCognitoM2m` with the dimension `userPoolId`
 * (the same value whichever portal of the pool writes it): the hourly sweep
 * counts the pool's app clients (every client, the portal's and the CDK's)
 * and writes `PoolAppClients` and `PoolAppClientHeadroom` (the quota minus
 * the count) in Embedded Metric Format; a registration that Cognito refuses
 * with LimitExceededException counts and writes them at once.
 */
export const PORTAL_METRICS_NAMESPACE = METRICS_NAMESPACE;
export const POOL_DIMENSION = 'userPoolId';
export const POOL_CLIENTS_METRIC = 'PoolAppClients';
export const POOL_HEADROOM_METRIC = 'PoolAppClientHeadroom';
