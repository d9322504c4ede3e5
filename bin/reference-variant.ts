import { Duration } from 'aws-cdk-lib';
import { ScopeDefinition } from '../lib';

/** The resource servers of the reference app. */
export type ReferenceServer = 'orders' | 'invoices';

/** A tenant of the reference app; its scopes are written `<server>:<scope>`, e.g. `orders:read`. */
export interface ReferenceTenant {
  readonly tenantId: string;
  readonly scopes: readonly string[];
  /** @default - the library's default, 60 minutes */
  readonly accessTokenValidity?: Duration;
  /** @default - no rotation */
  readonly rotationSchedule?: Duration;
}

/** The reference app's tenants, each with the least scopes it needs. */
export const REFERENCE_TENANTS: readonly ReferenceTenant[] = [
  // globex's services read their secret with the token client, which re-reads it after a rotation.
  { tenantId: 'globex', scopes: ['orders:read', 'orders:write', 'invoices:read'], accessTokenValidity: Duration.minutes(15), rotationSchedule: Duration.days(30) },
  { tenantId: 'initech', scopes: ['orders:read'] },
  { tenantId: 'umbrella', scopes: ['invoices:read', 'invoices:write'], accessTokenValidity: Duration.hours(2) },
];

/** A method added to the business API, gated by one scope. */
export interface ReferenceMethod {
  /** The resource path below the API root, e.g. `orders/{orderId}`; missing resources are added. */
  readonly path: string;
  readonly httpMethod: string;
  /** `<server>:<scope>` */
  readonly scope: string;
}

/**
 * A later version of the reference app: what a platform team changes in its
 * day-to-day work. test/replacement-safety.test.ts deploys nothing; it
 * compares the templates of two versions.
 */
export interface ReferenceVariant {
  /**
   * The tenants, in the order they are declared.
   * @default REFERENCE_TENANTS
   */
  readonly tenants?: readonly ReferenceTenant[];
  /**
   * Scopes added to a resource server after its own.
   * @default - none
   */
  readonly extraScopes?: Partial<Record<ReferenceServer, readonly ScopeDefinition[]>>;
  /**
   * Methods added to the business API after its own.
   * @default - none
   */
  readonly extraMethods?: readonly ReferenceMethod[];
  /**
   * The developer portal's grace period for rotated secrets.
   * @default - the portal's default
   */
  readonly portalRotationGracePeriod?: Duration;
  /**
   * The access-token lifetime of clients registered in the portal.
   * @default - the portal's default
   */
  readonly portalDefaultAccessTokenValidity?: Duration;
}

/** Splits `<server>:<scope>` into its parts, refusing an unknown server. */
export function parseScopeRef(ref: string): { server: ReferenceServer; scope: string } {
  const [server, scope] = ref.split(':');
  if ((server !== 'orders' && server !== 'invoices') || !scope) {
    throw new Error(`reference app: scope "${ref}" must be written orders:<scope> or invoices:<scope>`);
  }
  return { server, scope };
}
