import { Aspects, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { callerContextHeaders } from './caller-context';
import { addBearerErrorAnswers, ApiCorsOrigin, CORS_ERROR_ANSWER_IDS, ScopedCorsOptions } from './cors';
import { describeApi } from './description';
import { apiGatewayMethodOptions, MethodAuthorizer, PublicMethodOptions, ScopedMethodOptions, ScopedRoute } from './method-options';
import { ScopedRestApiPart, ScopedRestApiPartOptions } from './part';
import type { ScopedRestApiProps } from './props';
import { ScopeMatch } from './scope-match';
import { acknowledgeStageDefaults, addAccessLog, checkProps, SourceAccountOnInvokePermissions, stageOptions } from './stage';
import { tenantIsolatedIntegration, TenantIsolatedIntegrationOptions } from './tenant-isolation';
import { ApiUsageTiers } from './usage-tiers';
import { BoundM2mAuthorizer, M2mAuthorizer } from '../authorizers/m2m-authorizer';
import type { IM2mUserPool } from '../m2m-user-pool';
import { acknowledgeRule } from '../private/acknowledge';
import { ApiGatewayAccount } from '../private/api-gateway-account';
import type { UsageTiersConfig } from '../private/contracts/usage-tiers';
import type { CatalogApi } from '../private/contracts/web-ui';
import { catalogApi, openApiDocument } from '../private/openapi';
import { resolveScopes } from '../private/pool-state';
import { pendingConstruct, propError } from '../private/validation';
import { UsageTier, UsageTierOptions } from '../usage-tier';

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
  private readonly cors: ApiCorsOrigin;
  private readonly tiers: ApiUsageTiers;
  /** Each authorizer the API bound (one, or two with `M2mAuthorizer.automatic()`), and the methods each guards. */
  private readonly bound = new Map<M2mAuthorizer, BoundM2mAuthorizer>();
  private readonly guardedBy = new Map<apigateway.Method, M2mAuthorizer>();

  constructor(scope: Construct, id: string, props: ScopedRestApiProps) {
    checkProps(pendingConstruct(scope, id), props);
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
      // TLS 1.2 unless the caller chose a stricter policy (TLS 1.0 is refused by checkProps).
      domainName: props.domainName && { ...props.domainName, securityPolicy: props.domainName.securityPolicy ?? apigateway.SecurityPolicy.TLS_1_2 },
      deployOptions: stageOptions(props),
    });
    this.m2mUserPool = props.userPool;
    this.m2mAuthorizer = authorizer;

    // The access log needs a log group, which exists only after super().
    this.accessLogGroup = addAccessLog(this, props, authorizer);

    // API Gateway invokes Lambda functions (integrations, the authorizer) only
    // on behalf of this account's APIs (CT.LAMBDA.PR.2: a service principal
    // needs SourceAccount or SourceArn; the ARN alone holds AWS::AccountId).
    Aspects.of(this).add(new SourceAccountOnInvokePermissions());
    if (props.deploy ?? true) acknowledgeStageDefaults(this.deploymentStage, props.deployOptions, () => [...this.declared.keys()]);

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

    this.cors = new ApiCorsOrigin(this, addBearerErrorAnswers(this));
    this.tiers = new ApiUsageTiers(this, () => this.bind(authorizer._forUsageTiers()), authorizer.kind,
      () => [...this.declared].filter(([, route]) => !route.isPublic).map(([method, route]) => ({ method, route })));

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
    return this.tiers.add(name, options);
  }

  /**
   * The API's usage tiers, in the order they were added.
   */
  public get usageTiers(): UsageTier[] {
    return this.tiers.all;
  }

  /**
   * The tier of tenants without one of their own: the tier added with
   * `isDefault: true`, else the first tier.
   *
   * @default - none while the API has no tiers
   */
  public get defaultUsageTier(): UsageTier | undefined {
    return this.tiers.defaultTier;
  }

  /**
   * The API's tiers as the developer portal's handler reads them.
   *
   * @param name how portal requests name the API
   * @internal
   */
  public _usageTiersConfig(name: string): UsageTiersConfig {
    return this.tiers.config(name);
  }

  /**
   * ARNs of the API's usage plans, for IAM.
   * @internal
   */
  public _usagePlanArns(): string[] {
    return this.tiers.planArns();
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
    const choice = this.m2mAuthorizer._choose(this, {
      label, allOf: match === ScopeMatch.ALL_OF, override: options.authorizer, tiered: this.tiers.all.length > 0, userPool: this.m2mUserPool,
    });
    if (match === ScopeMatch.ALL_OF && !choice.authorizer.supportsAllOf) {
      throw propError(this, `${label}: scopeMatch`, match,
        `the ${choice.authorizer.kind} authorizer only checks that ANY of the scopes is present; use ScopeMatch.ANY_OF or an authorizer that supports ALL_OF`);
    }
    const scopes = resolveScopes(this, `${label}: scopes`, this.m2mUserPool, options.scopes).map((s) => s.name);
    const bound = this.bind(choice.authorizer);
    const method = resource.addMethod(httpMethod, integration, {
      ...apiGatewayMethodOptions(options, this.requestValidator),
      authorizer: bound.authorizer,
      authorizationType: bound.authorizationType,
      authorizationScopes: bound.authorizationScopes(scopes),
    });
    if (bound.scopesOnMethod) {
      (method.node.defaultChild as apigateway.CfnMethod).authorizationScopes = scopes;
      // The deployment's id hashes what aws-cdk-lib rendered: a change of these scopes must redeploy too.
      this.latestDeployment?.addToLogicalId({ authorizationScopes: { method: label, scopes } });
    }
    this.declared.set(method, {
      httpMethod: method.httpMethod,
      resourcePath: resource.path,
      scopes,
      scopeMatch: match,
      isPublic: false,
      authorizer: choice.authorizer.kind,
      authorizerReason: choice.reason,
    });
    this.guardedBy.set(method, choice.authorizer);
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
      ...apiGatewayMethodOptions(options, this.requestValidator),
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
   * with the tenant-aware Lambda authorizer; the same from the token's claims
   * with the JWT authorizer (`X-Tenant-Id` when a `TenantClaim` puts the
   * tenant in the token: create it first); `X-Client-Id` and `X-Scopes`
   * from the token's claims with the Cognito authorizer. Pass them as
   * `options.requestParameters` of an `HttpIntegration`; a Lambda proxy
   * integration gets the same values in `event.requestContext.authorizer`.
   *
   * The keys come in sorted order, the order in which Go hands a map back:
   * the API's deployment, whose logical id hashes the methods' properties in
   * the order their keys arrive, then does not depend on whether the map made
   * a round trip through another language.
   *
   * On an API whose authorizer is `M2mAuthorizer.automatic()` the mapping
   * depends on the methods' authorizer: use `callerContextHeadersFor()`.
   *
   * @returns `integration.request.header.<name>` → `context.authorizer.<field>`
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html
   */
  public callerContextHeaders(): { [param: string]: string } {
    return callerContextHeaders(this, this.m2mAuthorizer, this.m2mUserPool, undefined);
  }

  /**
   * `callerContextHeaders()` for the methods one authorizer guards, on an API
   * whose authorizer is `M2mAuthorizer.automatic()` (`api.routes` says which
   * guards each method): from the tenant-aware authorizer's answer, or from
   * the token's claims for the JWT authorizer.
   *
   * @param authorizer the authorizer of the methods the integration serves
   * @returns `integration.request.header.<name>` → `context.authorizer.<field>`
   */
  public callerContextHeadersFor(authorizer: MethodAuthorizer): { [param: string]: string } {
    return callerContextHeaders(this, this.m2mAuthorizer, this.m2mUserPool, authorizer);
  }

  /**
   * A Lambda proxy integration for a function in Lambda's tenant isolation
   * mode (`tenancyConfig: lambda.TenancyConfig.PER_TENANT`): API Gateway
   * invokes it with `X-Amz-Tenant-Id` set to the verified tenant, from the
   * tenant-aware authorizer's answer or the token's tenant claim (JWT
   * authorizer with a `TenantClaim`), never from the request, so each tenant
   * runs in execution environments of its own. A caller's own
   * `X-Amz-Tenant-Id` header reaches the function as a request header in the
   * event, never as the tenant of the invocation.
   *
   * @param handler the function, created with `tenancyConfig: lambda.TenancyConfig.PER_TENANT`
   * @param options the authorizer of the methods it serves, on an automatic API
   * @see https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-invoke.html
   */
  public tenantIsolatedIntegration(handler: lambda.IFunction, options: TenantIsolatedIntegrationOptions = {}): apigateway.LambdaIntegration {
    const tenant = this.m2mAuthorizer._callerContextOf(this, this.m2mUserPool, options.authorizer)['X-Tenant-Id'];
    if (tenant === undefined) {
      throw propError(this, 'tenantIsolatedIntegration()', this.m2mAuthorizer.kind,
        'the authorizer of these methods tells the backend no verified tenant: use the tenant-aware authorizer, or the JWT authorizer with a TenantClaim created before the API');
    }
    return tenantIsolatedIntegration(this, handler, tenant);
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
    const preflight = resource.addCorsPreflight(this.cors.preflightOptions(label, options));
    this.declarePublic(preflight, this.cors.preflightReason(options.allowOrigin));
    this.cors.allow(options.allowOrigin);
    return preflight;
  }

  /**
   * The function of the tenant-aware Lambda authorizer, once a scoped method
   * exists and the authorizer is `M2mAuthorizer.tenantAware()`.
   */
  public get authorizerFunction(): lambda.IFunction | undefined {
    return [...this.bound.values()].find((b) => b.function)?.function;
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
    return openApiDocument(describeApi(this, this.routes, 'openApiDocument()'));
  }

  /**
   * The API's entry in the developer portal's catalog, with its OpenAPI
   * document at `openapi/<name>.json`.
   *
   * @param name unique in the catalog, `[A-Za-z0-9_-]{1,64}`
   * @internal
   */
  public _catalogApi(name: string): CatalogApi {
    return catalogApi(name, describeApi(this, this.routes, `the catalog entry ${name}`));
  }

  /** Binds an authorizer once; its route table holds the methods it guards. */
  private bind(authorizer: M2mAuthorizer): BoundM2mAuthorizer {
    let bound = this.bound.get(authorizer);
    if (!bound) {
      const guarded = () => [...this.declared].filter(([m]) => this.guardedBy.get(m) === authorizer).map(([, r]) => r);
      bound = authorizer._bind(this, this.m2mUserPool, guarded);
      this.bound.set(authorizer, bound);
    }
    return bound;
  }

  private undeclaredMethods(): string[] {
    return this.methods
      .filter((m) => !this.declared.has(m))
      .map((m) => `${this.label(m.resource, m.httpMethod)} (${m.node.path}) declares no scopes: add it with api.addScopedMethod(resource, '${m.httpMethod}', integration, { scopes: [...] }), `
        + 'or with api.addPublicMethod(..., { reason }) / api.declarePublic(method, reason) if it is public on purpose, instead of resource.addMethod');
  }

  private checkOwnResource(resource: apigateway.IResource, label: string): void {
    if (resource.api !== this) {
      throw propError(this, `${label}: resource`, resource.path, 'belongs to another REST API; add methods to resources of this API (api.root or its children)');
    }
  }

  private label(resource: apigateway.IResource, httpMethod: string): string {
    return `${httpMethod.toUpperCase()} ${resource.path}`;
  }
}

/** Ids of children the API adds later (the authorizer on the first scoped method, CORS answers on the first preflight). */
const LATER_CHILDREN = ['CognitoAuthorizer', 'JwtAuthorizer', 'TenantAuthorizer', 'LambdaAuthorizer', ...CORS_ERROR_ANSWER_IDS];

