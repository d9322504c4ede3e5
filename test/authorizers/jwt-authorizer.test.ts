import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { acknowledgements } from '../../bin/nag';
import { IssuerFormat, M2mAuthorizer, M2mUserPool, ScopeMatch, ScopedRestApi, TenantClaim } from '../../lib';

function setup(options: { issuerFormats?: IssuerFormat[] } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-jwt', issuerFormats: options.issuerFormats });
  const orders = pool.addResourceServer('Orders', {
    identifier: 'orders',
    scopes: [{ name: 'read', description: 'Read orders' }, { name: 'write', description: 'Write orders' }],
  });
  return { app, stack, pool, orders };
}

const integration = new apigateway.MockIntegration();

describe('M2mAuthorizer.jwt()', () => {
  test('trusts each issuer format of the pool, with exactly the declared clients as audiences, access tokens only, RS256 only', () => {
    const { stack, pool, orders } = setup({ issuerFormats: [IssuerFormat.ORIGINAL, IssuerFormat.UPDATED] });
    const acme = pool.addTenant('acme', { scopes: [orders.scope('read')] });
    const globex = pool.addTenant('globex', { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });

    const t = Template.fromStack(stack);
    const audiences = [stack.resolve(acme.userPoolClientId), stack.resolve(globex.userPoolClientId)];
    const accessOnly = [{ ClaimName: 'token_use', Format: 'SINGLE_STRING', ExpectedValues: ['access'], Required: true }];
    const poolId = stack.resolve(pool.userPoolId);
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'JWT',
      IdentitySource: 'method.request.header.Authorization',
      JwtConfiguration: {
        DefaultAlgorithms: ['RS256'],
        Issuers: [
          { Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', poolId]] }, Audiences: audiences, AdditionalClaims: accessOnly },
          { Issuer: { 'Fn::Join': ['', ['https://issuer-cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', poolId]] }, Audiences: audiences, AdditionalClaims: accessOnly },
        ],
      },
    });
    // No Lambda function at all: the gateway validates the tokens.
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('JwtConfiguration, which the schemas of aws-cdk-lib\'s template validation (2.278) do not have yet, is acknowledged there on the authorizer resource only', () => {
    const { app, stack, pool, orders } = setup();
    pool.addTenant('acme', { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
    app.synth();
    const acks = acknowledgements(app).filter((a) => a.rule.startsWith('CloudFormation-Validate::'));
    expect(acks.map((a) => [a.path, a.rule])).toEqual([['Api/Orders/JwtAuthorizer', 'CloudFormation-Validate::F3002']]);
    expect(acks[0].reason).toMatch(/^JwtConfiguration is the property CloudFormation's template reference defines for an AWS::ApiGateway::Authorizer of type JWT/);
  });

  test('puts each method behind it with its own scopes, and a change of scopes redeploys the API', () => {
    const build = (scope: string) => {
      const { stack, pool, orders } = setup();
      pool.addTenant('acme', { scopes: [orders.scope('read'), orders.scope('write')] });
      const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope(scope)] });
      return Template.fromStack(stack);
    };
    const t = build('read');
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^OrdersJwtAuthorizer') },
      AuthorizationScopes: ['orders/read'],
    });
    const deployment = (tpl: Template) => Object.keys(tpl.findResources('AWS::ApiGateway::Deployment'))[0];
    expect(deployment(build('write'))).not.toEqual(deployment(t));
  });

  test('requires the tenant claim when a TenantClaim adds one, and hands it to backends and the access log', () => {
    const { stack, pool, orders } = setup();
    pool.addTenant('acme', { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
    new TenantClaim(stack, 'TenantClaim', { userPool: pool });

    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      JwtConfiguration: {
        Issuers: [Match.objectLike({
          AdditionalClaims: [
            { ClaimName: 'token_use', Format: 'SINGLE_STRING', ExpectedValues: ['access'], Required: true },
            { ClaimName: 'tenant_id', Format: 'SINGLE_STRING', Required: true },
          ],
        })],
      },
    });
    expect(api.callerContextHeaders()).toEqual({
      'integration.request.header.X-Client-Id': 'context.authorizer.claims.client_id',
      'integration.request.header.X-Scopes': 'context.authorizer.claims.scope',
      'integration.request.header.X-Tenant-Id': 'context.authorizer.claims.tenant_id',
    });
    const stage = Object.values(t.findResources('AWS::ApiGateway::Stage'))[0] as any;
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({
      tenantId: '$context.authorizer.claims.tenant_id',
      clientId: '$context.authorizer.claims.client_id',
      // The token's id (jti, which authenticates nothing): a query over the access log counts distinct tokens per client.
      tokenId: '$context.authorizer.claims.jti',
    });
  });

  test('trusts only the clients listed in trustedClients', () => {
    const { stack, pool, orders } = setup();
    const acme = pool.addTenant('acme', { scopes: [orders.scope('read')] });
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt({ trustedClients: [acme] }) });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      JwtConfiguration: { Issuers: [Match.objectLike({ Audiences: [stack.resolve(acme.userPoolClientId)] })] },
    });
  });

  describe('refuses at synthesis what it cannot enforce, naming the method or prop', () => {
    test('all-of scopes', () => {
      const { stack, pool, orders } = setup();
      const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
      expect(() => api.addScopedMethod(api.root.addResource('orders'), 'POST', integration, {
        scopes: [orders.scope('read'), orders.scope('write')], scopeMatch: ScopeMatch.ALL_OF,
      })).toThrow(/POST \/orders: scopeMatch.*ALL_OF.*jwt authorizer only checks that ANY/);
    });

    test('usage tiers (only the tenant-aware authorizer returns usage keys)', () => {
      const { stack, pool, orders } = setup();
      pool.addTenant('acme', { scopes: [orders.scope('read')] });
      const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
      expect(() => api.addUsageTier('gold', { rateLimit: 10, burstLimit: 20 })).toThrow(/addUsageTier\("gold"\): authorizer.*jwt.*tenant-aware/);
    });

    test('a pool without any trusted client', () => {
      const { stack, pool, orders } = setup();
      const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
      expect(() => Template.fromStack(stack)).toThrow(/userPool.*has no trusted client/);
    });

    test('more trusted clients than an issuer lists audiences', () => {
      const { stack, pool, orders } = setup();
      for (let i = 0; i < 51; i++) pool.addTenant(`tenant-${i}`, { scopes: [orders.scope('read')] });
      const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
      expect(() => Template.fromStack(stack)).toThrow(/51 trusted clients.*at most 50 audiences.*tenantAware/);
    });

    test('a trusted client of another pool', () => {
      const { stack, pool, orders } = setup();
      pool.addTenant('acme', { scopes: [orders.scope('read')] });
      const other = new M2mUserPool(stack, 'Other', { domainPrefix: 'acme-other' });
      const server = other.addResourceServer('S', { identifier: 'other', scopes: [{ name: 'read', description: 'r' }] });
      const stranger = other.addTenant('stranger', { scopes: [server.scope('read')] });
      const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt({ trustedClients: [stranger] }) });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
      expect(() => Template.fromStack(stack)).toThrow(/trustedClients\[0\].*not a TenantAppClient of the API's user pool/);
    });
  });
});

test('several pools: one issuer per pool and format, each with the clients of its own pool only', () => {
  const { stack, pool, orders } = setup();
  const acme = pool.addTenant('acme', { scopes: [orders.scope('read')] });
  const eu = M2mUserPool.fromUserPoolAttributes(stack, 'Eu', {
    userPoolId: 'eu-central-1_AbCdEf123', domainPrefix: 'acme-eu', issuerFormats: [IssuerFormat.ORIGINAL, IssuerFormat.UPDATED],
  });
  const euOrders = eu.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
  const initech = eu.addTenant('initech', { scopes: [euOrders.scope('read')] });
  const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt({ additionalUserPools: [eu] }) });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });

  const config = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Authorizer'))[0] as any;
  const issuers = config.Properties.JwtConfiguration.Issuers.map((i: any) => [JSON.stringify(i.Issuer), i.Audiences]);
  expect(issuers).toEqual([
    [JSON.stringify({ 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', stack.resolve(pool.userPoolId)]] }), [stack.resolve(acme.userPoolClientId)]],
    [JSON.stringify({ 'Fn::Join': ['', ['https://cognito-idp.eu-central-1.', { Ref: 'AWS::URLSuffix' }, '/eu-central-1_AbCdEf123']] }), [stack.resolve(initech.userPoolClientId)]],
    [JSON.stringify({ 'Fn::Join': ['', ['https://issuer-cognito-idp.eu-central-1.', { Ref: 'AWS::URLSuffix' }, '/eu-central-1_AbCdEf123']] }), [stack.resolve(initech.userPoolClientId)]],
  ]);
});

test('callerContextHeaders() before the TenantClaim would miss the tenant: synthesis says so', () => {
  const { stack, pool, orders } = setup();
  pool.addTenant('acme', { scopes: [orders.scope('read')] });
  const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
  const headers = api.callerContextHeaders();
  expect(headers['integration.request.header.X-Tenant-Id']).toBeUndefined();
  api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
  new TenantClaim(stack, 'TenantClaim', { userPool: pool });
  expect(() => Template.fromStack(stack)).toThrow(/callerContextHeaders\(\) was called before the TenantClaim.*create the TenantClaim first/);
});
