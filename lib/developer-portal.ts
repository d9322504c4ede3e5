import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { M2mAuthorizer } from './m2m-authorizer';
import type { IM2mUserPool } from './m2m-user-pool';
import { handlerFunction } from './private/handler-function';
import { resolveScopes } from './private/registry';
import { checkDuration, checkString, propError, RESOURCE_SERVER_IDENTIFIER } from './private/validation';
import { ResourceServer } from './resource-server';
import { ScopedRestApi } from './scoped-rest-api';
import { ITenantRegistry, TenantRegistry } from './tenant-registry';

/**
 * Properties of a `DeveloperPortal`.
 */
export interface DeveloperPortalProps {
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
}

/** Where `npx projen bundle` puts the portal handler (same depth from lib/ and out/). */
const PORTAL_BUNDLE = path.join(__dirname, '..', 'assets', 'portal');

/** Cognito actions the portal performs on app clients of its pool, nothing else. */
const COGNITO_ACTIONS = [
  'cognito-idp:CreateUserPoolClient', 'cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient',
  'cognito-idp:DeleteUserPoolClient', 'cognito-idp:AddUserPoolClientSecret', 'cognito-idp:DeleteUserPoolClientSecret',
  'cognito-idp:ListUserPoolClientSecrets',
  // Finds the client a lost CreateUserPoolClient answer left behind (by its deterministic name).
  'cognito-idp:ListUserPoolClients',
];

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
 * (`M2mAuthorizer.lambda({ registry: portal.registry })`) so that it trusts
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

  constructor(scope: Construct, id: string, props: DeveloperPortalProps) {
    super(scope, id);
    const identifier = props.identifier ?? 'm2m-portal';
    checkString(this, 'identifier', identifier, RESOURCE_SERVER_IDENTIFIER);
    const grace = props.rotationGracePeriod ?? Duration.hours(24);
    checkDuration(this, 'rotationGracePeriod', grace, Duration.hours(1), Duration.days(30));
    const validity = props.defaultAccessTokenValidity ?? Duration.minutes(60);
    checkDuration(this, 'defaultAccessTokenValidity', validity, Duration.minutes(5), Duration.days(1));
    if (!fs.existsSync(path.join(PORTAL_BUNDLE, 'index.js'))) {
      throw new Error(`The bundled portal handler ${path.join(PORTAL_BUNDLE, 'index.js')} is missing: run \`npx projen bundle\` (npm install runs it)`);
    }

    this.registry = props.registry ?? new TenantRegistry(this, 'Registry');
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

    const { fn: handler, role } = handlerFunction(this, {
      ids: { logs: 'HandlerLogs', role: 'HandlerRole', function: 'Handler' },
      code: lambda.Code.fromAsset(PORTAL_BUNDLE),
      description: 'Developer portal: registers, rotates, suspends and revokes API clients',
      roleDescription: 'Developer portal: manages app clients of one user pool and the tenant registry',
      memorySize: 512,
      timeout: Duration.seconds(25),
      environment: {
        USER_POOL_ID: props.userPool.userPoolId,
        TABLE_NAME: this.registry.tableName,
        TOKEN_ENDPOINT: props.userPool.tokenEndpoint,
        ADMIN_SCOPE: adminName,
        TENANT_ADMIN_SCOPE: tenantAdminName,
        GRANTABLE_SCOPES: Stack.of(this).toJsonString([...new Set([...grantable, tenantAdminName])]),
        DEFAULT_TOKEN_VALIDITY_MINUTES: String(validity.toMinutes()),
        ROTATION_GRACE_HOURS: String(grace.toHours()),
      },
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: COGNITO_ACTIONS, resources: [props.userPool.userPoolArn] }));
    this.registry.grantManage(role);
    this.handler = handler;

    // Old secrets whose grace period has passed are deleted hourly.
    new events.Rule(this, 'RotationSweep', {
      description: 'Deletes client secrets whose rotation grace period has passed',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(handler)],
    });

    this.api = new ScopedRestApi(this, 'Api', {
      userPool: props.userPool,
      description: 'Developer portal: register, rotate, suspend and revoke API clients',
      authorizer: M2mAuthorizer.lambda({ registry: this.registry }),
      webAclArn: props.webAclArn,
    });
    this.addRoutes(handler);
  }

  private addRoutes(handler: lambda.IFunction): void {
    const integration = new apigateway.LambdaIntegration(handler);
    const admin = [this.adminScope];
    const anyAdmin = [this.adminScope, this.tenantAdminScope];
    const add = (resource: apigateway.IResource, method: string, scopes: cognito.OAuthScope[]) =>
      this.api.addScopedMethod(resource, method, integration, { scopes });

    const tenants = this.api.root.addResource('tenants');
    add(tenants, 'GET', anyAdmin);
    add(tenants, 'POST', admin);
    const tenant = tenants.addResource('{tenantId}');
    add(tenant, 'GET', anyAdmin);
    add(tenant, 'PATCH', admin);
    add(tenant, 'DELETE', admin);
    add(tenant.addResource('audit'), 'GET', anyAdmin);
    const clients = tenant.addResource('clients');
    add(clients, 'GET', anyAdmin);
    add(clients, 'POST', anyAdmin);
    const client = clients.addResource('{clientId}');
    add(client, 'GET', anyAdmin);
    add(client, 'PATCH', anyAdmin);
    add(client, 'DELETE', anyAdmin);
    const secrets = client.addResource('secrets');
    add(secrets, 'POST', anyAdmin);
    add(secrets.addResource('{secretId}'), 'DELETE', anyAdmin);
  }
}
