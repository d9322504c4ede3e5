import { RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { HandlerPlacementOptions } from './handler-placement';
import type { IssuerFormat } from './m2m-user-pool';

/**
 * A custom domain for the token endpoint.
 */
export interface M2mCustomDomainOptions {
  /**
   * The fully qualified domain name, e.g. `auth.example.com`.
   */
  readonly domainName: string;

  /**
   * An ACM certificate for `domainName`, issued in us-east-1 (Cognito serves
   * custom domains through CloudFront).
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-add-custom-domain.html
   */
  readonly certificate: acm.ICertificate;
}

/**
 * Properties of an `M2mUserPool`.
 */
export interface M2mUserPoolProps {
  /**
   * Name of the user pool.
   *
   * @default - a name CloudFormation generates
   */
  readonly userPoolName?: string;

  /**
   * Prefix of the Cognito-hosted domain that serves the token endpoint
   * (`https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token`). Must be
   * unique in the Region; may not contain `aws`, `amazon` or `cognito`.
   *
   * Set at most one of `domainPrefix` and `customDomain`. With neither, the
   * pool has no domain and no token endpoint: its tenants get tokens with
   * Cognito's `GetClientToken` API (`TenantAppClientOptions.clientTokenAuth`),
   * and the developer portal, which hands out token-endpoint credentials,
   * cannot serve it.
   *
   * @default - no Cognito-hosted domain
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
   */
  readonly domainPrefix?: string;

  /**
   * A custom domain that serves the token endpoint.
   *
   * Set at most one of `domainPrefix` and `customDomain`.
   *
   * @default - no custom domain
   */
  readonly customDomain?: M2mCustomDomainOptions;

  /**
   * The feature plan. Essentials or Plus is needed to customise access tokens
   * of client-credentials grants (pre-token-generation trigger V3_0).
   *
   * @default cognito.FeaturePlan.ESSENTIALS
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
   */
  readonly featurePlan?: cognito.FeaturePlan;

  /**
   * What happens to the pool when it leaves the stack. Deleting a pool deletes
   * every app client and so every tenant's credentials.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether Cognito refuses to delete the pool until protection is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Where the function that rotates the client secrets of this pool's
   * tenants (those with `rotationSchedule`) runs, and the concurrency it
   * keeps. In a VPC it must reach the Cognito API, Secrets Manager and the
   * pool's token endpoint, which has no VPC endpoint: a NAT gateway.
   *
   * @default - outside a VPC, with no reservation (acknowledged on the function, with the reason)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly secretRotation?: HandlerPlacementOptions;

  /**
   * The number of resource servers this pool may hold: Cognito's quota in
   * your account (default 25, raisable to 300). Adding more is a synth error.
   *
   * @default 25
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  readonly resourceServerQuota?: number;

  /**
   * The number of app clients this pool may hold: Cognito's quota in your
   * account (default 1,000, raisable to 10,000). Declaring more
   * `TenantAppClient`s is a synth error. Clients the developer portal
   * registers at run time count against the same quota.
   *
   * @default 1000
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  readonly appClientQuota?: number;

  /**
   * The issuer formats the pool's tokens may carry, which the tenant-aware
   * Lambda authorizer accepts. The pool's issuer configuration is set in
   * Cognito (CloudFormation has no property for it yet): after switching it
   * to `UPDATED` (which multi-Region replication requires), list both formats
   * until tokens of the old format have expired, then `UPDATED` alone.
   *
   * @default [IssuerFormat.ORIGINAL]
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-multi-region.html
   */
  readonly issuerFormats?: IssuerFormat[];

  /**
   * The KMS key that encrypts the Secrets Manager secrets holding app client
   * secrets.
   *
   * @default - a new customer-managed key with yearly rotation, retained on delete
   */
  readonly secretsKey?: kms.IKey;

  /**
   * Whether to alarm when a client secret of the pool is added or deleted
   * (`AddUserPoolClientSecret`, `DeleteUserPoolClientSecret`) or an app
   * client is changed or deleted (`UpdateUserPoolClient`,
   * `DeleteUserPoolClient`) by anyone but the library's rotation function and
   * developer portal (and, for client changes, CloudFormation): an EventBridge
   * rule on CloudTrail events, a KMS-encrypted queue keeping each event for
   * 14 days, and an alarm on the queue (one alarm, about $0.10 a month).
   * EventBridge receives these events only in an account with a CloudTrail
   * trail logging management events.
   *
   * @default true
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/event-types.html
   */
  readonly secretLifecycleAlarm?: boolean;
}

/**
 * Attributes of a user pool that exists outside this stack.
 */
export interface M2mUserPoolAttributes {
  /**
   * The user pool id, e.g. `us-east-1_AbCdEf123`.
   */
  readonly userPoolId: string;

  /**
   * The pool's Cognito domain prefix, to build the token endpoint. Set at
   * most one of `domainPrefix` and `customDomainName`.
   *
   * @default - no Cognito-hosted domain
   */
  readonly domainPrefix?: string;

  /**
   * The pool's custom domain, to build the token endpoint. Set at most one
   * of `domainPrefix` and `customDomainName`.
   *
   * @default - no custom domain; with neither, the pool has no token
   * endpoint and tenants added here use `GetClientToken`
   */
  readonly customDomainName?: string;

  /**
   * The key that encrypts the secrets of app clients this app adds to the pool.
   *
   * @default - a new customer-managed key is created on first use
   */
  readonly secretsKey?: kms.IKey;

  /**
   * The issuer formats the pool's tokens may carry (see `M2mUserPoolProps.issuerFormats`).
   *
   * @default [IssuerFormat.ORIGINAL]
   */
  readonly issuerFormats?: IssuerFormat[];
}
