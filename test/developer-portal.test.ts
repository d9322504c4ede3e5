import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DeveloperPortal, M2mAuthorizer, ScopedRestApi, TenantAppClient, TenantRegistry } from '../lib';
import { mockIntegration, poolStack } from './fixtures';
import { newestNodeRuntime } from '../lib/private/node-runtime';

function portalStack() {
  const env = poolStack();
  const portal = new DeveloperPortal(env.stack, 'Portal', { userPool: env.pool, grantableScopes: env.orders.scopes });
  return { ...env, portal };
}

describe('TenantRegistry', () => {
  test('is a KMS-encrypted, point-in-time-recoverable, deletion-protected, retained table', () => {
    const { stack } = poolStack();
    new TenantRegistry(stack, 'Registry');
    const t = Template.fromStack(stack);
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistryKey'), 'Arn'] } },
      }),
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('grantLookup gives point reads only; grantManage no table changes', () => {
    const { stack } = poolStack();
    const registry = new TenantRegistry(stack, 'Registry');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    registry.grantLookup(reader);
    registry.grantManage(writer);
    const t = Template.fromStack(stack);
    const actionsOf = (role: string) => Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action)));
    expect(actionsOf('Reader').sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'kms:Decrypt']);
    const manage = actionsOf('Writer');
    expect(manage).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'kms:GenerateDataKey']));
    expect(manage.filter((a: string) => /Table|Stream|Export|Import|Backup|\*/.test(a))).toEqual([]);
  });

  test('an existing table can be imported', () => {
    const { stack } = poolStack();
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234');
    const registry = TenantRegistry.fromTenantRegistryAttributes(stack, 'R', {
      tableArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/tenants', encryptionKey: key,
    });
    expect(stack.resolve(registry.tableName)).toBe('tenants');
  });
});

describe('DeveloperPortal', () => {
  test('adds a portal resource server with admin and tenant-admin scopes', () => {
    const { stack, portal } = portalStack();
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'm2m-portal',
      Name: 'Developer portal',
      Scopes: [Match.objectLike({ ScopeName: 'admin' }), Match.objectLike({ ScopeName: 'tenant-admin' })],
    });
    expect(portal.resourceServer.scopeFullName('admin')).toBe('m2m-portal/admin');
  });

  test('gates every portal route: tenant lifecycle and token budgets are for admins, client management also for tenant admins', () => {
    const { portal } = portalStack();
    const routes = Object.fromEntries(portal.api.routes.map((r) => [`${r.httpMethod} ${r.resourcePath}`, r.scopes.join(' ')]));
    const admin = 'm2m-portal/admin';
    const both = 'm2m-portal/admin m2m-portal/tenant-admin';
    expect(routes).toEqual({
      'GET /me': both,
      'GET /tenants': both,
      'POST /tenants': admin,
      'GET /tenants/{tenantId}': both,
      'PATCH /tenants/{tenantId}': admin,
      'DELETE /tenants/{tenantId}': admin,
      'GET /tenants/{tenantId}/audit': both,
      'GET /tenants/{tenantId}/admins': both,
      'POST /tenants/{tenantId}/admins': admin,
      'DELETE /tenants/{tenantId}/admins/{username}': admin,
      'GET /tenants/{tenantId}/clients': both,
      'POST /tenants/{tenantId}/clients': both,
      'GET /tenants/{tenantId}/clients/{clientId}': both,
      'PATCH /tenants/{tenantId}/clients/{clientId}': both,
      'DELETE /tenants/{tenantId}/clients/{clientId}': both,
      'POST /tenants/{tenantId}/clients/{clientId}/secrets': both,
      'DELETE /tenants/{tenantId}/clients/{clientId}/secrets/{secretId}': both,
      'PUT /tenants/{tenantId}/usage-tiers/{api}': admin,
      'PUT /tenants/{tenantId}/token-budget': admin,
      'DELETE /tenants/{tenantId}/token-budget-suspension': admin,
      'DELETE /tenants/{tenantId}/clients/{clientId}/token-budget-suspension': admin,
    });
    expect(portal.api.routes.every((r) => !r.isPublic)).toBe(true);
  });

  test('the handler may manage app clients of its pool only, and the registry', () => {
    const { stack } = portalStack();
    const t = Template.fromStack(stack);
    // The role's statements live in customer-managed policies that are its children.
    const statements = Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => id.startsWith('PortalHandlerRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const cognitoStatement = statements.find((s: any) => [].concat(s.Action).some((a: string) => a.startsWith('cognito-idp:')));
    expect(cognitoStatement.Resource).toEqual({ 'Fn::GetAtt': ['Pool9439FBB3', 'Arn'] });
    expect([].concat(cognitoStatement.Action).sort()).toEqual([
      'cognito-idp:AddUserPoolClientSecret', 'cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient',
      'cognito-idp:DeleteUserPoolClientSecret', 'cognito-idp:DescribeUserPoolClient', 'cognito-idp:ListUserPoolClientSecrets',
      'cognito-idp:ListUserPoolClients', 'cognito-idp:UpdateUserPoolClient',
    ]);
  });

  test('the handler knows pool, table, scopes and grace period; a schedule sweeps expired rotations', () => {
    const { stack } = portalStack();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Developer portal'),
      Runtime: newestNodeRuntime().name,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          USER_POOL_ID: { Ref: 'Pool9439FBB3' },
          TABLE_NAME: { Ref: Match.stringLikeRegexp('^PortalRegistry') },
          ADMIN_SCOPE: 'm2m-portal/admin',
          TENANT_ADMIN_SCOPE: 'm2m-portal/tenant-admin',
          GRANTABLE_SCOPES: '["https://api.acme.example/orders/read","https://api.acme.example/orders/write","m2m-portal/tenant-admin"]',
          DEFAULT_TOKEN_VALIDITY_MINUTES: '60',
          ROTATION_GRACE_HOURS: '24',
        }),
      },
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  test('the portal API authorizer checks the registry, and a business API can share it', () => {
    const { stack, pool, orders, portal } = portalStack();
    const api = new ScopedRestApi(stack, 'Business', {
      userPool: pool,
      authorizer: M2mAuthorizer.tenantAware({ registry: portal.registry, registryCacheTtl: Duration.seconds(20) }),
    });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    const fns = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.CLIENT_TENANTS);
    expect(fns).toHaveLength(2);
    for (const f of fns) {
      expect(f.Properties.Environment.Variables.TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^PortalRegistry/) });
    }
    expect(fns.map((f) => f.Properties.Environment.Variables.REGISTRY_CACHE_TTL_SECONDS).sort()).toEqual(['20', '30']);
  });

  test('the admin scope cannot be made grantable', () => {
    const env = poolStack();
    expect(() => new DeveloperPortal(env.stack, 'Portal', {
      userPool: env.pool,
      grantableScopes: [env.orders.scope('read'), cognito.OAuthScope.custom('m2m-portal/admin')],
    })).toThrow(/\[Test\/Portal\] grantableScopes: "m2m-portal\/admin" is invalid: the portal's admin scope cannot be granted/);
  });
});

describe('DeveloperPortal limits and pool metrics', () => {
  const portalEnv = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('^Developer portal') },
  }))[0].Properties.Environment.Variables;

  test('by default: 25 clients per tenant, 60 changes per caller and minute, a quota of 1,000 app clients', () => {
    const { stack } = portalStack();
    expect(portalEnv(Template.fromStack(stack))).toMatchObject({ MAX_CLIENTS_PER_TENANT: '25', CALLER_REQUESTS_PER_MINUTE: '60', APP_CLIENT_QUOTA: '1000' });
  });

  test('passes configured limits to the handler', () => {
    const env = poolStack();
    new DeveloperPortal(env.stack, 'Portal', {
      userPool: env.pool, grantableScopes: env.orders.scopes, maxClientsPerTenant: 100, callerRequestsPerMinute: 10, appClientQuota: 5000,
    });
    expect(portalEnv(Template.fromStack(env.stack))).toMatchObject({ MAX_CLIENTS_PER_TENANT: '100', CALLER_REQUESTS_PER_MINUTE: '10', APP_CLIENT_QUOTA: '5000' });
  });

  test.each([
    ['maxClientsPerTenant', 0, 'must be an integer from 1 to 1000'],
    ['maxClientsPerTenant', 1001, 'must be an integer from 1 to 1000'],
    ['maxClientsPerTenant', 2.5, 'must be an integer from 1 to 1000'],
    ['callerRequestsPerMinute', 0, 'must be an integer from 1 to 10000'],
    ['appClientQuota', -1, 'must be an integer from 1 to 100000'],
  ])('refuses %s: %p naming the prop, the value and the rule', (prop, value, rule) => {
    const env = poolStack();
    expect(() => new DeveloperPortal(env.stack, 'Portal', { userPool: env.pool, grantableScopes: env.orders.scopes, [prop]: value }))
      .toThrow(`[Test/Portal] ${prop}: ${value} is invalid: ${rule}`);
  });

  test('metricPoolClientHeadroom: the pool\'s headroom metric, ready for an alarm', () => {
    const { stack, portal } = portalStack();
    const headroom = portal.metricPoolClientHeadroom();
    const rendered = {
      ns: headroom.namespace, name: headroom.metricName, dims: headroom.dimensions, stat: headroom.statistic, period: headroom.period.toSeconds(),
    };
    expect(stack.resolve(rendered))
      .toEqual({ ns: 'CdkCognitoM2m', name: 'PoolAppClientHeadroom', dims: { userPoolId: { Ref: 'Pool9439FBB3' } }, stat: 'Minimum', period: 3600 });
    expect(portal.metricPoolClients().metricName).toBe('PoolAppClients');
    expect(portal.metricPoolClients().statistic).toBe('Maximum');
    headroom.createAlarm(stack, 'Headroom', {
      threshold: 50, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkCognitoM2m', MetricName: 'PoolAppClientHeadroom', Dimensions: [{ Name: 'userPoolId', Value: { Ref: 'Pool9439FBB3' } }], Threshold: 50,
    });
  });
});

describe('the portal\'s client name space', () => {
  test('TenantAppClient refuses a clientName of the portal\'s name space, in any case', () => {
    for (const [i, clientName] of ['@portal.acme.legacy', '@Portal.acme.x', '@PORTAL.'].entries()) {
      const env = poolStack();
      expect(() => new TenantAppClient(env.stack, `T${i}`, { userPool: env.pool, tenantId: 'acme', scopes: [env.orders.scope('read')], clientName }))
        .toThrow(`[Test/T${i}] clientName: ${JSON.stringify(clientName)} is invalid: must not start with "@portal."`);
    }
  });

  test('TenantAppClient still takes the old-style names (acme.legacy) and names starting with @ otherwise', () => {
    const env = poolStack();
    new TenantAppClient(env.stack, 'Legacy', { userPool: env.pool, tenantId: 'acme', scopes: [env.orders.scope('read')], clientName: 'acme.legacy' });
    new TenantAppClient(env.stack, 'At', { userPool: env.pool, tenantId: 'beta', scopes: [env.orders.scope('read')], clientName: '@portalish' });
    const names = Object.values(Template.fromStack(env.stack).findResources('AWS::Cognito::UserPoolClient')).map((c) => c.Properties.ClientName);
    expect(names).toEqual(expect.arrayContaining(['acme.legacy', '@portalish']));
  });
});

describe('DeveloperPortal.addTieredApi', () => {
  /** A portal managing the tiers of two APIs; a tier is added to "orders" after the portal knows it. */
  function tieredPortal() {
    const env = portalStack();
    const orders = new ScopedRestApi(env.stack, 'OrdersApi', { userPool: env.pool });
    orders.addScopedMethod(orders.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    orders.addUsageTier('basic', { rateLimit: 5, burstLimit: 10, isDefault: true });
    const billing = new ScopedRestApi(env.stack, 'BillingApi', { userPool: env.pool });
    billing.addScopedMethod(billing.root.addResource('invoices'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    billing.addUsageTier('free', { rateLimit: 1, burstLimit: 2 });
    env.portal.addTieredApi('orders', orders);
    env.portal.addTieredApi('billing', billing);
    orders.addUsageTier('gold', { rateLimit: 100, burstLimit: 200 });
    return { ...env, orders, billing };
  }

  const planRef = (t: Template, api: string, tier: string) => {
    const ids = Object.keys(t.findResources('AWS::ApiGateway::UsagePlan'))
      .filter((id) => id.startsWith(api) && id.toLowerCase().includes(tier));
    expect(ids).toHaveLength(1);
    return { Ref: ids[0] };
  };

  test('gives the handler every tiered API with its key prefix, default tier and plans, tiers added later included', () => {
    const { stack } = tieredPortal();
    const t = Template.fromStack(stack);
    const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Developer portal') } }))[0];
    const raw = fn.Properties.Environment.Variables.USAGE_TIERS;
    // Rendered with Fn::Join around the plan ids' Refs: put them back together as the handler reads them.
    const json = raw['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
    const prefixes = Object.values(t.findResources('AWS::Lambda::Function'))
      .map((f: any) => f.Properties.Environment?.Variables?.USAGE_KEY_PREFIX).filter(Boolean);
    expect(JSON.parse(json)).toEqual([
      {
        api: 'orders',
        keyPrefix: expect.stringMatching(/^m2musage[0-9a-f]{10}$/),
        defaultTier: 'basic',
        tiers: { basic: `<${planRef(t, 'OrdersApi', 'basic').Ref}>`, gold: `<${planRef(t, 'OrdersApi', 'gold').Ref}>` },
      },
      {
        api: 'billing',
        keyPrefix: expect.stringMatching(/^m2musage[0-9a-f]{10}$/),
        defaultTier: 'free',
        tiers: { free: `<${planRef(t, 'BillingApi', 'free').Ref}>` },
      },
    ]);
    expect(prefixes).toEqual(expect.arrayContaining(JSON.parse(json).map((c: any) => c.keyPrefix)));
  });

  test('grants exactly: create and list API keys, and add and remove keys of these APIs\' usage plans', () => {
    const { stack } = tieredPortal();
    const t = Template.fromStack(stack);
    // The role's statements live in customer-managed policies that are its children.
    const statements = Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => id.startsWith('PortalHandlerRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [].concat(s.Action).some((a: string) => a.startsWith('apigateway:')));
    const arn = (...rest: any[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...rest]] });
    const plans = [planRef(t, 'OrdersApi', 'basic'), planRef(t, 'OrdersApi', 'gold'), planRef(t, 'BillingApi', 'free')];
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['apigateway:POST', 'apigateway:GET'], Resource: arn(':apigateway:us-east-1::/apikeys') },
      { Effect: 'Allow', Action: 'apigateway:POST', Resource: plans.map((p) => arn(':apigateway:us-east-1::/usageplans/', p, '/keys')) },
      { Effect: 'Allow', Action: 'apigateway:DELETE', Resource: plans.map((p) => arn(':apigateway:us-east-1::/usageplans/', p, '/keys/*')) },
    ]);
  });

  test('never lets the portal read an API key: apigateway:GET on the /apikeys listing only, never on a key or a usage plan', () => {
    const { stack } = tieredPortal();
    const t = Template.fromStack(stack);
    const statements = [...Object.values(t.findResources('AWS::IAM::ManagedPolicy')), ...Object.values(t.findResources('AWS::IAM::Policy'))]
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const gets = statements.filter((s: any) => [].concat(s.Action).some((a: string) => a === 'apigateway:GET' || a === 'apigateway:*' || a === '*'));
    expect(gets.flatMap((s: any) => [].concat(s.Resource))).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:us-east-1::/apikeys']] },
    ]);
  });

  test('the tier route is a PUT for platform admins only', () => {
    const { portal } = portalStack();
    const route = portal.api.routes.filter((r) => r.resourcePath === '/tenants/{tenantId}/usage-tiers/{api}');
    expect(route.map((r) => ({ method: r.httpMethod, scopes: r.scopes }))).toEqual([{ method: 'PUT', scopes: ['m2m-portal/admin'] }]);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged on the portal\'s role', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { awsSolutionsFindings } = require('../bin/nag') as { awsSolutionsFindings: (app: unknown) => Array<{ rule: string; path: string }> };
    const { app } = tieredPortal();
    app.synth();
    const findings = awsSolutionsFindings(app).filter((f) => f.path.includes('/Portal/HandlerRole'));
    expect(findings).toEqual([]);
  });

  test('refuses a bad name, a name or an API twice, and (at synthesis) an API without tiers', () => {
    const env = portalStack();
    const api = new ScopedRestApi(env.stack, 'Plain', { userPool: env.pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
    expect(() => env.portal.addTieredApi('or ders', api)).toThrow(
      '[Test/Portal] addTieredApi(name): "or ders" is invalid: 1-64 characters [A-Za-z0-9_-] (portal requests name the API in their path)');
    env.portal.addTieredApi('plain', api);
    expect(() => env.portal.addTieredApi('plain', api)).toThrow('[Test/Portal] addTieredApi(name): "plain" is invalid: another tiered API of the portal has this name');
    expect(() => env.portal.addTieredApi('again', api)).toThrow('[Test/Portal] addTieredApi(again): "Test/Plain" is invalid: this API was already added as plain');
    expect(() => Template.fromStack(env.stack)).toThrow(/addTieredApi\(plain\): "Test\/Plain" is invalid: the API has no usage tiers/);
  });
});

describe('the portal\'s sweep and the user pool\'s security alarms', () => {
  test('the handler\'s role lives under the pool\'s library path, which the secret-lifecycle alarm ignores', () => {
    const { stack } = portalStack();
    const t = Template.fromStack(stack);
    const [[, role]] = Object.entries(t.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('PortalHandlerRole'));
    expect(role.Properties.Path).toMatch(/^\/cdk-cognito-m2m\/[0-9a-f]{12}\/$/);
    const [[, rule]] = Object.entries(t.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('PoolSecretLifecycleAuditRule'));
    expect(JSON.stringify(rule.Properties.EventPattern)).toContain(`:role${role.Properties.Path}`);
  });

  test('a sweep that keeps failing ends in a KMS-encrypted dead-letter queue whose alarm is one of the pool\'s security alarms', () => {
    const { stack, pool, portal } = portalStack();
    const t = Template.fromStack(stack);
    const [[queueId, queue]] = Object.entries(t.findResources('AWS::SQS::Queue')).filter(([id]) => id.startsWith('PortalSweepDeadLetters'));
    expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CognitoM2mLogsKey/), 'Arn'] });
    const [[, fn]] = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('PortalHandler'));
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect(pool.securityAlarms).toContain(portal.sweepDeadLettersAlarm);
    expect(stack.resolve((portal.sweepDeadLettersAlarm.node.defaultChild as cloudwatch.CfnAlarm).alarmActions))
      .toEqual([{ Ref: expect.stringMatching(/^PoolSecurityAlarmsTopic/) }]);
  });
});
