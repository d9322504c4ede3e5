import * as path from 'path';
import { Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { IM2mUserPool, IssuerFormat } from './m2m-user-pool';
import type { PortalUserPool } from './portal-user-pool';
import { acknowledgeRule } from './private/acknowledge';
import {
  ALLOWED_METRIC, DENIED_METRIC, DENY_POLICY_REASONS, DENY_REASONS, FUNCTION_DIMENSION, METRICS_NAMESPACE, REASON_DIMENSION,
  UNTRUSTED_DIRECTORY_PARAMETERS_METRIC,
} from './private/authorizer-metrics';
import { MAX_OUTAGE_BACKOFF_MS, OUTAGE_BACKOFF_MS_ENV } from './private/client-directory';
import { checkedNetwork, handlerFunction, HandlerFunctionProps, requestHandlerDefaults } from './private/handler-function';
import { poolState } from './private/registry';
import { buildRouteTable, RouteSource } from './private/route-table';
import { LateFileCode, StageLateFileCode } from './private/route-table-code';
import { WireTrustedClients } from './private/trusted-clients';
import { ADDITIONAL_USER_POOLS_ENV, TrustedPoolEntry, USER_POOL_ISSUERS_ENV } from './private/trusted-pools';
import { checkDuration, propError } from './private/validation';
import type { ITenantAppClient } from './tenant-app-client';
import type { ITenantRegistry } from './tenant-registry';

/**
 * Options of the bundled tenant-aware Lambda authorizer.
 */
export interface LambdaAuthorizerOptions {
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
   * `assets/authorizer`.
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
   * Concurrency reserved for the authorizer. Reserving guarantees capacity
   * (an authorizer that is throttled denies every request) but takes it from
   * the account's unreserved pool.
   *
   * @default - no reservation
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * How long the authorizer's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The VPC the authorizer function runs in (HIPAA, NIST 800-53 and PCI DSS
   * `LambdaInsideVPC`, Control Tower CT.LAMBDA.PR.3). The function must still
   * reach the user pool's JWKS (`https://cognito-idp.<region>.amazonaws.com`)
   * and, with a registry, DynamoDB: give its subnets a NAT gateway (about
   * $32 a month per AZ plus data) or the VPC endpoints for them (a DynamoDB
   * gateway endpoint is free; an interface endpoint is about $7 a month per AZ).
   * A cold start in a VPC is not slower since Lambda's Hyperplane ENIs.
   *
   * @default - the function runs outside any VPC, in the Lambda service's network
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the authorizer function runs in.
   *
   * @default - the VPC's private subnets with egress (Lambda's default)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the authorizer function in `vpc`.
   *
   * @default - a new security group that allows TCP 443 out only (to AWS service endpoints through VPC endpoints or a NAT gateway) and nothing in
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * Options of the native Amazon Cognito user-pool authorizer.
 */
export interface CognitoAuthorizerOptions {
  /**
   * How long API Gateway caches the authorizer's answer for a token.
   *
   * @default Duration.minutes(5)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
   */
  readonly resultsCacheTtl?: Duration;
}

/**
 * An authorizer as a `ScopedRestApi` uses it.
 *
 * @internal
 */
export interface BoundM2mAuthorizer {
  readonly authorizer: apigateway.IAuthorizer;
  /** The authorizer's function, for a Lambda authorizer. */
  readonly function?: lambda.IFunction;
  readonly authorizationType: apigateway.AuthorizationType;
  /** `authorizationScopes` of a method gated by these scopes, if the authorizer uses them. */
  authorizationScopes(scopes: string[]): string[] | undefined;
}

/**
 * Which authorizer a `ScopedRestApi` puts in front of its scoped methods.
 */
export abstract class M2mAuthorizer {
  /**
   * The native Amazon Cognito user-pool authorizer: it requires an access
   * token and allows a method when the token holds ANY of the method's scopes.
   * It tells the backend nothing about the tenant beyond the token's claims.
   */
  public static cognito(options: CognitoAuthorizerOptions = {}): M2mAuthorizer {
    return new CognitoM2mAuthorizer(options);
  }

  /**
   * The bundled tenant-aware Lambda authorizer (a TOKEN authorizer): it
   * verifies Cognito access tokens with aws-jwt-verify (signature, issuer,
   * `token_use=access`, a trusted client), supports any-of and all-of
   * scopes, answers with a policy allowing exactly the methods the token's
   * scopes reach, and passes `tenantId`, `clientId` and `scopes` to the backend.
   */
  public static tenantAware(options: LambdaAuthorizerOptions = {}): M2mAuthorizer {
    return new LambdaM2mAuthorizer(options);
  }

  /**
   * The bundled tenant-aware Lambda authorizer.
   *
   * @deprecated use `M2mAuthorizer.tenantAware()`, the same authorizer under a
   * name that reads well in every language (`lambda` is a keyword in Python).
   */
  public static lambda(options: LambdaAuthorizerOptions = {}): M2mAuthorizer {
    return M2mAuthorizer.tenantAware(options);
  }

  /**
   * The developer portal's authorizer: the Lambda authorizer with a registry,
   * which also accepts access tokens of the portal's sign-in pool (its web
   * client only) and gives each person the portal scope of their group.
   *
   * @internal
   */
  public static _portal(options: LambdaAuthorizerOptions, people: PortalPeopleBinding): M2mAuthorizer {
    return new LambdaM2mAuthorizer(options, people);
  }

  /**
   * A short name of the authorizer kind, e.g. `cognito`.
   */
  public abstract readonly kind: string;

  /**
   * Whether the authorizer can require ALL of a method's scopes (`ScopeMatch.ALL_OF`).
   */
  public abstract readonly supportsAllOf: boolean;

  /**
   * Access-log fields (name → `$context` variable) that say who called.
   *
   * @internal
   */
  public abstract _accessLogFields(): Record<string, string>;

  /**
   * Where the caller's identity is in API Gateway's `context` (header name → context path).
   *
   * @internal
   */
  public abstract _callerContext(): Record<string, string>;

  /**
   * Creates the authorizer for an API, once.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, userPool: IM2mUserPool, routes: () => RouteSource[]): BoundM2mAuthorizer;
}

class CognitoM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'cognito';
  public readonly supportsAllOf = false;

  constructor(private readonly options: CognitoAuthorizerOptions) {
    super();
  }

  public _accessLogFields(): Record<string, string> {
    return { clientId: '$context.authorizer.claims.client_id', scope: '$context.authorizer.claims.scope' };
  }

  public _callerContext(): Record<string, string> {
    // The native authorizer knows no tenant: only the token's claims.
    return { 'X-Client-Id': 'context.authorizer.claims.client_id', 'X-Scopes': 'context.authorizer.claims.scope' };
  }

  public _bind(scope: Construct, userPool: IM2mUserPool, _routes: () => RouteSource[]): BoundM2mAuthorizer {
    const ttl = this.options.resultsCacheTtl ?? Duration.minutes(5);
    checkDuration(scope, 'authorizer.resultsCacheTtl', ttl, Duration.seconds(0), Duration.hours(1));
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
      cognitoUserPools: [userPool.userPool],
      identitySource: apigateway.IdentitySource.header('Authorization'),
      resultsCacheTtl: ttl,
    });
    return {
      authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizationScopes: (scopes) => scopes,
    };
  }
}

/**
 * Where `npx projen bundle` puts the authorizer (same depth from lib/ and out/):
 * without and with tenant-registry support (the registry code and its
 * DynamoDB lookup only ship when a registry is set).
 */
const AUTHORIZER_BUNDLE = path.join(__dirname, '..', 'assets', 'authorizer');
const REGISTRY_AUTHORIZER_BUNDLE = path.join(__dirname, '..', 'assets', 'authorizer-registry');
const PORTAL_AUTHORIZER_BUNDLE = path.join(__dirname, '..', 'assets', 'authorizer-portal');

/**
 * The people a portal authorizer trusts besides M2M clients
 * (lambda/authorizer/people.ts reads these as PEOPLE_* variables).
 *
 * @internal
 */
export interface PortalPeopleBinding {
  readonly pool: PortalUserPool;
  /** Full scope strings. */
  readonly adminScope: string;
  readonly tenantAdminScope: string;
}

/** Rejects headers that cannot be a bearer JWT before the function runs. */
const BEARER_JWT = '^Bearer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+$';

class LambdaM2mAuthorizer extends M2mAuthorizer {
  public readonly kind = 'lambda';
  public readonly supportsAllOf = true;

  constructor(private readonly options: LambdaAuthorizerOptions, private readonly people?: PortalPeopleBinding) {
    super();
  }

  public _accessLogFields(): Record<string, string> {
    return {
      tenantId: '$context.authorizer.tenantId',
      clientId: '$context.authorizer.clientId',
      ...(this.people ? { username: '$context.authorizer.username' } : {}),
      scope: '$context.authorizer.scopes',
      authorizerLatency: '$context.authorizer.integrationLatency',
    };
  }

  public _callerContext(): Record<string, string> {
    return { 'X-Tenant-Id': 'context.authorizer.tenantId', 'X-Client-Id': 'context.authorizer.clientId', 'X-Scopes': 'context.authorizer.scopes' };
  }

  public _bind(scope: Construct, userPool: IM2mUserPool, routes: () => RouteSource[]): BoundM2mAuthorizer {
    const o = this.options;
    const ttl = o.resultsCacheTtl ?? Duration.seconds(30);
    checkDuration(scope, 'authorizer.resultsCacheTtl', ttl, Duration.seconds(0), Duration.hours(1));
    const memorySize = o.memorySize ?? 512;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw propError(scope, 'authorizer.memorySize', memorySize, 'must be a whole number of MB from 128 to 10240');
    }
    const timeout = o.timeout ?? Duration.seconds(5);
    checkDuration(scope, 'authorizer.timeout', timeout, Duration.seconds(3), Duration.seconds(29));
    if (o.outageBackoff) checkDuration(scope, 'authorizer.outageBackoff', o.outageBackoff, Duration.seconds(0), Duration.millis(MAX_OUTAGE_BACKOFF_MS));

    if (this.people && !o.registry) throw propError(scope, 'authorizer.registry', 'undefined', 'the portal authorizer needs the tenant registry');
    const bundle = this.people ? PORTAL_AUTHORIZER_BUNDLE : o.registry ? REGISTRY_AUTHORIZER_BUNDLE : AUTHORIZER_BUNDLE;
    const code = new LateFileCode(bundle, 'routes.json', () => JSON.stringify(buildRouteTable(routes())));
    Aspects.of(scope).add(new StageLateFileCode(scope, code));

    const additional = o.additionalUserPools ?? [];
    checkAdditionalPools(scope, userPool, additional);
    const root = TenantAwareAuthorizer._create(scope, 'TenantAuthorizer', {
      ids: { logs: 'Logs', role: 'Role', function: 'Function' },
      code,
      description: 'Verifies Cognito M2M access tokens and allows the methods their scopes reach',
      roleDescription: 'Tenant-aware M2M authorizer: writes its own logs and traces, nothing else',
      memorySize,
      timeout,
      logRetention: o.logRetention,
      reservedConcurrentExecutions: o.reservedConcurrentExecutions,
      network: checkedNetwork(scope, 'authorizer.', o),
      defaults: requestHandlerDefaults('the authorizer is throttled and API Gateway denies the requests',
        'the user pool\'s JWKS, SSM Parameter Store for the client directory, DynamoDB for a registry'),
      environment: {
        USER_POOL_ID: userPool.userPoolId,
        JWKS_TIMEOUT_MS: '1500',
      },
    });
    const fn = root._function;
    if (userPool.issuerFormats.join() !== IssuerFormat.ORIGINAL) fn.addEnvironment(USER_POOL_ISSUERS_ENV, userPool.issuerFormats.join(','));
    if (o.outageBackoff) fn.addEnvironment(OUTAGE_BACKOFF_MS_ENV, String(o.outageBackoff.toMilliseconds()));
    if (additional.length > 0) {
      fn.addEnvironment(ADDITIONAL_USER_POOLS_ENV, Stack.of(fn).toJsonString(
        additional.map((p): TrustedPoolEntry => ({ userPoolId: p.userPoolId, issuerFormats: p.issuerFormats })),
      ));
    }
    // CLIENT_TENANTS or CLIENT_TENANTS_PATH, decided once every tenant is declared.
    Aspects.of(scope).add(new WireTrustedClients(root, fn, () => [
      ...(o.trustedClients ?? [...poolState(userPool).tenants.values()]),
      ...additional.flatMap((p) => [...poolState(p).tenants.values()].map((c) => ({ client: c, userPoolId: p.userPoolId }))),
    ]));
    if (o.registry) {
      const registryTtl = o.registryCacheTtl ?? Duration.seconds(30);
      checkDuration(scope, 'authorizer.registryCacheTtl', registryTtl, Duration.seconds(0), Duration.minutes(15));
      fn.addEnvironment('TABLE_NAME', o.registry.tableName);
      fn.addEnvironment('REGISTRY_CACHE_TTL_SECONDS', String(registryTtl.toSeconds()));
      o.registry.grantLookup(fn);
    }
    if (this.people) {
      const p = this.people;
      fn.addEnvironment('PEOPLE_POOL_ID', p.pool.userPoolId);
      fn.addEnvironment('PEOPLE_CLIENT_ID', p.pool.webClient.userPoolClientId);
      fn.addEnvironment('PEOPLE_ADMIN_GROUP', p.pool.adminGroupName);
      fn.addEnvironment('PEOPLE_TENANT_GROUP_PREFIX', p.pool.tenantGroupPrefix);
      fn.addEnvironment('PEOPLE_ADMIN_SCOPE', p.adminScope);
      fn.addEnvironment('PEOPLE_TENANT_ADMIN_SCOPE', p.tenantAdminScope);
    }
    const authorizer = new apigateway.TokenAuthorizer(scope, 'LambdaAuthorizer', {
      handler: fn,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      validationRegex: BEARER_JWT,
      resultsCacheTtl: ttl,
    });
    acknowledgeRule(scope, 'AwsSolutions-COG4',
      'Scoped methods use the bundled Lambda authorizer, which verifies Cognito access tokens (signature, issuer, token_use, trusted client) with aws-jwt-verify and enforces each method\'s scopes.');
    return {
      authorizer,
      authorizationType: apigateway.AuthorizationType.CUSTOM,
      authorizationScopes: () => undefined,
      function: fn,
    };
  }
}

/** Each additional pool once, and none of them the API's own. */
function checkAdditionalPools(scope: Construct, own: IM2mUserPool, pools: IM2mUserPool[]): void {
  pools.forEach((p, i) => {
    if (p === own) throw propError(scope, `authorizer.additionalUserPools[${i}]`, p.node.path, 'is the API\'s own user pool, which is always trusted');
    if (pools.indexOf(p) !== i) throw propError(scope, `authorizer.additionalUserPools[${i}]`, p.node.path, 'is listed twice');
  });
}

/**
 * Why the tenant-aware authorizer denied a request: the `reason` dimension of
 * its `Denied` metric and the `reason` field of its log line.
 */
export enum DenyReason {
  /** No `Authorization` header. */
  MISSING_HEADER = 'missing_header',
  /** The header is not `Bearer <token>`. */
  BAD_SCHEME = 'bad_scheme',
  /** The token is not a well-formed JWT. */
  MALFORMED = 'malformed',
  /** The token is larger than the authorizer accepts. */
  TOO_LARGE = 'too_large',
  /** The token is not signed with RS256. */
  ALG_NOT_ALLOWED = 'alg_not_allowed',
  /** The token's key id is not in the user pool's JWKS. */
  UNKNOWN_KID = 'unknown_kid',
  /** The signature does not verify. */
  BAD_SIGNATURE = 'bad_signature',
  /** The token has expired. */
  EXPIRED = 'expired',
  /** The token is not valid yet. */
  NOT_YET_VALID = 'not_yet_valid',
  /** The token comes from an issuer the authorizer does not trust. */
  WRONG_ISSUER = 'wrong_issuer',
  /** The token is not an access token. */
  WRONG_TOKEN_USE = 'wrong_token_use',
  /** The token's app client is not a trusted client. */
  UNTRUSTED_CLIENT = 'untrusted_client',
  /** The token's scopes reach no method of the API (answered with a Deny policy, not `Unauthorized`). */
  NO_SCOPE = 'no_scope',
  /** A person of the developer portal's sign-in pool whose groups give no role. */
  NO_ROLE = 'no_role',
  /** The tenant registry knows the client, but the client or its tenant is not active. */
  SUSPENDED = 'suspended',
  /** The token's tenant claim names another tenant than the authorizer's own mapping. */
  TENANT_MISMATCH = 'tenant_mismatch',
  /** The user pool's JWKS could not be fetched (an outage, not the caller's fault). */
  JWKS_UNAVAILABLE = 'jwks_unavailable',
  /** The tenant registry could not be read (an outage, not the caller's fault). */
  REGISTRY_UNAVAILABLE = 'registry_unavailable',
  /** The client directory in SSM Parameter Store could not be read (an outage, not the caller's fault). */
  TENANTS_UNAVAILABLE = 'tenants_unavailable',
  /** The authorizer's deployment is misconfigured: it denies every request. */
  CONFIG_ERROR = 'config_error',
}

/**
 * The bundled tenant-aware Lambda authorizer of an API: its function, log
 * group and metrics. An API creates it with its first scoped method when its
 * authorizer is `M2mAuthorizer.tenantAware()` (the default); get it with
 * `TenantAwareAuthorizer.of(api)`.
 *
 * The function counts its decisions in CloudWatch (namespace `CdkCognitoM2m`,
 * dimension `functionName`, and `reason` for denials) in Embedded Metric
 * Format: no API call, and no log line besides the one per denial it writes
 * anyway and one per 10 seconds per execution environment for the allowed
 * decisions. Tenant and client ids are not dimensions (each distinct set of
 * dimension values is a custom metric, billed per month): they are fields of
 * the log lines, for CloudWatch Logs Insights.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export class TenantAwareAuthorizer extends Construct {
  /**
   * The tenant-aware authorizer of an API (a `ScopedRestApi`, or a
   * `DeveloperPortal`'s `api`).
   *
   * @param api an API whose authorizer is `M2mAuthorizer.tenantAware()` and which has a scoped method
   */
  public static of(api: apigateway.IRestApi): TenantAwareAuthorizer {
    const child = api.node.tryFindChild('TenantAuthorizer');
    if (!(child instanceof TenantAwareAuthorizer)) {
      throw propError(api, 'TenantAwareAuthorizer.of(api)', api.node.path,
        'the API has no tenant-aware Lambda authorizer: it is created with the first scoped method (addScopedMethod) of a ScopedRestApi whose authorizer is M2mAuthorizer.tenantAware(), the default; add the scoped methods first');
    }
    return child;
  }

  /**
   * Creates the authorizer's function (`_bind` of the tenant-aware authorizer).
   *
   * @internal
   */
  public static _create(scope: Construct, id: string, props: HandlerFunctionProps): TenantAwareAuthorizer {
    return new TenantAwareAuthorizer(scope, id, props);
  }

  /**
   * The function API Gateway invokes to authorize a request. Its own metrics
   * (`metricInvocations()`, `metricDuration()`, `metricThrottles()`) are
   * Lambda's; mind that `metricErrors()` also counts every request denied
   * with `Unauthorized`: see `metricFailures()`.
   */
  public readonly handler: lambda.IFunction;

  /**
   * The function's log group: one JSON line per denial (`msg: "denied"`,
   * `reason`, `clientId`), configuration errors and outages.
   */
  public readonly logGroup: logs.ILogGroup;

  /** @internal */
  public readonly _function: lambda.Function;

  private constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { fn } = handlerFunction(this, props);
    this._function = fn;
    this.handler = fn;
    this.logGroup = fn.logGroup;
  }

  /**
   * A metric of the authorizer's decisions, in namespace `CdkCognitoM2m`
   * with the dimension `functionName` (more dimensions through
   * `props.dimensionsMap`, e.g. `reason`).
   *
   * @param metricName `Allowed`, `Denied` or `UntrustedDirectoryParameters`
   * @param props options; `dimensionsMap` adds to the `functionName` dimension
   * @default - sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
      dimensionsMap: { [FUNCTION_DIMENSION]: this.handler.functionName, ...props?.dimensionsMap },
    }).attachTo(this);
  }

  /**
   * Requests the authorizer allowed (a policy allowing the methods the
   * token's scopes reach). An execution environment writes its count at most
   * every 10 seconds, so the last seconds before Lambda retires an idle
   * environment may be missing; API Gateway's `metricCount()` counts every request.
   *
   * @default - sum over 5 minutes
   */
  public metricAllowed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ALLOWED_METRIC, props);
  }

  /**
   * Requests the authorizer denied, for any reason.
   *
   * @default - sum over 5 minutes
   */
  public metricDenied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DENIED_METRIC, props);
  }

  /**
   * Requests the authorizer denied for one reason.
   *
   * @param reason the reason
   * @default - sum over 5 minutes, labelled `Denied: <reason>`
   */
  public metricDeniedFor(reason: DenyReason, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!(DENY_REASONS as readonly string[]).includes(reason)) {
      throw propError(this, 'metricDeniedFor(reason)', reason, `must be a DenyReason: one of ${DENY_REASONS.join(', ')}`);
    }
    return this.metric(DENIED_METRIC, {
      label: `Denied: ${reason}`,
      ...props,
      dimensionsMap: { [REASON_DIMENSION]: reason, ...props?.dimensionsMap },
    });
  }

  /**
   * Parameters found under the authorizer's client directory path in SSM
   * Parameter Store that the library did not create, and which it therefore
   * ignored: someone wrote there besides CloudFormation. Each execution
   * environment writes the count on every directory load that finds any
   * (about every 5 minutes while one is there), and logs each name once.
   * Any is worth an alarm. Always zero with the mapping inline.
   *
   * @default - sum over 5 minutes
   */
  public metricUntrustedDirectoryParameters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(UNTRUSTED_DIRECTORY_PARAMETERS_METRIC, { label: 'Untrusted directory parameters', ...props });
  }

  /**
   * Requests denied because the authorizer's deployment is misconfigured
   * (`DenyReason.CONFIG_ERROR`): it then denies every request, so any is worth an alarm.
   *
   * @default - sum over 5 minutes
   */
  public metricConfigErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricDeniedFor(DenyReason.CONFIG_ERROR, { label: 'Configuration errors', ...props });
  }

  /**
   * Invocations the authorizer could not answer: timeouts, crashes and
   * throttles, after which API Gateway answers 500. Lambda's `Errors` also
   * counts every denial answered with `Unauthorized` (the handler throws it,
   * as API Gateway requires), so this is Lambda's `Errors` minus those
   * denials, plus `Throttles`:
   * `errors - (denied - denyPolicy) + throttles`, where `denyPolicy` are the
   * denials answered with a Deny policy (`DenyReason.NO_SCOPE`).
   *
   * @default - over 5 minutes
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html
   */
  public metricFailures(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const period = props?.period ?? Duration.minutes(5);
    const denyPolicy = DENY_POLICY_REASONS.map((r, i): [string, cloudwatch.IMetric] => [`denyPolicy${i}`, this.metricDeniedFor(r as DenyReason, { period })]);
    return new cloudwatch.MathExpression({
      label: 'Authorizer failures',
      ...props,
      period,
      expression: `FILL(errors, 0) - FILL(denied, 0) + ${denyPolicy.map(([k]) => `FILL(${k}, 0)`).join(' + ')} + FILL(throttles, 0)`,
      usingMetrics: {
        errors: this.handler.metricErrors({ statistic: cloudwatch.Stats.SUM, period }),
        denied: this.metricDenied({ period }),
        throttles: this.handler.metricThrottles({ statistic: cloudwatch.Stats.SUM, period }),
        ...Object.fromEntries(denyPolicy),
      },
    });
  }
}
