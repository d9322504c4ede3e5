import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { HandlerPlacementOptions } from '../handler-placement';
import type { IM2mUserPool } from '../m2m-user-pool';
import type { ITenantAppClient } from '../tenant-app-client';
import type { ITenantRegistry } from '../tenant-registry';

/**
 * Options of the bundled tenant-aware Lambda authorizer (`M2mAuthorizer.tenantAware()`).
 *
 * In a VPC (`vpc`: HIPAA, NIST 800-53 and PCI DSS `LambdaInsideVPC`, Control
 * Tower CT.LAMBDA.PR.3) the function must still reach the user pool's JWKS
 * (`https://cognito-idp.<region>.amazonaws.com`), SSM Parameter Store for a
 * client directory and, with a registry, DynamoDB. A cold start in a VPC is
 * not slower since Lambda's Hyperplane ENIs. A reserved concurrency
 * guarantees capacity: an authorizer that is throttled denies every request.
 */
export interface TenantAwareAuthorizerOptions extends HandlerPlacementOptions {
  /**
   * How long API Gateway caches the authorizer's answer for a token. The
   * answer allows every method the token's scopes reach, so a cached answer
   * is right for every method of the API; the TTL bounds how long a
   * suspended tenant keeps access once the registry says so.
   *
   * @default Duration.seconds(30)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html
   */
  readonly resultsCacheTtl?: Duration;

  /**
   * The app clients whose tokens the API accepts, with their tenants.
   *
   * The mapping reaches the function in an environment variable when every
   * client is in the authorizer's stack and it fits (about 80 clients, in
   * Lambda's 4 KB of environment variables). Otherwise it goes to SSM
   * Parameter Store: String parameters (Standard tier, no charge) under
   * `/cdk-cognito-m2m/clients/<authorizer>/`, created in the stack of the
   * clients they list, so tenants can be spread over as many stacks as
   * needed without a cross-stack reference per client. The function may read
   * that path and nothing else; it loads it on the first request and every
   * 5 minutes after, so a tenant removed from the app loses access within
   * 5 minutes of the deployment (plus `resultsCacheTtl`). It trusts only the
   * parameters the library created, whose names it receives in its
   * environment: any other parameter under the path is ignored, logged and
   * counted (`TenantAwareAuthorizer.metricUntrustedDirectoryParameters()`).
   * A stack of clients that needs one more parameter (its clients grew past
   * a parameter's 4 KB) is read once the authorizer's stack is deployed too.
   *
   * @default - every TenantAppClient of the API's user pool declared in this app
   */
  readonly trustedClients?: ITenantAppClient[];

  /**
   * More user pools whose access tokens the authorizer accepts, besides the
   * API's own: for more tenants than one pool's app-client quota, or one pool
   * per Region. Each pool's CDK-declared tenants are trusted for tokens of
   * that pool only (a client id is looked up together with its pool), and
   * each pool's `issuerFormats` decide which issuers are accepted. A pool in
   * another Region is imported with `M2mUserPool.fromUserPoolAttributes`.
   * Tokens of every pool must carry the scopes the methods require: give each
   * pool the same resource servers (identifiers and scope names).
   *
   * @default - the API's user pool only
   */
  readonly additionalUserPools?: IM2mUserPool[];

  /**
   * A tenant registry (as the developer portal keeps) to resolve clients the
   * app does not declare and to deny suspended tenants and clients.
   *
   * With a registry the function deploys the registry build of the bundled
   * authorizer (`assets/authorizer-registry`), which adds the registry
   * resolver and its DynamoDB lookup; without one it deploys the smaller
   * `assets/authorizer` (unless a `TokenBudgets` enforces budget
   * suspensions, which only the registry build does).
   *
   * @default - only the declared clients are trusted; no status checks
   */
  readonly registry?: ITenantRegistry;

  /**
   * How long the authorizer keeps a registry answer in memory. A suspension
   * takes effect within this plus `resultsCacheTtl`.
   *
   * @default Duration.seconds(30)
   */
  readonly registryCacheTtl?: Duration;

  /**
   * How long each execution environment of the authorizer answers from
   * memory after a failed read of the client directory (SSM Parameter
   * Store) or the tenant registry (DynamoDB), instead of reading again on
   * every request: during an outage it reads at most once per this time.
   * Requests that need the data are denied meanwhile (fail closed); answers
   * still fresh in memory keep serving. `Duration.seconds(0)` reads again on
   * every request.
   *
   * @default Duration.seconds(5)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
   */
  readonly outageBackoff?: Duration;

  /**
   * Memory of the authorizer function. Lambda gives CPU in proportion to
   * memory; signature verification and cold start are CPU-bound.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Timeout of the authorizer function. JWKS fetches are bounded at 1.5 s.
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;


  /**
   * How long the authorizer's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Options of the bundled tenant-aware Lambda authorizer.
 *
 * @deprecated use `TenantAwareAuthorizerOptions`, the same options under the
 * authorizer's name (`M2mAuthorizer.tenantAware()`).
 */
export interface LambdaAuthorizerOptions extends TenantAwareAuthorizerOptions {}
