import { ArnFormat, AspectPriority, Aspects, Duration, IAspect, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { BoundM2mAuthorizer, M2mAuthorizer } from './m2m-authorizer';
import type { IM2mUserPool } from './m2m-user-pool';
import { acknowledgeInPacks, acknowledgeRule } from './private/acknowledge';
import { ApiGatewayAccount } from './private/api-gateway-account';
import { logsEncryptionKey } from './private/compliance';
import { ApiDescriptionInput, catalogApi, openApiDocument } from './private/openapi';
import { poolState, resolveScopes, scopeDescriptions } from './private/registry';
import { assignedTenants, usageKeyPrefix } from './private/usage-tier-state';
import { TIERED_API_NAME, USAGE_KEY_PREFIX_ENV, UsageTiersConfig } from './private/usage-tiers';
import { pendingConstruct, propError } from './private/validation';
import type { CatalogApi } from './private/web-ui-contract';
import { ScopedRestApiPart, ScopedRestApiPartOptions } from './scoped-rest-api-part';
import { UsageTier, UsageTierOptions } from './usage-tier';

/**
 * How a method's scopes combine.
 */
export enum ScopeMatch {
  /** The token must hold at least one of the method's scopes. */
  ANY_OF = 'ANY_OF',
  /** The token must hold every one of the method's scopes (needs an authorizer that supports it). */
  ALL_OF = 'ALL_OF',
}

/**
 * What any method of a `ScopedRestApi` may set besides its authorization
 * (which the API sets from the method's scopes, or none for a public method).
 */
export interface ScopedRestApiMethodOptions {
  /**
   * A friendly operation name for the method, e.g. `ListOrders` (SDK
   * generation and the API Gateway console).
   *
   * @default - no operation name
   */
  readonly operationName?: string;

  /**
   * Whether the method also needs an API key (`x-api-key`), e.g. to apply a
   * usage plan.
   *
   * @default false
   */
  readonly apiKeyRequired?: boolean;

  /**
   * The responses the method can send, with their headers and models.
   *
   * @default - none declared
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-response.html
   */
  readonly methodResponses?: apigateway.MethodResponse[];

  /**
   * The request parameters API Gateway accepts (`method.request.querystring.x`:
   * true when required).
   *
   * @default - none
   */
  readonly requestParameters?: { [param: string]: boolean };

  /**
   * The models of request bodies, by content type.
   *
   * @default - none
   */
  readonly requestModels?: { [contentType: string]: apigateway.IModel };

  /**
   * The request validator of the method.
   *
   * @default - the API's `requestValidator` (bodies and parameters), unless `requestValidatorOptions` is set
   */
  readonly requestValidator?: apigateway.IRequestValidator;

  /**
   * A request validator made for this method.
   *
   * @default - the API's `requestValidator`
   */
  readonly requestValidatorOptions?: apigateway.RequestValidatorOptions;
}

/**
 * Options of a method gated by scopes.
 */
export interface ScopedMethodOptions extends ScopedRestApiMethodOptions {
  /**
   * The scopes that reach this method: scopes of the API's user pool.
   */
  readonly scopes: cognito.OAuthScope[];

  /**
   * Whether a token needs any one or all of `scopes`.
   *
   * @default ScopeMatch.ANY_OF
   */
  readonly scopeMatch?: ScopeMatch;
}

/**
 * Options of a method that is public on purpose.
 */
export interface PublicMethodOptions extends ScopedRestApiMethodOptions {
  /**
   * Why the method needs no authorization, e.g. "Load-balancer health check;
   * returns no data". Recorded as the acknowledgement of the cdk-nag rules
   * AwsSolutions-APIG4 and AwsSolutions-COG4 on the method.
   */
  readonly reason: string;
}

/**
 * A method of a `ScopedRestApi` and the scopes that reach it.
 */
export interface ScopedRoute {
  /** HTTP method, upper case (`ANY` for any). */
  readonly httpMethod: string;
  /** Resource path, e.g. `/orders/{id}`. */
  readonly resourcePath: string;
  /** The scopes, as access tokens carry them; empty for a public method. */
  readonly scopes: string[];
  /** How the scopes combine. */
  readonly scopeMatch: ScopeMatch;
  /** Whether the method is public on purpose. */
  readonly isPublic: boolean;
}

/**
 * A CORS preflight that lets a web page at one origin call a resource.
 */
export interface ScopedCorsOptions {
  /**
   * The one origin allowed, e.g. `https://portal.acme.example` (scheme and
   * host, no path). Never `*`: the API takes bearer tokens.
   */
  readonly allowOrigin: string;

  /**
   * The methods the page may call on the resource, e.g. `['GET', 'POST']`.
   */
  readonly allowMethods: string[];

  /**
   * The request headers the page may send.
   *
   * @default ['Authorization', 'Content-Type']
   */
  readonly allowHeaders?: string[];

  /**
   * How long the browser may reuse the preflight's answer.
   *
   * @default Duration.hours(1)
   */
  readonly maxAge?: Duration;
}

/**
 * Properties of a `ScopedRestApi`.
 */
export interface ScopedRestApiProps {
  /**
   * The user pool whose access tokens the API accepts.
   */
  readonly userPool: IM2mUserPool;

  /**
   * The API's name.
   *
   * @default - the construct id
   */
  readonly restApiName?: string;

  /**
   * A description of the API.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Whether the API is deployed to a stage (`prod` by default) with its
   * access log, throttling and optional web ACL.
   *
   * @default true
   */
  readonly deploy?: boolean;

  /**
   * Settings of the stage. Request and response data is never logged
   * (`dataTraceEnabled: true` is refused: it would write bearer tokens to
   * CloudWatch Logs).
   *
   * @default - stage `prod`, INFO execution logs without data, detailed
   * metrics, X-Ray tracing, 100 requests per second (burst 200), JSON access
   * logs to `accessLogGroup`
   */
  readonly deployOptions?: apigateway.StageOptions;

  /**
   * Whether old deployments are kept when the API changes.
   *
   * @default false
   */
  readonly retainDeployments?: boolean;

  /**
   * A custom domain for the API. TLS 1.0 is refused.
   *
   * @default - no custom domain; with one, `SecurityPolicy.TLS_1_2` unless a stricter policy is given
   */
  readonly domainName?: apigateway.DomainNameOptions;

  /**
   * Whether clients may call the default `execute-api` endpoint (turn it off
   * when they must use the custom domain).
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * The endpoint types of the API.
   *
   * @default [EndpointType.REGIONAL]
   */
  readonly endpointTypes?: apigateway.EndpointType[];

  /**
   * A resource policy, e.g. to allow calls from some VPC endpoints or accounts only.
   *
   * @default - no resource policy
   */
  readonly policy?: iam.PolicyDocument;

  /**
   * Where API keys come from for usage plans: the `x-api-key` header, or
   * the authorizer's `usageIdentifierKey`.
   *
   * @default - the x-api-key header
   */
  readonly apiKeySourceType?: apigateway.ApiKeySourceType;

  /**
   * Media types API Gateway treats as binary.
   *
   * @default - none
   */
  readonly binaryMediaTypes?: string[];

  /**
   * Responses at least this large are compressed.
   *
   * @default - no compression
   */
  readonly minCompressionSize?: Size;

  /**
   * Whether the deployment fails on warnings of API Gateway.
   *
   * @default false
   */
  readonly failOnWarnings?: boolean;

  /**
   * Whether the API sets up API Gateway's account-level logging role
   * (`AWS::ApiGateway::Account`). Every `ScopedRestApi` of a stack shares one;
   * turn it off when something else in the account and Region manages it.
   *
   * @default true
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;

  /**
   * What happens to the shared logging role and account settings when they
   * leave the stack (the first API of the stack decides).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly cloudWatchRoleRemovalPolicy?: RemovalPolicy;

  /**
   * The name of the CloudFormation export of the API's URL.
   *
   * @default - no export
   */
  readonly endpointExportName?: string;

  /**
   * The authorizer in front of the scoped methods.
   *
   * @default M2mAuthorizer.tenantAware()
   */
  readonly authorizer?: M2mAuthorizer;

  /**
   * The log group that receives the stage's access logs (JSON, one line per request).
   *
   * @default - a new log group kept for one year and retained on delete
   */
  readonly accessLogGroup?: logs.ILogGroup;

  /**
   * The ARN of a regional AWS WAFv2 web ACL to associate with the stage, e.g.
   * with AWS managed rules and a rate-based rule per client IP.
   *
   * @default - no web ACL
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html
   */
  readonly webAclArn?: string;
}

/**
 * An API Gateway REST API whose every method is gated by OAuth 2.0 scopes or
 * declared public on purpose.
 *
 * Add methods with `addScopedMethod` or `addPublicMethod`. Any other method
 * (for example one added with `resource.addMethod`) fails synthesis with an
 * error naming it.
 *
 * An API larger than one CloudFormation stack (500 resources) keeps its
 * resources and methods in parts, nested stacks added with `addPart`.
 *
 * Defaults a security review expects: JSON access logs to a retained log
 * group, INFO execution logs without request/response data, X-Ray tracing,
 * detailed metrics, stage throttling (100 requests per second, burst 200),
 * a request validator on every scoped method, a regional endpoint, TLS 1.2 on
 * custom domains, and RFC 6750 `WWW-Authenticate` headers on 401 and 403 answers.
 *
 * @example
 * declare const pool: M2mUserPool;
 * declare const orders: ResourceServer;
 * declare const integration: apigateway.Integration;
 * const api = new ScopedRestApi(this, 'Api', { userPool: pool });
 * const res = api.root.addResource('orders');
 * api.addScopedMethod(res, 'GET', integration, { scopes: [orders.scope('read')] });
 */
export class ScopedRestApi extends apigateway.RestApi {
  /**
   * The user pool whose tokens the API accepts.
   */
  public readonly m2mUserPool: IM2mUserPool;

  /**
   * The authorizer kind in front of the scoped methods.
   */
  public readonly m2mAuthorizer: M2mAuthorizer;

  /**
   * The request validator attached to scoped and public methods that set none.
   */
  public readonly requestValidator: apigateway.RequestValidator;

  /**
   * The access-log group, when the API has a deployment stage.
   */
  public readonly accessLogGroup?: logs.ILogGroup;

  private readonly declared = new Map<apigateway.Method, ScopedRoute>();
  private readonly unauthorized: apigateway.GatewayResponse;
  private readonly accessDenied: apigateway.GatewayResponse;
  private corsOrigin?: string;
  private bound?: BoundM2mAuthorizer;
  private readonly tiers: UsageTier[] = [];
  private keyPrefix?: string;
  private keysWired = false;

  constructor(scope: Construct, id: string, props: ScopedRestApiProps) {
    validateProps(pendingConstruct(scope, id), props);
    const authorizer = props.authorizer ?? M2mAuthorizer.tenantAware();
    super(scope, id, {
      restApiName: props.restApiName,
      description: props.description,
      deploy: props.deploy,
      retainDeployments: props.retainDeployments,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
      endpointTypes: props.endpointTypes ?? [apigateway.EndpointType.REGIONAL],
      policy: props.policy,
      apiKeySourceType: props.apiKeySourceType,
      binaryMediaTypes: props.binaryMediaTypes,
      minCompressionSize: props.minCompressionSize,
      failOnWarnings: props.failOnWarnings,
      endpointExportName: props.endpointExportName,
      // One logging role per stack, shared by every ScopedRestApi (below), not one per API.
      cloudWatchRole: false,
      // TLS 1.2 unless the caller chose a stricter policy (TLS 1.0 is refused above).
      domainName: props.domainName && { ...props.domainName, securityPolicy: props.domainName.securityPolicy ?? apigateway.SecurityPolicy.TLS_1_2 },
      // RestApi refuses stage settings without a stage.
      deployOptions: props.deploy === false ? undefined : {
        stageName: 'prod',
        loggingLevel: apigateway.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        ...props.deployOptions,
        // A cache holds tenants' answers: encrypted at rest whenever it is on (unencrypted is refused above).
        cacheDataEncrypted: props.deployOptions?.cachingEnabled ? true : props.deployOptions?.cacheDataEncrypted,
        // Without a destination the stage gets our log group below, in this format.
        accessLogFormat: props.deployOptions?.accessLogDestination ? props.deployOptions.accessLogFormat : undefined,
      },
    });
    this.m2mUserPool = props.userPool;
    this.m2mAuthorizer = authorizer;

    // The access log needs a log group, which exists only after super(): set
    // it on the stage the RestApi made, unless the caller chose a destination.
    if ((props.deploy ?? true) && !props.deployOptions?.accessLogDestination) {
      const logGroup = props.accessLogGroup ?? new logs.LogGroup(this, 'AccessLogs', {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
        encryptionKey: logsEncryptionKey(this),
      });
      const cfnStage = this.deploymentStage.node.defaultChild as apigateway.CfnStage;
      cfnStage.accessLogSetting = {
        destinationArn: logGroup.logGroupArn,
        format: props.deployOptions?.accessLogFormat?.toString() ?? accessLogFormat(authorizer),
      };
      this.accessLogGroup = logGroup;
    }

    // API Gateway invokes Lambda functions (integrations, the authorizer) only
    // on behalf of this account's APIs (CT.LAMBDA.PR.2: a service principal
    // needs SourceAccount or SourceArn; the ARN alone holds AWS::AccountId).
    Aspects.of(this).add(new SourceAccountOnInvokePermissions());
    if (props.deploy ?? true) this.acknowledgeStageDefaults(props.deployOptions);

    if (props.webAclArn !== undefined) {
      if (!(props.deploy ?? true)) {
        throw propError(this, 'webAclArn', props.webAclArn, 'a web ACL is associated with the deployment stage; it needs deploy: true');
      }
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.deploymentStage.stageArn, webAclArn: props.webAclArn });
    }

    this.requestValidator = this.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    this.unauthorized = this.addGatewayResponse('Unauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { 'WWW-Authenticate': '\'Bearer\'' },
      templates: { 'application/json': '{"message":$context.error.messageString}' },
    });
    this.accessDenied = this.addGatewayResponse('AccessDenied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      responseHeaders: { 'WWW-Authenticate': '\'Bearer error="insufficient_scope"\'' },
      templates: { 'application/json': '{"message":$context.error.messageString}' },
    });

    if (props.cloudWatchRole ?? true) {
      this.cloudWatchAccount = ApiGatewayAccount.of(this, props.cloudWatchRoleRemovalPolicy ?? RemovalPolicy.RETAIN).account;
      // The stage logs through the account's role: it must exist first (RestApi does this for its own account).
      if (props.deploy ?? true) this.deploymentStage.node.addDependency(this.cloudWatchAccount);
    }

    this.node.addValidation({ validate: () => this.undeclaredMethods() });
  }

  /**
   * Adds a usage tier: an API Gateway usage plan on the API's stage whose
   * rate, burst and quota apply to each of its tenants separately, so a
   * tenant over its limits gets `429` and other tenants are unaffected.
   *
   * With a first tier the API takes API keys from the authorizer
   * (`apiKeySource: AUTHORIZER`) and its scoped methods require one (unless a
   * method sets `apiKeyRequired: false`); public methods do not. Every tenant
   * gets one API key for this API, whose value the tenant-aware Lambda
   * authorizer returns for the tenant's verified tokens: tenants never hold or
   * send an API key. CDK-declared tenants of the API's user pool get their key
   * at synthesis, in their tier (`UsageTier.addTenant`) or else the default
   * tier, in the stack of their app client; tenants of other pools or from
   * outside the app need `addTenant`. The developer portal gives the tenants
   * it registers a key in the default tier and changes tiers at run time.
   *
   * API Gateway allows 10,000 API keys per account and Region (one per tenant
   * and tiered API) and a limited number of usage plans per account (one per
   * tier): CloudFormation fails the deployment beyond them.
   *
   * @param name the tier's name: letters, digits, `_` and `-`, 1 to 64 characters
   * @param options the tier's limits
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
   */
  public addUsageTier(name: string, options: UsageTierOptions): UsageTier {
    const label = `addUsageTier(${JSON.stringify(name)})`;
    const fn = this.bind().function;
    if (!(fn instanceof lambda.Function)) {
      throw propError(this, `${label}: authorizer`, this.m2mAuthorizer.kind,
        'usage tiers need the tenant-aware Lambda authorizer (M2mAuthorizer.tenantAware()), which returns each tenant\'s usage key; the Cognito authorizer cannot');
    }
    const cfn = this.node.defaultChild as apigateway.CfnRestApi;
    if (cfn.apiKeySourceType !== undefined && cfn.apiKeySourceType !== apigateway.ApiKeySourceType.AUTHORIZER) {
      throw propError(this, `${label}: apiKeySourceType`, cfn.apiKeySourceType,
        'a tiered API takes API keys from the authorizer (AUTHORIZER), so that tenants never send one; leave apiKeySourceType unset');
    }
    if (this.tiers.some((t) => t.tierName === name)) {
      throw propError(this, `${label}: name`, name, 'must be unique among the API\'s usage tiers');
    }
    const previousDefault = this.tiers.find((t) => t.isDefault);
    if (options.isDefault && previousDefault) {
      throw propError(this, `${label}: isDefault`, true, `usage tier ${previousDefault.tierName} is already the default; an API has one default tier`);
    }
    if (this.tiers.length === 0) {
      this.keyPrefix = usageKeyPrefix(this);
      cfn.apiKeySourceType = apigateway.ApiKeySourceType.AUTHORIZER;
      fn.addEnvironment(USAGE_KEY_PREFIX_ENV, this.keyPrefix);
      Aspects.of(this).add({ visit: (node) => { if (node === this) this.wireUsageKeys(); } });
    }
    const tier = new UsageTier(this, `UsageTier-${name}`, {
      ...options,
      // The first tier is the default until another one claims it (below).
      isDefault: options.isDefault ?? false,
      api: this,
      tierName: name,
      keyPrefix: this.keyPrefix!,
    });
    this.tiers.push(tier);
    // A new or changed tier must reach the stage: the deployment's id follows the tiers.
    this.latestDeployment?.addToLogicalId({ usageTiers: this.tiers.map((t) => t.tierName) });
    return tier;
  }

  /**
   * The API's usage tiers, in the order they were added.
   */
  public get usageTiers(): UsageTier[] {
    return [...this.tiers];
  }

  /**
   * The tier of tenants without one of their own: the tier added with
   * `isDefault: true`, else the first tier.
   *
   * @default - none while the API has no tiers
   */
  public get defaultUsageTier(): UsageTier | undefined {
    return this.tiers.find((t) => t.isDefault) ?? this.tiers[0];
  }

  /**
   * The API's tiers as the developer portal's handler reads them.
   *
   * @param name how portal requests name the API
   * @internal
   */
  public _usageTiersConfig(name: string): UsageTiersConfig {
    if (!TIERED_API_NAME.test(name)) {
      throw propError(this, 'tiered API name', name, `must match ${TIERED_API_NAME.source}`);
    }
    const byDefault = this.defaultUsageTier;
    if (!byDefault || !this.keyPrefix) {
      throw propError(this, 'usage tiers', 'none', 'the API has no usage tiers: add them with api.addUsageTier(name, { rateLimit, burstLimit })');
    }
    return {
      api: name,
      keyPrefix: this.keyPrefix,
      defaultTier: byDefault.tierName,
      tiers: Object.fromEntries(this.tiers.map((t) => [t.tierName, t.usagePlan.usagePlanId])),
    };
  }

  /**
   * ARNs of the API's usage plans, for IAM.
   * @internal
   */
  public _usagePlanArns(): string[] {
    return this.tiers.map((t) => Stack.of(this).formatArn({ service: 'apigateway', account: '', resource: '/usageplans', resourceName: t.usagePlan.usagePlanId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
  }

  /**
   * At synthesis, when every tenant and method is declared: a usage key for
   * each tenant of the API's pool and each tenant put in a tier, and an API
   * key requirement on each scoped method that did not decide.
   */
  private wireUsageKeys(): void {
    if (this.keysWired) return;
    this.keysWired = true;
    const byDefault = this.defaultUsageTier!;
    const assigned = assignedTenants(this);
    const declared = poolState(this.m2mUserPool).tenants;
    for (const tenantId of new Set([...declared.keys(), ...assigned.keys()])) {
      (assigned.get(tenantId) ?? byDefault)._addKey(tenantId, declared.get(tenantId));
    }
    for (const [method, route] of this.declared) {
      const cfn = method.node.defaultChild as apigateway.CfnMethod;
      if (!route.isPublic && cfn.apiKeyRequired === undefined) cfn.apiKeyRequired = true;
    }
  }

  /**
   * Adds a method that only tokens holding the given scopes may call.
   *
   * @param resource a resource of this API
   * @param httpMethod the HTTP method, e.g. `GET` (or `ANY`)
   * @param integration the backend integration
   * @param options the scopes and any other method options
   */
  public addScopedMethod(
    resource: apigateway.IResource, httpMethod: string, integration: apigateway.Integration, options: ScopedMethodOptions,
  ): apigateway.Method {
    const label = this.label(resource, httpMethod);
    this.checkOwnResource(resource, label);
    if (!options.scopes || options.scopes.length === 0) {
      throw propError(this, `${label}: scopes`, '[]', 'a scoped method needs at least one scope; use addPublicMethod for a method that is public on purpose');
    }
    const match = options.scopeMatch ?? ScopeMatch.ANY_OF;
    if (match === ScopeMatch.ALL_OF && !this.m2mAuthorizer.supportsAllOf) {
      throw propError(this, `${label}: scopeMatch`, match,
        `the ${this.m2mAuthorizer.kind} authorizer only checks that ANY of the scopes is present; use ScopeMatch.ANY_OF or an authorizer that supports ALL_OF`);
    }
    const scopes = resolveScopes(this, `${label}: scopes`, this.m2mUserPool, options.scopes).map((s) => s.name);
    const bound = this.bind();
    const method = resource.addMethod(httpMethod, integration, {
      ...this.methodOptions(options),
      authorizer: bound.authorizer,
      authorizationType: bound.authorizationType,
      authorizationScopes: bound.authorizationScopes(scopes),
    });
    this.declared.set(method, { httpMethod: method.httpMethod, resourcePath: resource.path, scopes, scopeMatch: match, isPublic: false });
    return method;
  }

  /**
   * Adds a method that anybody may call, with the reason it is public.
   *
   * @param resource a resource of this API
   * @param httpMethod the HTTP method, e.g. `GET`
   * @param integration the backend integration
   * @param options the reason and any other method options
   */
  public addPublicMethod(
    resource: apigateway.IResource, httpMethod: string, integration: apigateway.Integration, options: PublicMethodOptions,
  ): apigateway.Method {
    const label = this.label(resource, httpMethod);
    this.checkOwnResource(resource, label);
    const method = resource.addMethod(httpMethod, integration, {
      ...this.methodOptions(options),
      authorizationType: apigateway.AuthorizationType.NONE,
    });
    this.declarePublic(method, options.reason);
    return method;
  }

  /**
   * Declares a method that already exists (for example a CORS preflight
   * `OPTIONS` method) public on purpose.
   *
   * @param method a method of this API without authorization
   * @param reason why the method needs no authorization
   */
  public declarePublic(method: apigateway.Method, reason: string): void {
    const label = this.label(method.resource, method.httpMethod);
    if (method.api !== this) {
      throw propError(this, 'declarePublic(method)', label, 'the method belongs to another API');
    }
    if (!reason || reason.trim().length < 10) {
      throw propError(this, `${label}: reason`, reason ?? '', 'say in at least 10 characters why the method is public; the reason is recorded for reviewers');
    }
    const cfn = method.node.defaultChild as apigateway.CfnMethod;
    if (cfn.authorizationType !== undefined && cfn.authorizationType !== apigateway.AuthorizationType.NONE) {
      throw propError(this, `${label}: authorizationType`, cfn.authorizationType, 'a method declared public must have no authorization');
    }
    acknowledgeRule(method, 'AwsSolutions-APIG4', reason);
    acknowledgeRule(method, 'AwsSolutions-COG4', reason);
    this.declared.set(method, {
      httpMethod: method.httpMethod, resourcePath: method.resource.path, scopes: [], scopeMatch: ScopeMatch.ANY_OF, isPublic: true,
    });
  }

  /**
   * Adds a part: a nested stack that holds some of the API's resources and
   * methods, for an API larger than one CloudFormation stack allows (500
   * resources per stack; every API Gateway resource and method is one).
   * Methods in a part are declared, authorized, listed and deployed like any
   * other method of this API.
   *
   * @param id the part's construct id, unique among the API's children
   * @param options the part's settings
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
   */
  public addPart(id: string, options: ScopedRestApiPartOptions = {}): ScopedRestApiPart {
    if (this.node.tryFindChild(id) || LATER_CHILDREN.includes(id)) {
      throw propError(this, 'addPart: id', id, 'the API has or will have a child with this id; give each part its own id');
    }
    return new ScopedRestApiPart(this, id, { ...options, api: this });
  }

  /**
   * Integration request parameters that hand the caller's identity to an
   * HTTP backend as headers, from the authorizer's answer (never from the
   * request): `X-Tenant-Id`, `X-Client-Id` and `X-Scopes` (space-separated)
   * with the tenant-aware Lambda authorizer; `X-Client-Id` and `X-Scopes`
   * from the token's claims with the Cognito authorizer. Pass them as
   * `options.requestParameters` of an `HttpIntegration`; a Lambda proxy
   * integration gets the same values in `event.requestContext.authorizer`.
   *
   * The keys come in sorted order, the order in which Go hands a map back:
   * the API's deployment, whose logical id hashes the methods' properties in
   * the order their keys arrive, then does not depend on whether the map made
   * a round trip through another language.
   *
   * @returns `integration.request.header.<name>` → `context.authorizer.<field>`
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html
   */
  public callerContextHeaders(): { [param: string]: string } {
    return Object.fromEntries(Object.entries(this.m2mAuthorizer._callerContext())
      .map(([h, ctx]) => [`integration.request.header.${h}`, ctx] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Lets a web page at one origin call a resource from the browser: adds a
   * CORS preflight (`OPTIONS`) that API Gateway answers itself (a mock
   * integration) with the origin, methods and headers allowed, declared
   * public on purpose because a preflight carries no credentials and reaches
   * no backend. The origin is also added to API Gateway's own error answers
   * (401, 403 and the other 4XX and 5XX), so the page can read why a call
   * failed. The backend's own answers must carry
   * `Access-Control-Allow-Origin` too.
   *
   * One origin per API.
   *
   * @param resource a resource of this API
   * @param options the origin, methods and headers allowed
   * @returns the preflight method
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
   */
  public addCorsPreflight(resource: apigateway.IResource, options: ScopedCorsOptions): apigateway.Method {
    const label = this.label(resource, 'OPTIONS');
    this.checkOwnResource(resource, label);
    const origin = options.allowOrigin;
    if (!Token.isUnresolved(origin) && !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw propError(this, `${label}: allowOrigin`, origin, 'one origin: scheme and host (and port), no path and no wildcard, e.g. https://portal.acme.example');
    }
    if (this.corsOrigin !== undefined && this.corsOrigin !== origin) {
      throw propError(this, `${label}: allowOrigin`, origin, `this API already allows ${this.corsOrigin}; API Gateway's error answers carry one origin`);
    }
    if (!options.allowMethods || options.allowMethods.length === 0) {
      throw propError(this, `${label}: allowMethods`, '[]', 'list the methods the page calls on this resource');
    }
    const preflight = resource.addCorsPreflight({
      allowOrigins: [origin],
      allowMethods: options.allowMethods,
      allowHeaders: options.allowHeaders ?? ['Authorization', 'Content-Type'],
      maxAge: options.maxAge ?? Duration.hours(1),
    });
    this.declarePublic(preflight,
      `CORS preflight for ${Token.isUnresolved(origin) ? 'the allowed origin' : origin}: API Gateway answers it itself (mock integration) with the one allowed origin, methods and headers; a preflight carries no credentials and reaches no backend.`);
    if (this.corsOrigin === undefined) {
      this.corsOrigin = origin;
      const header = `'${origin}'`;
      for (const response of [this.unauthorized, this.accessDenied]) {
        const cfn = response.node.defaultChild as apigateway.CfnGatewayResponse;
        cfn.responseParameters = { ...(cfn.responseParameters as Record<string, string>), 'gatewayresponse.header.Access-Control-Allow-Origin': header };
      }
      this.addGatewayResponse('Default4xx', { type: apigateway.ResponseType.DEFAULT_4XX, responseHeaders: { 'Access-Control-Allow-Origin': header } });
      this.addGatewayResponse('Default5xx', { type: apigateway.ResponseType.DEFAULT_5XX, responseHeaders: { 'Access-Control-Allow-Origin': header } });
    }
    return preflight;
  }

  /**
   * The function of the Lambda authorizer, once a scoped method exists and
   * the authorizer is the bundled Lambda authorizer.
   */
  public get authorizerFunction(): lambda.IFunction | undefined {
    return this.bound?.function;
  }

  /**
   * Every method declared through this API and the scopes that reach it, in
   * the order they were added.
   */
  public get routes(): ScopedRoute[] {
    return [...this.declared.values()];
  }

  /**
   * Returns an OpenAPI 3.0.3 document of the methods declared so far.
   *
   * Call it after adding every method: a method added later is not in a
   * document returned earlier. Each operation's `security` names the OAuth 2.0
   * client-credentials scheme `m2m` (token URL: the user pool's token endpoint)
   * with the method's scopes: one requirement per scope for `ScopeMatch.ANY_OF`
   * (any one suffices), one requirement holding every scope for
   * `ScopeMatch.ALL_OF`, and none (`[]`) for a public method. The scheme lists
   * only the scopes the methods use, with their descriptions. `ANY` becomes
   * each operation the resource does not declare itself, and a greedy
   * `{proxy+}` becomes the path parameter `{proxy}`. A user pool without a
   * token endpoint (no domain; tenants use `GetClientToken`) has no OAuth 2.0
   * token URL to publish, which is an error.
   *
   * The server URL and the token URL are deploy-time values: publish the
   * document with `s3deploy.Source.jsonData(key, doc)`, which resolves them, or
   * turn it into a template string with `Stack.of(api).toJsonString(doc)`.
   *
   * @returns the document as a plain JSON object
   * @see https://spec.openapis.org/oas/v3.0.3
   */
  public openApiDocument(): any {
    return openApiDocument(this.describeApi('openApiDocument()'));
  }

  /**
   * The API's entry in the developer portal's catalog, with its OpenAPI
   * document at `openapi/<name>.json`.
   *
   * @param name unique in the catalog, `[A-Za-z0-9_-]{1,64}`
   * @internal
   */
  public _catalogApi(name: string): CatalogApi {
    return catalogApi(name, this.describeApi(`the catalog entry ${name}`));
  }

  /** What the OpenAPI document and the catalog entry say about this API. */
  private describeApi(what: string): ApiDescriptionInput {
    const cfn = this.node.defaultChild as apigateway.CfnRestApi;
    if (!this.m2mUserPool.hasTokenEndpoint) {
      throw propError(this, 'userPool', this.m2mUserPool.node.path,
        `${what}: OpenAPI's OAuth 2.0 client-credentials scheme needs a token URL, and the pool has none (no domain; tenants use GetClientToken): give the pool a domainPrefix or customDomain`);
    }
    return {
      title: this.restApiName,
      description: cfn.description,
      // Without a stage (deploy: false and none assigned) the API has no URL yet.
      url: this.deploymentStage ? this.url : undefined,
      tokenUrl: this.m2mUserPool.tokenEndpoint,
      routes: this.routes.map((r) => ({
        method: r.httpMethod, path: r.resourcePath, scopes: r.scopes, scopeMatch: r.scopeMatch === ScopeMatch.ALL_OF ? 'ALL_OF' : 'ANY_OF', isPublic: r.isPublic,
      })),
      scopeDescriptions: scopeDescriptions(this.m2mUserPool),
    };
  }

  private bind(): BoundM2mAuthorizer {
    if (!this.bound) this.bound = this.m2mAuthorizer._bind(this, this.m2mUserPool, () => this.routes);
    return this.bound;
  }

  private undeclaredMethods(): string[] {
    return this.methods
      .filter((m) => !this.declared.has(m))
      .map((m) => `${this.label(m.resource, m.httpMethod)} (${m.node.path}) declares no scopes: add it with api.addScopedMethod(resource, '${m.httpMethod}', integration, { scopes: [...] }), `
        + 'or with api.addPublicMethod(..., { reason }) / api.declarePublic(method, reason) if it is public on purpose, instead of resource.addMethod');
  }

  /** API Gateway's method options from ours: everything but the authorization, which the caller adds. */
  private methodOptions(o: ScopedRestApiMethodOptions): apigateway.MethodOptions {
    return {
      operationName: o.operationName,
      apiKeyRequired: o.apiKeyRequired,
      methodResponses: o.methodResponses,
      requestParameters: o.requestParameters,
      requestModels: o.requestModels,
      requestValidator: o.requestValidator ?? (o.requestValidatorOptions ? undefined : this.requestValidator),
      requestValidatorOptions: o.requestValidatorOptions,
    };
  }

  private checkOwnResource(resource: apigateway.IResource, label: string): void {
    if (resource.api !== this) {
      throw propError(this, `${label}: resource`, resource.path, 'belongs to another REST API; add methods to resources of this API (api.root or its children)');
    }
  }

  private label(resource: apigateway.IResource, httpMethod: string): string {
    return `${httpMethod.toUpperCase()} ${resource.path}`;
  }

  /**
   * Stage settings the library leaves off by default, acknowledged with their
   * reasons: the stage cache (unless turned on, then always encrypted), and a
   * client certificate while no integration is an HTTP one.
   */
  private acknowledgeStageDefaults(options: apigateway.StageOptions | undefined): void {
    const stage = this.deploymentStage;
    if (!options?.cachingEnabled) {
      acknowledgeInPacks(stage, 'APIGWCacheEnabledAndEncrypted', STAGE_CACHE_OFF);
    }
    Aspects.of(stage).add(new ClientCertificateNotApplicable(stage, () => [...this.declared.keys()]), { priority: AspectPriority.MUTATING });
  }
}

/** Ids of children the API adds later (the authorizer on the first scoped method, CORS answers on the first preflight). */
const LATER_CHILDREN = ['CognitoAuthorizer', 'TenantAuthorizer', 'LambdaAuthorizer', 'Default4xx', 'Default5xx'];

/** The JSON access-log line: request, outcome, latency and who called. */
function accessLogFormat(authorizer: M2mAuthorizer): string {
  return apigateway.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    path: '$context.path',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    errorMessage: '$context.error.message',
    authorizerError: '$context.authorizer.error',
    ...authorizer._accessLogFields(),
  })).toString();
}

function validateProps(scope: IConstruct, props: ScopedRestApiProps): void {
  if (props.deployOptions?.dataTraceEnabled) {
    throw propError(scope, 'deployOptions.dataTraceEnabled', 'true',
      'full request/response logging would write bearer tokens and payloads to CloudWatch Logs; leave it off');
  }
  if (props.deployOptions?.cachingEnabled && props.deployOptions.cacheDataEncrypted === false) {
    throw propError(scope, 'deployOptions.cacheDataEncrypted', 'false',
      'the stage cache holds tenants\' responses and is always encrypted at rest; leave cacheDataEncrypted out or set it to true');
  }
  const policy = props.domainName?.securityPolicy;
  if (policy !== undefined && policy === apigateway.SecurityPolicy.TLS_1_0) {
    throw propError(scope, 'domainName.securityPolicy', 'TLS_1_0', 'the API accepts TLS 1.2 or newer only; use SecurityPolicy.TLS_1_2');
  }
}

/** The reason the stage cache stays off unless the user turns it on. */
const STAGE_CACHE_OFF = 'The stage cache is off by default: API Gateway keys a cached response on the path and the request parameters declared as cache keys, '
  + 'not on the caller, so a response cached for one tenant would be served to another. deployOptions.cachingEnabled turns it on (encrypted, from $0.02 an hour '
  + 'for a 0.5 GB cache cluster) for methods whose answers are the same for every tenant.';

/** Integration types that call a backend over HTTP(S), where a client certificate authenticates API Gateway. */
const HTTP_INTEGRATIONS = new Set(['HTTP', 'HTTP_PROXY']);

/**
 * Acknowledges APIGWSSLEnabled on a stage without a client certificate when
 * no method of the API has an HTTP integration (checked once every method is
 * declared, before compliance aspects such as cdk-nag's run).
 */
class ClientCertificateNotApplicable implements IAspect {
  constructor(private readonly stage: apigateway.Stage, private readonly methods: () => apigateway.Method[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.stage) return;
    const cfn = this.stage.node.defaultChild as apigateway.CfnStage;
    if (cfn.clientCertificateId !== undefined) return;
    const types = this.methods().map((m) => {
      const integration = (m.node.defaultChild as apigateway.CfnMethod).integration as apigateway.CfnMethod.IntegrationProperty | undefined;
      return integration?.type;
    });
    if (types.some((t) => t === undefined || Token.isUnresolved(t) || HTTP_INTEGRATIONS.has(t))) return;
    acknowledgeInPacks(this.stage, 'APIGWSSLEnabled',
      `No method of this API has an HTTP integration (its integration types: ${[...new Set(types)].sort().join(', ') || 'none'}): API Gateway calls AWS services `
      + 'and Lambda functions through their APIs with IAM, where a client certificate authenticates nothing. Adding an HTTP integration brings this finding back; '
      + 'then set deployOptions.clientCertificateId.');
  }
}

/** Sets SourceAccount on API Gateway's Lambda invoke permissions that lack one. */
class SourceAccountOnInvokePermissions implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof lambda.CfnPermission && node.principal === 'apigateway.amazonaws.com' && node.sourceAccount === undefined) {
      node.sourceAccount = Stack.of(node).account;
    }
  }
}
