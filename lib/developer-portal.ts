import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, CfnElement, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { M2mAuthorizer } from './authorizers';
import type { DeveloperPortalProps } from './developer-portal-props';
import type { IM2mUserPool } from './m2m-user-pool';
import { PortalUserPool } from './portal-user-pool';
import { PortalWebUi } from './portal-web-ui';
import { acknowledgeRule } from './private/acknowledge';
import { PEOPLE_ENV, REGISTRY_ENV } from './private/contracts/env';
import {
  APP_CLIENT_QUOTA, CALLER_REQUESTS_PER_MINUTE, MAX_CLIENTS_PER_TENANT, POOL_CLIENTS_METRIC, POOL_DIMENSION, POOL_HEADROOM_METRIC,
  PORTAL_ENV, PORTAL_METRICS_NAMESPACE, PortalLimit,
} from './private/contracts/portal';
import { methodsByPath, PORTAL_REQUEST_HEADERS, PORTAL_ROUTES } from './private/contracts/portal-routes';
import { TIERED_API_NAME } from './private/contracts/usage-tiers';
import { CATALOG_VERSION, WEB_UI_CONFIG_VERSION, WEB_UI_FILES } from './private/contracts/web-ui';
import { checkedNetwork, handlerFunction, requestHandlerDefaults } from './private/handler-function';
import { handlerRuntime } from './private/node-runtime';
import { CATALOG_API_NAME } from './private/openapi';
import { resolveScopes, scopeDescriptions } from './private/pool-state';
import { deadLetterAlarm, libraryRolePath } from './private/security-alarms';
import { executeApiOrigin } from './private/site-policy';
import { onceAtSynth } from './private/synth-once';
import { checkDuration, checkString, propError, RESOURCE_SERVER_IDENTIFIER } from './private/validation';
import { ResourceServer } from './resource-server';
import { ScopedRestApi } from './scoped-rest-api';
import { ITenantRegistry, TenantRegistry } from './tenant-registry';
import type { TokenBudgets } from './token-budgets';

/** Where `npx projen bundle` puts the portal handler (same depth from lib/ and out/). */
const PORTAL_BUNDLE = path.join(__dirname, '..', 'assets', 'portal');

/** Cognito actions the portal performs on app clients of its pool, nothing else. */
const COGNITO_ACTIONS = [
  'cognito-idp:CreateUserPoolClient', 'cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient',
  'cognito-idp:DeleteUserPoolClient', 'cognito-idp:AddUserPoolClientSecret', 'cognito-idp:DeleteUserPoolClientSecret',
  'cognito-idp:ListUserPoolClientSecrets',
  // Finds the client a lost CreateUserPoolClient answer left behind (by its deterministic name), and counts the pool's clients.
  'cognito-idp:ListUserPoolClients',
];

/**
 * A whole-number limit prop within its range, as the handler's environment
 * value (a token is checked by the handler when it starts).
 */
function checkLimit(scope: Construct, prop: string, value: number | undefined, limit: PortalLimit): string {
  const v = value ?? limit.default;
  if (Token.isUnresolved(v)) return Token.asString(v);
  if (!Number.isInteger(v) || v < limit.min || v > limit.max) {
    throw propError(scope, prop, v, `must be an integer from ${limit.min} to ${limit.max}`);
  }
  return String(v);
}

/**
 * A developer portal API to register, rotate, suspend and revoke API clients
 * at run time, without redeploying: a `ScopedRestApi` in front of a bundled
 * handler that manages Cognito app clients and keeps tenants, clients and an
 * audit trail in a `TenantRegistry`.
 *
 * Platform operators call it with a token holding `adminScope`; a tenant's
 * own admin client, with `tenantAdminScope`, may manage only its tenant's
 * clients. Client secrets are returned once over TLS and never stored.
 * Give your business API's authorizer the same registry
 * (`M2mAuthorizer.tenantAware({ registry: portal.registry })`) so that it trusts
 * portal-registered clients and denies suspended ones.
 */
export class DeveloperPortal extends Construct {
  /**
   * The registry of tenants and clients.
   */
  public readonly registry: ITenantRegistry;

  /**
   * The portal's management API.
   */
  public readonly api: ScopedRestApi;

  /**
   * The handler behind the API.
   */
  public readonly handler: lambda.IFunction;

  /**
   * The resource server that defines the portal's scopes.
   */
  public readonly resourceServer: ResourceServer;

  /**
   * The scope of platform operators: every tenant and client.
   */
  public readonly adminScope: cognito.OAuthScope;

  /**
   * The scope of a tenant's own admin: only that tenant's clients.
   */
  public readonly tenantAdminScope: cognito.OAuthScope;

  /**
   * The web UI's site, when `webUi` is set.
   */
  public readonly webUi?: PortalWebUi;

  /**
   * The user pool people sign in to, when `webUi` is set.
   */
  public readonly signInPool?: PortalUserPool;

  private readonly userPool: IM2mUserPool;
  private readonly catalog = new Map<string, ScopedRestApi>();
  private readonly tieredApis = new Map<string, ScopedRestApi>();
  /**
   * The alarm on the hourly client-secret sweep failing after its retries
   * (its event is then in a KMS-encrypted dead-letter queue). It is one of
   * the user pool's security alarms (`IM2mUserPool.securityAlarms`).
   */
  public readonly sweepDeadLettersAlarm: cloudwatch.IAlarm;

  private readonly handlerRole: iam.Role;
  private readonly portalFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: DeveloperPortalProps) {
    super(scope, id);
    this.userPool = props.userPool;
    if (!props.userPool.hasTokenEndpoint) {
      throw propError(this, 'userPool', props.userPool.node.path,
        'must have a token endpoint: the portal hands out credentials for it and calls it itself; give the pool a domainPrefix or customDomain');
    }
    const tokenEndpoint = props.userPool.tokenEndpoint;
    const identifier = props.identifier ?? 'm2m-portal';
    checkString(this, 'identifier', identifier, RESOURCE_SERVER_IDENTIFIER);
    const grace = props.rotationGracePeriod ?? Duration.hours(24);
    checkDuration(this, 'rotationGracePeriod', grace, Duration.hours(1), Duration.days(30));
    const validity = props.defaultAccessTokenValidity ?? Duration.minutes(60);
    checkDuration(this, 'defaultAccessTokenValidity', validity, Duration.minutes(5), Duration.days(1));
    const maxClients = checkLimit(this, 'maxClientsPerTenant', props.maxClientsPerTenant, MAX_CLIENTS_PER_TENANT);
    const perMinute = checkLimit(this, 'callerRequestsPerMinute', props.callerRequestsPerMinute, CALLER_REQUESTS_PER_MINUTE);
    const quota = checkLimit(this, 'appClientQuota', props.appClientQuota, APP_CLIENT_QUOTA);
    if (!fs.existsSync(path.join(PORTAL_BUNDLE, 'index.js'))) {
      throw new Error(`The bundled portal handler ${path.join(PORTAL_BUNDLE, 'index.js')} is missing: run \`npx projen bundle\` (npm install runs it)`);
    }

    if (props.registry && props.backupPlan) {
      throw propError(this, 'backupPlan', props.backupPlan.node.path, 'applies to the registry the portal creates; pass it to your TenantRegistry (its backupPlan prop) instead');
    }
    this.registry = props.registry ?? new TenantRegistry(this, 'Registry', { backupPlan: props.backupPlan });
    this.resourceServer = props.userPool.addResourceServer(`${id}Portal`, {
      identifier,
      name: 'Developer portal',
      scopes: [
        { name: 'admin', description: 'Manage every tenant and API client (platform operators)' },
        { name: 'tenant-admin', description: 'Manage the API clients of the caller\'s own tenant' },
      ],
    });
    this.adminScope = this.resourceServer.scope('admin');
    this.tenantAdminScope = this.resourceServer.scope('tenant-admin');

    if (!props.grantableScopes || props.grantableScopes.length === 0) {
      throw propError(this, 'grantableScopes', '[]', 'list the scopes the portal may give to the clients it registers');
    }
    const grantable = resolveScopes(this, 'grantableScopes', props.userPool, props.grantableScopes).map((s) => s.name);
    const adminName = this.resourceServer.scopeFullName('admin');
    const tenantAdminName = this.resourceServer.scopeFullName('tenant-admin');
    if (grantable.includes(adminName)) {
      throw propError(this, 'grantableScopes', adminName, 'the portal\'s admin scope cannot be granted through the portal (a tenant could make itself a platform operator)');
    }

    let apiOrigin: string | undefined;
    if (props.webUi) {
      const ui = props.webUi;
      this.webUi = new PortalWebUi(this, 'WebUi', {
        connectOrigins: [
          Lazy.string({ produce: () => apiOrigin }),
          Lazy.string({ produce: () => this.signInPool!.domainOrigin }),
        ],
        domainName: ui.domainName,
        certificate: ui.certificate,
        webAclArn: ui.webAclArn,
        priceClass: ui.priceClass,
      });
      this.signInPool = new PortalUserPool(this, 'SignIn', {
        domainPrefix: ui.signInDomainPrefix,
        callbackUrls: [this.webUi.url],
        platformAdmins: ui.platformAdmins,
        sessionValidity: ui.sessionValidity,
      });
    }

    const network = checkedNetwork(this, '', props);
    const runtime = handlerRuntime(this, 'runtime', props.runtime);
    const authorizerOptions = {
      registry: this.registry,
      runtime: props.runtime,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    };
    const { fn: handler, role, deadLetterQueue } = handlerFunction(this, {
      ids: { logs: 'HandlerLogs', role: 'HandlerRole', function: 'Handler' },
      code: lambda.Code.fromAsset(PORTAL_BUNDLE),
      description: 'Developer portal: registers, rotates, suspends and revokes API clients',
      roleDescription: 'Developer portal: manages app clients of one user pool and the tenant registry',
      memorySize: 512,
      timeout: Duration.seconds(25),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      network,
      runtime,
      // The M2M pool's secret-lifecycle alarm ignores the calls of roles under this path.
      rolePath: libraryRolePath(props.userPool),
      // The hourly sweep is the only asynchronous invocation.
      asyncInvocations: { queueId: 'SweepDeadLetters', retryAttempts: 2, maxEventAge: Duration.hours(1), what: 'the developer portal\'s hourly client-secret sweep' },
      defaults: requestHandlerDefaults('portal requests are throttled',
        'the Cognito user pool API, DynamoDB for the registry, API Gateway for usage tiers'),
      environment: {
        [PORTAL_ENV.userPoolId]: props.userPool.userPoolId,
        [REGISTRY_ENV.tableName]: this.registry.tableName,
        [PORTAL_ENV.tokenEndpoint]: tokenEndpoint,
        [PORTAL_ENV.adminScope]: adminName,
        [PORTAL_ENV.tenantAdminScope]: tenantAdminName,
        [PORTAL_ENV.grantableScopes]: Stack.of(this).toJsonString([...new Set([...grantable, tenantAdminName])]),
        [PORTAL_ENV.defaultTokenValidityMinutes]: String(validity.toMinutes()),
        [PORTAL_ENV.rotationGraceHours]: String(grace.toHours()),
        [PORTAL_ENV.maxClientsPerTenant]: maxClients,
        [PORTAL_ENV.callerRequestsPerMinute]: perMinute,
        [PORTAL_ENV.appClientQuota]: quota,
        ...(this.signInPool && this.webUi ? {
          [PEOPLE_ENV.poolId]: this.signInPool.userPoolId,
          [PEOPLE_ENV.tenantGroupPrefix]: this.signInPool.tenantGroupPrefix,
          [PORTAL_ENV.allowedOrigin]: this.webUi.origin,
        } : {}),
      },
    });
    this.signInPool?.grantInvite(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: COGNITO_ACTIONS, resources: [props.userPool.userPoolArn] }));
    this.registry.grantManage(role);
    this.handler = handler;
    this.portalFunction = handler;
    this.handlerRole = role;

    // Old secrets whose grace period has passed are deleted hourly.
    new events.Rule(this, 'RotationSweep', {
      description: 'Deletes client secrets whose rotation grace period has passed',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(handler)],
    });
    this.sweepDeadLettersAlarm = deadLetterAlarm(props.userPool, this, deadLetterQueue!, 'The developer portal\'s hourly client-secret sweep');

    this.api = new ScopedRestApi(this, 'Api', {
      userPool: props.userPool,
      description: 'Developer portal: register, rotate, suspend and revoke API clients',
      authorizer: this.signInPool
        ? M2mAuthorizer._portal(authorizerOptions, { pool: this.signInPool, adminScope: adminName, tenantAdminScope: tenantAdminName })
        : M2mAuthorizer.tenantAware(authorizerOptions),
      webAclArn: props.webAclArn,
      cloudWatchRole: props.cloudWatchRole,
    });
    apiOrigin = executeApiOrigin(this, this.api.restApiId);
    this.addRoutes(handler);
    if (this.webUi && this.signInPool) this.deployWebUi(this.webUi, this.signInPool, props, tokenEndpoint, grace, validity);
  }

  private deployWebUi(
    site: PortalWebUi, people: PortalUserPool, props: DeveloperPortalProps, tokenEndpoint: string, grace: Duration, validity: Duration,
  ): void {
    const described = scopeDescriptions(props.userPool);
    const grantable = resolveScopes(this, 'grantableScopes', props.userPool, props.grantableScopes)
      .map((s) => ({ name: s.name, description: described.get(s.name) ?? '' }));
    site._deploy({
      version: WEB_UI_CONFIG_VERSION,
      apiUrl: Lazy.string({ produce: () => this.api.url.replace(/\/$/, '') }),
      tokenEndpoint,
      signIn: {
        authorizeUrl: people.authorizeUrl,
        tokenUrl: people.tokenUrl,
        logoutUrl: people.logoutUrl,
        clientId: people.webClient.userPoolClientId,
        scopes: ['openid', 'email', 'profile'],
      },
      grantableScopes: grantable,
      rotationGraceHours: grace.toHours(),
      defaultAccessTokenValidityMinutes: validity.toMinutes(),
    });
    for (const api of props.webUi?.catalog ?? []) this.addCatalogApi(api);
    // Rendered at synth time: APIs and methods added after the portal are included.
    site._addFiles(() => [
      s3deploy.Source.jsonData(WEB_UI_FILES.catalog, {
        version: CATALOG_VERSION,
        apis: [...this.catalog].map(([name, api]) => api._catalogApi(name)),
      }),
      ...[...this.catalog].map(([name, api]) => s3deploy.Source.jsonData(`${WEB_UI_FILES.openApiDir}/${name}.json`, api.openApiDocument())),
    ]);
  }

  /**
   * A metric of the portal's user pool, in namespace `CdkCognitoM2m` with the
   * dimension `userPoolId`. The portal writes them when its hourly sweep runs
   * and when Cognito refuses a client at the quota.
   *
   * @param metricName `PoolAppClients` or `PoolAppClientHeadroom`
   * @param props options; `dimensionsMap` adds to the `userPoolId` dimension
   * @default - minimum over 1 hour
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: PORTAL_METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.hours(1),
      ...props,
      dimensionsMap: { [POOL_DIMENSION]: this.userPool.userPoolId, ...props?.dimensionsMap },
    }).attachTo(this);
  }

  /**
   * App clients in the user pool: every client, the portal's and the CDK's
   * (TenantAppClients), counted by the portal's hourly sweep.
   *
   * @default - maximum over 1 hour
   */
  public metricPoolClients(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(POOL_CLIENTS_METRIC, { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * How many more app clients the user pool can hold: `appClientQuota` minus
   * the clients counted. At zero, Cognito refuses every new client, the
   * portal's registrations and the deployments that add a TenantAppClient
   * alike. Alarm on it well before, e.g.
   * `portal.metricPoolClientHeadroom().createAlarm(this, 'Headroom', { threshold: 50,
   * comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
   * evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.BREACHING })`.
   *
   * @default - minimum over 1 hour
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  public metricPoolClientHeadroom(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(POOL_HEADROOM_METRIC, props);
  }

  /**
   * Adds an API to the web UI's catalog: tenants see its methods, the scopes
   * that reach each, and its OpenAPI document. The catalog is rendered when
   * the app is synthesized, so methods added later are included.
   *
   * @param api an API whose tokens come from the portal's user pool
   * @param name the API's name in the catalog and its document's file name
   * (`[A-Za-z0-9_-]{1,64}`); the API's construct id when left out
   */
  public addCatalogApi(api: ScopedRestApi, name?: string): void {
    const label = name ?? api.node.id;
    if (!this.webUi) {
      throw propError(this, 'webUi', undefined, `the catalog is part of the web UI: set webUi to publish API ${label}`);
    }
    if (!CATALOG_API_NAME.test(label)) {
      throw propError(this, 'addCatalogApi(name)', label, '1-64 characters [A-Za-z0-9_-]; pass a name when the construct id has other characters');
    }
    if (this.catalog.has(label)) throw propError(this, 'addCatalogApi(name)', label, 'another API of the catalog has this name');
    if (api.m2mUserPool !== this.userPool) {
      throw propError(this, `addCatalogApi(${label})`, api.node.path, 'the API must accept tokens of the portal\'s user pool: the portal registers clients there');
    }
    this.catalog.set(label, api);
  }

  /**
   * Lets the portal manage the usage tiers of an API at run time: each
   * tenant it creates gets an API key of this API in the API's default tier,
   * and platform admins move a tenant to another tier with
   * `PUT /tenants/{tenantId}/usage-tiers/{name}` and body `{"tier": "<tier>"}`.
   * Tenants never see or send the key: the API's authorizer hands its value
   * to API Gateway (`usageIdentifierKey`).
   *
   * The portal's role may create and list API keys, and add and remove keys
   * of this API's usage plans only. Tiers are read when the app is
   * synthesized, so tiers added to the API later are included. Each tenant
   * uses one API key per tiered API, against the account's quota of API keys
   * (10,000 per Region by default).
   *
   * @param name how portal requests name the API: 1-64 characters [A-Za-z0-9_-]
   * @param api an API with usage tiers (`ScopedRestApi.addUsageTier`)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
   */
  public addTieredApi(name: string, api: ScopedRestApi): void {
    if (!TIERED_API_NAME.test(name)) {
      throw propError(this, 'addTieredApi(name)', name, '1-64 characters [A-Za-z0-9_-] (portal requests name the API in their path)');
    }
    if (this.tieredApis.has(name)) throw propError(this, 'addTieredApi(name)', name, 'another tiered API of the portal has this name');
    for (const [other, added] of this.tieredApis) {
      if (added === api) throw propError(this, `addTieredApi(${name})`, api.node.path, `this API was already added as ${other}`);
    }
    if (this.tieredApis.size === 0) {
      this.portalFunction.addEnvironment(PORTAL_ENV.usageTiers, Lazy.string({
        // An API without tiers is reported by the validation below, not by a resolution error.
        produce: () => Stack.of(this).toJsonString([...this.tieredApis]
          .filter(([, a]) => a.usageTiers.length > 0)
          .map(([n, a]) => a._usageTiersConfig(n))),
      }));
      // At synthesis, when every tier is declared: the grants on the APIs' usage plans.
      onceAtSynth(this, () => this.grantTieredApis());
    }
    this.tieredApis.set(name, api);
    this.node.addValidation({
      validate: () => (api.usageTiers.length > 0 ? [] : [
        `[${this.node.path}] addTieredApi(${name}): ${JSON.stringify(api.node.path)} is invalid: the API has no usage tiers; add them with api.addUsageTier(name, { rateLimit, burstLimit })`,
      ]),
    });
  }

  /**
   * Least privilege for usage tiers: create and list API keys
   * (`/apikeys`, no key ids), and add (`<plan>/keys`) and remove
   * (`<plan>/keys/<key id>`) keys of the tiered APIs' usage plans only.
   * The handler lists keys with `includeValues: false` and never reads a
   * key (`/apikeys/<id>` is not granted); `apigateway:GET` on `/apikeys`
   * still allows a listing with values (IAM cannot restrict that parameter),
   * of every API key in the account and Region.
   */
  private grantTieredApis(): void {
    const stack = Stack.of(this);
    const apiKeys = stack.formatArn({ service: 'apigateway', account: '', resource: '/apikeys', arnFormat: ArnFormat.NO_RESOURCE_NAME });
    this.handlerRole.addToPolicy(new iam.PolicyStatement({ actions: ['apigateway:POST', 'apigateway:GET'], resources: [apiKeys] }));
    const plans = [...this.tieredApis.values()].flatMap((a) => a._usagePlanArns());
    if (plans.length === 0) return;
    this.handlerRole.addToPolicy(new iam.PolicyStatement({ actions: ['apigateway:POST'], resources: plans.map((p) => `${p}/keys`) }));
    this.handlerRole.addToPolicy(new iam.PolicyStatement({ actions: ['apigateway:DELETE'], resources: plans.map((p) => `${p}/keys/*`) }));
    // cdk-nag names each wildcard resource with its tokens as `<AWS::Region>` or `<LogicalId>`.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    for (const tier of [...this.tieredApis.values()].flatMap((a) => a.usageTiers)) {
      const plan = stack.resolve(stack.getLogicalId(tier.usagePlan.node.defaultChild as CfnElement)) as string;
      const resource = `arn:${partition}:apigateway:${region}::/usageplans/<${plan}>/keys/*`;
      acknowledgeRule(this.handlerRole, `AwsSolutions-IAM5[Resource::${resource}]`,
        `DeleteUsagePlanKey names the tenant's API key id, which API Gateway assigns when the portal creates the key at run time; the wildcard covers the keys of usage plan ${tier.tierName} of ${tier.node.scope?.node.path ?? 'its API'} only.`);
    }
  }

  /**
   * Lets platform admins see and lift the suspensions of a `TokenBudgets`
   * (`DELETE /tenants/{tenantId}/token-budget-suspension` and
   * `…/clients/{clientId}/token-budget-suspension`), and shows them in the
   * tenant and client answers. The budgets must use the portal's registry,
   * where `PUT /tenants/{tenantId}/token-budget` stores tenant budgets.
   *
   * @param budgets the token budgets of an API whose tenants the portal manages
   */
  public addTokenBudgets(budgets: TokenBudgets): void {
    budgets._bindPortal(this.portalFunction, this.registry);
  }

  private addRoutes(handler: lambda.IFunction): void {
    // One invoke permission for the whole API instead of one per method and
    // one per test invocation (the portal has 18 methods): its source ARN
    // covers every method and stage of the portal API, none of another API.
    const integration = new apigateway.LambdaIntegration(handler, { scopePermissionToMethod: false });
    const scopes = { admin: [this.adminScope], anyAdmin: [this.adminScope, this.tenantAdminScope] };
    const resources = new Map<string, apigateway.IResource>([['/', this.api.root]]);
    const resourceAt = (p: string): apigateway.IResource => {
      let r = resources.get(p);
      if (!r) {
        const cut = p.lastIndexOf('/');
        r = resourceAt(p.slice(0, cut) || '/').addResource(p.slice(cut + 1));
        resources.set(p, r);
      }
      return r;
    };
    for (const route of PORTAL_ROUTES) {
      this.api.addScopedMethod(resourceAt(route.path), route.method, integration, { scopes: scopes[route.access] });
    }
    // The web UI calls the API from the browser (the handler adds the origin to its own answers).
    if (!this.webUi) return;
    for (const [p, methods] of methodsByPath()) {
      this.api.addCorsPreflight(resourceAt(p), { allowOrigin: this.webUi.origin, allowMethods: methods, allowHeaders: [...PORTAL_REQUEST_HEADERS] });
    }
  }
}
