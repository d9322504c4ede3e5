import { Duration } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { HandlerPlacementOptions } from './handler-placement';
import type { IM2mUserPool } from './m2m-user-pool';
import type { PortalPerson } from './portal-user-pool';
import type { PortalSiteOptions } from './portal-web-ui';
import type { ScopedRestApi } from './scoped-rest-api';
import type { ITenantRegistry } from './tenant-registry';

/**
 * The developer portal's web UI: where people sign in, what it shows, and
 * where it is served.
 */
export interface DeveloperPortalWebUiOptions extends PortalSiteOptions {
  /**
   * Prefix of the Cognito managed-login domain people sign in at
   * (`https://<prefix>.auth.<region>.amazoncognito.com`). The sign-in pool is
   * a separate user pool from the M2M pool.
   */
  readonly signInDomainPrefix: string;

  /**
   * The APIs whose methods and scopes the UI shows tenants (the API
   * catalog), each with its OpenAPI document, named after its construct id.
   * APIs created after the portal are added with `addCatalogApi`.
   *
   * @default - an empty catalog
   */
  readonly catalog?: ScopedRestApi[];

  /**
   * Platform admins to create with the sign-in pool. Cognito e-mails each a
   * temporary password; tenant admins are invited from the portal.
   *
   * @default - none; create the first one with the AWS CLI (see docs/developer-portal.md)
   */
  readonly platformAdmins?: PortalPerson[];

  /**
   * How long a sign-in lasts (the refresh token's validity).
   *
   * @default Duration.hours(8)
   */
  readonly sessionValidity?: Duration;
}

/**
 * Properties of a `DeveloperPortal`. The placement options (`runtime`,
 * `vpc`, `vpcSubnets`, `securityGroups`, `reservedConcurrentExecutions`)
 * apply to the portal's handler and to its API's authorizer, each.
 */
export interface DeveloperPortalProps extends HandlerPlacementOptions {
  /**
   * The user pool whose app clients the portal manages.
   */
  readonly userPool: IM2mUserPool;

  /**
   * The scopes the portal may give to the clients it registers (scopes of
   * the pool's resource servers). The portal's own admin scope can never be
   * granted through the portal; its tenant-admin scope always can.
   */
  readonly grantableScopes: cognito.OAuthScope[];

  /**
   * The registry of tenants and clients.
   *
   * @default - a new TenantRegistry
   */
  readonly registry?: ITenantRegistry;

  /**
   * An AWS Backup plan for the registry the portal creates (see
   * `TenantRegistryProps.backupPlan`). With your own `registry`, give the
   * plan to it instead.
   *
   * @default - no backup plan; the registry's point-in-time recovery (35 days) is the only restore path
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
   */
  readonly backupPlan?: backup.IBackupPlan;

  /**
   * Identifier of the resource server that defines the portal's scopes
   * `admin` (platform operators) and `tenant-admin` (a tenant managing its
   * own clients).
   *
   * @default 'm2m-portal'
   */
  readonly identifier?: string;

  /**
   * How long both secrets of a client stay valid after a rotation, unless
   * the tenant confirms earlier by deleting the old one.
   *
   * @default Duration.hours(24)
   */
  readonly rotationGracePeriod?: Duration;

  /**
   * The ARN of a regional AWS WAFv2 web ACL to associate with the portal API's stage.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * Access-token validity of clients registered without one.
   *
   * @default Duration.minutes(60)
   */
  readonly defaultAccessTokenValidity?: Duration;

  /**
   * Whether the portal's API sets up API Gateway's account-level logging role
   * (`AWS::ApiGateway::Account`). Every `ScopedRestApi` of a stack shares one;
   * turn it off when something else in the account and Region manages it.
   *
   * @default true
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;

  /**
   * How many clients one tenant may hold at once through the portal: active,
   * suspended and pending registrations together. A registration beyond it
   * is refused with 409 `client_limit_reached`, naming the limit and the
   * count; deleting a client frees its place. Every tenant shares the pool's
   * app client quota (`appClientQuota`), as do the pool's TenantAppClients:
   * keep the limit times the number of tenants within it.
   *
   * @default 25
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  readonly maxClientsPerTenant?: number;

  /**
   * How many changes (POST, PUT, PATCH and DELETE requests) one caller, a
   * person of the sign-in pool or an admin API client, may make per minute.
   * Beyond it the portal answers 429 `rate_limited` with `Retry-After` until
   * the minute ends, so one admin cannot use up the pool's shared Cognito
   * request quotas for everyone; the API stage's throttle still applies to all.
   *
   * @default 60
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#category_operations
   */
  readonly callerRequestsPerMinute?: number;

  /**
   * The user pool's quota of app clients, against which the portal publishes
   * its headroom (`metricPoolClientHeadroom()`). Set it when you have raised
   * the quota in Service Quotas.
   *
   * @default 1000
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  readonly appClientQuota?: number;

  /**
   * A web UI for people: tenant admins and platform admins sign in (a
   * separate user pool with managed login and TOTP MFA), see the API
   * catalog, and register, rotate, suspend and delete API clients in a
   * browser. The portal API then also accepts their access tokens.
   *
   * @default - no web UI: the portal is an API for M2M admin clients only
   */
  readonly webUi?: DeveloperPortalWebUiOptions;
}
