import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IssuerFormat, M2mAuthorizer, M2mUserPool, ScopedRestApi, ScopeMatch, TenantAppClient, TenantRegistry } from '../lib';
import { mockIntegration, poolStack } from './fixtures';
import { newestNodeRuntime } from '../lib/private/node-runtime';

/** The asset directory of the authorizer function (the one with routes.json), from the synthesized assembly. */
function shippedAssetDir(app: ReturnType<typeof poolStack>['app']): string {
  const outdir = app.synth().directory;
  const dirs = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'routes.json')));
  expect(dirs).toHaveLength(1);
  expect(fs.existsSync(path.join(outdir, dirs[0], 'index.js'))).toBe(true);
  return path.join(outdir, dirs[0]);
}

/** The routes.json the authorizer function ships with. */
function shippedRouteTable(app: ReturnType<typeof poolStack>['app']): any {
  return JSON.parse(fs.readFileSync(path.join(shippedAssetDir(app), 'routes.json'), 'utf8'));
}

/** The index.js the authorizer function ships with. */
function shippedBundle(app: ReturnType<typeof poolStack>['app']): string {
  return fs.readFileSync(path.join(shippedAssetDir(app), 'index.js'), 'utf8');
}

test.each([
  ['inline clients, no registry', false, false, 'authorizer'],
  ['clients in the SSM directory, no registry', true, false, 'authorizer-directory'],
  ['inline clients and a registry', false, true, 'authorizer-registry'],
  ['clients in the SSM directory and a registry', true, true, 'authorizer-registry'],
])('%s: the function ships assets/%s (directory and registry code only where they are used)', (_, inDirectory, withRegistry, bundleName) => {
  const { app, stack, pool, orders } = poolStack();
  // A client in another stack cannot go inline: the authorizer reads its clients from SSM.
  const tenantStack = inDirectory ? new Stack(app, 'Tenants', { env: { account: '111111111111', region: 'us-east-1' } }) : stack;
  new TenantAppClient(tenantStack, 'Globex', { userPool: pool, tenantId: 'globex', scopes: [orders.scope('read')] });
  const registry = withRegistry ? new TenantRegistry(stack, 'Registry') : undefined;
  const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ registry }) });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
  expect(shippedBundle(app)).toBe(fs.readFileSync(path.join(__dirname, '..', 'assets', bundleName, 'index.js'), 'utf8'));
  const env = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('M2M access tokens') } });
  const vars = Object.values(env)[0].Properties.Environment.Variables;
  expect([vars.CLIENT_TENANTS_PATH !== undefined, vars.CLIENT_TENANTS !== undefined]).toEqual([inDirectory, !inDirectory]);
  expect(vars.TABLE_NAME !== undefined).toBe(withRegistry);
});

describe('Lambda authorizer (default)', () => {
  test('is a TOKEN authorizer with a bearer-JWT pre-check and a 30 s result cache', () => {
    // GIVEN
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });

    // WHEN
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });

    // THEN
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: '^Bearer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+$',
      AuthorizerResultTtlInSeconds: 30,
    });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiLambdaAuthorizer') },
      AuthorizationScopes: Match.absent(),
    });
    // The function the methods' authorizer invokes is the one the API exposes.
    const fnId = Stack.of(api).getLogicalId(api.authorizerFunction!.node.defaultChild as CfnElement);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerUri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [fnId, 'Arn'] }])] }) });
  });

  test('the function is traced, logs JSON to a retained log group, and knows the pool and trusted clients', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    // A tenant declared after the API is trusted too.
    pool.addTenant('initech', { scopes: [orders.scope('write')] });

    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: newestNodeRuntime().name,
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 5,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: Match.stringLikeRegexp('^ApiTenantAuthorizerLogs') } },
      Environment: {
        Variables: {
          USER_POOL_ID: { Ref: 'Pool9439FBB3' },
          JWKS_TIMEOUT_MS: '1500',
          CLIENT_TENANTS: {
            'Fn::Join': ['', ['{"', { Ref: Match.stringLikeRegexp('^PoolTenantglobex') }, '":"globex","', { Ref: Match.stringLikeRegexp('^PoolTenantinitech') }, '":"initech"}']],
          },
        },
      },
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
  });

  test('the function role may write its logs and traces and nothing else', () => {
    const { stack, pool, orders } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    // Customer-managed policies of the role: its own, and X-Ray's apart.
    const policies = Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => id.startsWith('ApiTenantAuthorizerRole')).map(([, p]) => p);
    expect(policies).toHaveLength(2);
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).flatMap((s: any) => [].concat(s.Action)).sort();
    expect(actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    // The role holds exactly those two: no AWS-managed policy, no inline policy.
    const roles = Object.values(t.findResources('AWS::IAM::Role')).filter((r) => JSON.stringify(r).includes('lambda.amazonaws.com'));
    expect(roles.map((r) => r.Properties.ManagedPolicyArns)).toEqual([[
      { Ref: expect.stringMatching(/^ApiTenantAuthorizerRolePolicy[0-9A-F]{8}$/) },
      { Ref: expect.stringMatching(/^ApiTenantAuthorizerRoleTracingPolicy[0-9A-F]{8}$/) },
    ]]);
    expect(roles.map((r) => r.Properties.Policies)).toEqual([undefined]);
  });

  test('ships the route table with the function: scoped methods only, scopes by index', () => {
    const { app, stack, pool, orders } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    api.addScopedMethod(res.addResource('{orderId}'), 'PUT', mockIntegration(), {
      scopes: [orders.scope('read'), orders.scope('write')], scopeMatch: ScopeMatch.ALL_OF,
    });
    api.addPublicMethod(api.root.addResource('health'), 'GET', mockIntegration(), { reason: 'Health check, no data' });
    // Methods added after the first one still reach the table.
    api.addScopedMethod(res.addResource('{proxy+}'), 'ANY', mockIntegration(), { scopes: [orders.scope('write')] });

    expect(shippedRouteTable(app)).toEqual({
      version: 2,
      scopes: ['https://api.acme.example/orders/read', 'https://api.acme.example/orders/write'],
      routes: [
        { method: 'GET', path: '/orders', scopes: [0], match: 'ANY_OF', pattern: '*/GET/orders' },
        { method: 'PUT', path: '/orders/{orderId}', scopes: [0, 1], match: 'ALL_OF', pattern: '*/PUT/orders/*' },
        { method: 'ANY', path: '/orders/{proxy+}', scopes: [1], match: 'ANY_OF', pattern: '*/*/orders/*' },
      ],
      // Planned at synth time: a write-only token's `*/*/orders/*` also matches PUT /orders/{orderId} (needs read
      // too): deny that route's pattern; a read-only token's `*/GET/orders` matches GET /orders/x/GET/orders, a
      // request of the proxy: deny `*/*/GET/orders`.
      overlaps: [[2, 1, 1], [0, 2, 2]],
    });
  });

  test('an API with 300 resources ships its whole table (no 4 KB environment limit)', () => {
    // 300 resources with a method each exceed CloudFormation's 500 resources per
    // stack (deploy such an API across nested stacks); the table is what is tested here.
    const { app, stack, pool, orders } = poolStack('Test', { '@aws-cdk/core:stackResourceLimit': 0 });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    for (let i = 0; i < 299; i++) {
      api.addScopedMethod(api.root.addResource(`r${i}`), 'GET', mockIntegration(), { scopes: [orders.scope(i % 2 ? 'read' : 'write')] });
    }
    const table = shippedRouteTable(app);
    expect(table.routes).toHaveLength(299);
    expect(table.routes[298]).toEqual({ method: 'GET', path: '/r298', scopes: [0], match: 'ANY_OF', pattern: '*/GET/r298' });
    expect(table.overlaps).toEqual([]); // distinct literal paths: no pattern matches another route's requests
    expect(table.scopes).toEqual(['https://api.acme.example/orders/write', 'https://api.acme.example/orders/read']);
  });

  test('options: cache TTL, memory, timeout, reserved concurrency, explicit trusted clients', () => {
    const { stack, pool, orders } = poolStack();
    const legacy = TenantAppClient.fromTenantAppClientAttributes(stack, 'Legacy', { tenantId: 'legacy', userPoolClientId: 'abcdefghijklmnopqrstuvwxyz' });
    const api = new ScopedRestApi(stack, 'Api', {
      userPool: pool,
      authorizer: M2mAuthorizer.tenantAware({
        resultsCacheTtl: Duration.minutes(1),
        memorySize: 1024,
        timeout: Duration.seconds(10),
        reservedConcurrentExecutions: 20,
        trustedClients: [legacy],
      }),
    });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 60 });
    t.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 10,
      ReservedConcurrentExecutions: 20,
      Environment: { Variables: Match.objectLike({ CLIENT_TENANTS: '{"abcdefghijklmnopqrstuvwxyz":"legacy"}' }) },
    });
  });
});

test('M2mAuthorizer.lambda() is the deprecated name of tenantAware(): the same Lambda authorizer', () => {
  const { stack, pool, orders } = poolStack();
  const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.lambda({ memorySize: 1024 }) });
  api.addScopedMethod(api.root.addResource('x'), 'GET', mockIntegration(), { scopes: [orders.scope('read')], scopeMatch: ScopeMatch.ALL_OF });
  expect(api.m2mAuthorizer.kind).toBe('lambda');
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Handler: 'index.handler' });
});

describe('outageBackoff', () => {
  const variables = (outageBackoff?: Duration) => {
    const { stack, pool, orders } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ outageBackoff }) });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Verifies Cognito M2M') } });
    return Object.values(fns)[0].Properties.Environment.Variables;
  };

  test('reaches the function as OUTAGE_BACKOFF_MS; without it the handler\'s default (5 s) applies and the environment is unchanged', () => {
    expect(variables(Duration.seconds(2)).OUTAGE_BACKOFF_MS).toBe('2000');
    expect(variables(Duration.seconds(0)).OUTAGE_BACKOFF_MS).toBe('0');
    expect(variables().OUTAGE_BACKOFF_MS).toBeUndefined();
  });

  test('over a minute is a synth error naming the prop, the value and the rule', () => {
    expect(() => variables(Duration.seconds(90)))
      .toThrow('[Test/Api] authorizer.outageBackoff: 1 minute 30 seconds is invalid: must be between 0 seconds and 1 minute inclusive');
  });
});

describe('several user pools and issuer formats', () => {
  function authorizerVariables(stack: Stack): Record<string, any> {
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Description: Match.stringLikeRegexp('^Verifies Cognito M2M') } });
    return Object.values(fns)[0].Properties.Environment.Variables;
  }

  test('an additional pool: its id and issuer formats reach the function, and its tenants are keyed with their pool', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    const eu = new M2mUserPool(stack, 'EuPool', { domainPrefix: 'acme-eu', issuerFormats: [IssuerFormat.ORIGINAL, IssuerFormat.UPDATED] });
    const euOrders = eu.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    eu.addTenant('hooli', { scopes: [euOrders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ additionalUserPools: [eu] }) });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const vars = authorizerVariables(stack);
    const t = Template.fromStack(stack);
    const poolRef = (name: string) => ({ Ref: Object.keys(t.findResources('AWS::Cognito::UserPool')).find((id) => id.startsWith(name))! });
    const clientRef = (tenant: string) => ({ Ref: Object.entries(t.findResources('AWS::Cognito::UserPoolClient')).find(([, r]) => r.Properties.ClientName === tenant)![0] });
    expect(vars.USER_POOL_ISSUERS).toBeUndefined(); // the API's pool: ORIGINAL only, the default
    expect(vars.ADDITIONAL_USER_POOLS).toEqual({ 'Fn::Join': ['', ['[{"userPoolId":"', poolRef('EuPool'), '","issuerFormats":["ORIGINAL","UPDATED"]}]']] });
    expect(vars.CLIENT_TENANTS).toEqual({
      'Fn::Join': ['', ['{"', clientRef('globex'), '":"globex","', poolRef('EuPool'), '/', clientRef('hooli'), '":"hooli"}']],
    });
  });

  test('the API\'s own pool on UPDATED: USER_POOL_ISSUERS, and the pool\'s issuer has the UPDATED host', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-u', issuerFormats: [IssuerFormat.UPDATED] });
    const orders = pool.addResourceServer('Orders', { identifier: 'https://api.acme.example/orders', scopes: [{ name: 'read', description: 'Read' }] });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(authorizerVariables(stack).USER_POOL_ISSUERS).toBe('UPDATED');
    expect(stack.resolve(pool.issuer)).toEqual({ 'Fn::Join': ['', ['https://issuer-cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: stack.getLogicalId(pool.userPool.node.defaultChild as CfnElement) }]] });
    const imported = M2mUserPool.fromUserPoolAttributes(stack, 'Far', { userPoolId: 'ap-southeast-2_Far123', domainPrefix: 'far', issuerFormats: [IssuerFormat.UPDATED] });
    expect(stack.resolve(imported.issuer)).toEqual({ 'Fn::Join': ['', ['https://issuer-cognito-idp.ap-southeast-2.', { Ref: 'AWS::URLSuffix' }, '/ap-southeast-2_Far123']] });
  });

  test('the API\'s own pool or a pool listed twice is refused; so are empty or repeated issuer formats', () => {
    const { stack, pool, orders } = poolStack();
    const other = M2mUserPool.fromUserPoolAttributes(stack, 'Other', { userPoolId: 'eu-west-1_Other1', domainPrefix: 'other' });
    for (const [pools, message] of [
      [[pool], 'authorizer.additionalUserPools[0]: "Test/Pool" is invalid: is the API\'s own user pool, which is always trusted'],
      [[other, other], 'authorizer.additionalUserPools[1]: "Test/Other" is invalid: is listed twice'],
    ] as const) {
      const api = new ScopedRestApi(stack, `Api${message.length}`, { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ additionalUserPools: [...pools] }) });
      expect(() => api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] })).toThrow(message);
    }
    for (const formats of [[], [IssuerFormat.UPDATED, IssuerFormat.UPDATED]]) {
      expect(() => new M2mUserPool(stack, `P${formats.length}`, { domainPrefix: 'acme-f', issuerFormats: formats }))
        .toThrow(`issuerFormats: ${formats.length ? '["UPDATED", "UPDATED"]' : '[]'} is invalid: must list ORIGINAL and/or UPDATED, each once`);
    }
  });
});
