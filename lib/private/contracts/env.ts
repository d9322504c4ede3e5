/**
 * What the functions' environment contracts are made of, and the variables
 * several functions share. Each function's own contract lists every variable
 * its construct sets (`AUTHORIZER_ENV` in authorizer.ts, with `PEOPLE_ENV` here
 * on the portal's authorizer; `TENANT_CLAIM_ENV` in tenant-claim.ts;
 * `PORTAL_ENV` in portal.ts; `CLIENT_ROTATION_ENV` in client-rotation.ts) and
 * apart from them the variables only an operator sets (`*_OPERATOR_ENV`). The
 * constructs set the variables from those constants and the handlers read
 * them through lambda/shared/config.ts. No imports: the handlers bundle this
 * module.
 */

/**
 * An integer setting passed by environment: its variable, default and
 * inclusive range. Without a default the variable is required.
 */
export interface IntegerSetting {
  readonly env: string;
  readonly default?: number;
  readonly min: number;
  /** `Infinity` for no upper bound. */
  readonly max: number;
  /** What the number counts (`seconds`, `milliseconds`), for messages. */
  readonly unit?: string;
}

/** An integer setting the handler defaults when the variable is unset. */
export interface DefaultedSetting extends IntegerSetting {
  readonly default: number;
}

/**
 * Log level of every handler (`debug`, `info`, `warn` or `error`; default
 * `info`). No construct sets it: an operator may, to debug a deployment.
 */
export const LOG_LEVEL_ENV = 'LOG_LEVEL';

/** The tenant registry's table (`TenantRegistry.tableName`, an `ids.ts` TABLE_NAME), for the functions that read or write it. */
export const TABLE_NAME_ENV = 'TABLE_NAME';

/**
 * How long the authorizer and the tenant-claim trigger keep a registry
 * answer (`registryCacheTtl`, whole seconds).
 */
export const REGISTRY_CACHE_TTL_SECONDS: DefaultedSetting = { env: 'REGISTRY_CACHE_TTL_SECONDS', default: 30, min: 0, max: 900, unit: 'seconds' };

/**
 * The developer portal's sign-in pool for people (PortalUserPool), on the
 * functions that deal with people: all of them on the portal's own authorizer
 * (lambda/authorizer/people.ts checks people's tokens), the pool and the
 * tenant-group prefix on the portal (lambda/portal/people.ts invites them).
 */
export const PEOPLE_ENV = {
  /** The sign-in pool (an `ids.ts` USER_POOL_ID). */
  poolId: 'PEOPLE_POOL_ID',
  /** The portal's public web client (an `ids.ts` CLIENT_ID): the only client whose people's tokens count. */
  clientId: 'PEOPLE_CLIENT_ID',
  /** The group of platform admins (an `ids.ts` GROUP_NAME). */
  adminGroup: 'PEOPLE_ADMIN_GROUP',
  /** A tenant's admins are the members of `<prefix><tenant id>` (a GROUP_NAME prefix). */
  tenantGroupPrefix: 'PEOPLE_TENANT_GROUP_PREFIX',
  /** The full scope a platform admin acts with. */
  adminScope: 'PEOPLE_ADMIN_SCOPE',
  /** The full scope a tenant admin acts with. */
  tenantAdminScope: 'PEOPLE_TENANT_ADMIN_SCOPE',
} as const;
