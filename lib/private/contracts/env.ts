/**
 * What the functions' environment contracts are made of, and the variables
 * several functions share. Each variable name is declared once, as a member
 * of a string enum of the contract it belongs to (esbuild inlines enum
 * members into a bundle, so a name costs a handler no more than a literal):
 * AUTHORIZER_ENV (authorizer.ts), DIRECTORY_ENV (client-directory.ts),
 * TENANT_CLAIM_ENV (tenant-claim.ts), PORTAL_ENV (portal.ts),
 * CLIENT_ROTATION_ENV (client-rotation.ts), and here the shared ones.
 * environments.ts lists every function's variables. The constructs set the
 * variables by these names and the handlers read them through
 * lambda/shared/config.ts. No imports: the handlers bundle this module.
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

/** Variables of every handler that no construct sets: an operator may, to debug a deployment. */
export enum HANDLER_ENV {
  /** `debug`, `info`, `warn` or `error` (default `info`). */
  logLevel = 'LOG_LEVEL',
}

/** The tenant registry, on the functions that read it (the authorizer, the tenant-claim trigger) or write it (the portal: its table only). */
export enum REGISTRY_ENV {
  /** `TenantRegistry.tableName` (an `ids.ts` TABLE_NAME). */
  tableName = 'TABLE_NAME',
  /** How long a registry answer is kept (`registryCacheTtl`): REGISTRY_CACHE_TTL_SECONDS. */
  cacheTtlSeconds = 'REGISTRY_CACHE_TTL_SECONDS',
}

export const REGISTRY_CACHE_TTL_SECONDS: DefaultedSetting = { env: REGISTRY_ENV.cacheTtlSeconds, default: 30, min: 0, max: 900, unit: 'seconds' };

/**
 * The developer portal's sign-in pool for people (PortalUserPool): all of
 * them on the portal's own authorizer (lambda/authorizer/people.ts checks
 * people's tokens), the pool and the tenant-group prefix on the portal
 * (lambda/portal/people.ts invites them).
 */
export enum PEOPLE_ENV {
  /** The sign-in pool (an `ids.ts` USER_POOL_ID). */
  poolId = 'PEOPLE_POOL_ID',
  /** The portal's public web client (an `ids.ts` CLIENT_ID): the only client whose people's tokens count. */
  clientId = 'PEOPLE_CLIENT_ID',
  /** The group of platform admins (an `ids.ts` GROUP_NAME). */
  adminGroup = 'PEOPLE_ADMIN_GROUP',
  /** A tenant's admins are the members of `<prefix><tenant id>` (a GROUP_NAME prefix). */
  tenantGroupPrefix = 'PEOPLE_TENANT_GROUP_PREFIX',
  /** The full scope a platform admin acts with. */
  adminScope = 'PEOPLE_ADMIN_SCOPE',
  /** The full scope a tenant admin acts with. */
  tenantAdminScope = 'PEOPLE_TENANT_ADMIN_SCOPE',
}
