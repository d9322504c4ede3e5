import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as fc from 'fast-check';
import { M2mAuthorizer, M2mUserPool, MethodAuthorizer, ScopeMatch, ScopedRestApi, TenantClaim, TenantRegistry } from '../../lib';

const integration = new apigateway.MockIntegration();

function setup(options: { tenantClaim?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-auto' });
  const orders = pool.addResourceServer('Orders', {
    identifier: 'orders',
    scopes: [{ name: 'read', description: 'Read orders' }, { name: 'write', description: 'Write orders' }],
  });
  pool.addTenant('acme', { scopes: [orders.scope('read'), orders.scope('write')] });
  if (options.tenantClaim ?? true) new TenantClaim(stack, 'TenantClaim', { userPool: pool });
  return { app, stack, pool, orders };
}

/** The routes.json the tenant-aware authorizer ships with. */
function shippedRoutes(app: App): Array<{ method: string; path: string }> {
  const outdir = app.synth().directory;
  const dirs = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'routes.json')));
  expect(dirs).toHaveLength(1);
  return JSON.parse(fs.readFileSync(path.join(outdir, dirs[0], 'routes.json'), 'utf8')).routes;
}

const kinds = (api: ScopedRestApi) => Object.fromEntries(api.routes.map((r) => [`${r.httpMethod} ${r.resourcePath}`, r.authorizer]));

describe('M2mAuthorizer.automatic()', () => {
  test('puts each method behind the cheapest authorizer that enforces it, and says which and why', () => {
    const { app, stack, pool, orders } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', integration, { scopes: [orders.scope('read')] });
    api.addScopedMethod(res, 'POST', integration, { scopes: [orders.scope('read'), orders.scope('write')], scopeMatch: ScopeMatch.ALL_OF });
    api.addScopedMethod(res, 'DELETE', integration, { scopes: [orders.scope('write')], authorizer: MethodAuthorizer.TENANT_AWARE });
    api.addPublicMethod(api.root.addResource('health'), 'GET', integration, { reason: 'Load-balancer health check; returns no data' });

    expect(api.routes.map((r) => [`${r.httpMethod} ${r.resourcePath}`, r.authorizer, r.authorizerReason])).toEqual([
      ['GET /orders', 'jwt', 'any-of scopes, declared clients and the tenant in the token: API Gateway\'s JWT authorizer is enough'],
      ['POST /orders', 'lambda', 'all-of scopes: the JWT authorizer checks that any one is present'],
      ['DELETE /orders', 'lambda', 'chosen for the method (authorizer: MethodAuthorizer.TENANT_AWARE)'],
      ['GET /health', undefined, undefined],
    ]);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'JWT', AuthorizationScopes: ['orders/read'] });
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'CUSTOM', AuthorizationScopes: Match.absent() });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'JWT' });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN' });
    // The OpenAPI document says it too, per operation.
    const doc = api.openApiDocument();
    expect(doc.paths['/orders'].get['x-m2m-authorizer']).toEqual({ kind: 'jwt', reason: api.routes[0].authorizerReason });
    expect(doc.paths['/orders'].post['x-m2m-authorizer']).toEqual({ kind: 'lambda', reason: api.routes[1].authorizerReason });
    expect(doc.paths['/health'].get['x-m2m-authorizer']).toBeUndefined();
    // The tenant-aware authorizer's policy covers only the methods it guards.
    expect(shippedRoutes(app).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /orders', 'DELETE /orders']);
  });

  test('an API whose every method the JWT authorizer is enough for has no Lambda authorizer at all', () => {
    const { stack, pool, orders } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    expect(api.authorizerFunction).toBeUndefined();
    // Only the TenantClaim trigger is a function.
    t.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test.each([
    ['no TenantClaim puts the tenant in the token', { tenantClaim: false }, /the tenant comes from the client directory/],
  ])('the tenant-aware authorizer when %s', (_, options, reason) => {
    const { stack, pool, orders } = setup(options);
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
    expect(api.routes[0].authorizer).toBe('lambda');
    expect(api.routes[0].authorizerReason).toMatch(reason);
  });

  test('the tenant-aware authorizer for every method when the registry can hold clients and suspend them', () => {
    const { stack, pool, orders } = setup();
    const registry = new TenantRegistry(stack, 'Registry');
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic({ tenantAware: { registry } }) });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')] });
    expect(api.routes[0]).toMatchObject({ authorizer: 'lambda', authorizerReason: expect.stringMatching(/registry's clients and their suspension/) });
  });

  test('usage tiers: methods added after the first tier go to the tenant-aware authorizer; a JWT method before it fails synthesis, naming it', () => {
    const { stack, pool, orders } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', integration, { scopes: [orders.scope('read')] });
    api.addUsageTier('gold', { rateLimit: 10, burstLimit: 20 });
    api.addScopedMethod(res, 'POST', integration, { scopes: [orders.scope('write')] });
    expect(kinds(api)).toEqual({ 'GET /orders': 'jwt', 'POST /orders': 'lambda' });
    expect(() => Template.fromStack(stack)).toThrow(/GET \/orders: authorizer.*"jwt".*usage tiers.*add the usage tiers before the methods/);
  });

  test('a method may choose the JWT authorizer, but not for all-of scopes', () => {
    const { stack, pool, orders } = setup({ tenantClaim: false });
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', integration, { scopes: [orders.scope('read')], authorizer: MethodAuthorizer.JWT });
    expect(api.routes[0]).toMatchObject({ authorizer: 'jwt', authorizerReason: 'chosen for the method (authorizer: MethodAuthorizer.JWT)' });
    expect(() => api.addScopedMethod(res, 'POST', integration, {
      scopes: [orders.scope('read'), orders.scope('write')], scopeMatch: ScopeMatch.ALL_OF, authorizer: MethodAuthorizer.JWT,
    })).toThrow(/POST \/orders: authorizer.*JWT.*ANY of the scopes.*ALL_OF/);
  });

  test('a method chooses its authorizer only on an automatic API', () => {
    const { stack, pool, orders } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool });
    expect(() => api.addScopedMethod(api.root.addResource('orders'), 'GET', integration, { scopes: [orders.scope('read')], authorizer: MethodAuthorizer.JWT }))
      .toThrow(/GET \/orders: authorizer.*only on an API whose authorizer is M2mAuthorizer.automatic\(\); this API's is the lambda authorizer/);
  });

  test('the caller context is the same on both paths, from the authorizer\'s answer or the token\'s claims, named per authorizer', () => {
    const { stack, pool } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    expect(() => api.callerContextHeaders()).toThrow(/callerContextHeaders\(\).*depends on the method's authorizer.*callerContextHeadersFor/);
    expect(api.callerContextHeadersFor(MethodAuthorizer.JWT)).toEqual({
      'integration.request.header.X-Client-Id': 'context.authorizer.claims.client_id',
      'integration.request.header.X-Scopes': 'context.authorizer.claims.scope',
      'integration.request.header.X-Tenant-Id': 'context.authorizer.claims.tenant_id',
    });
    expect(api.callerContextHeadersFor(MethodAuthorizer.TENANT_AWARE)).toEqual({
      'integration.request.header.X-Client-Id': 'context.authorizer.clientId',
      'integration.request.header.X-Scopes': 'context.authorizer.scopes',
      'integration.request.header.X-Tenant-Id': 'context.authorizer.tenantId',
    });
    // On a single-authorizer API, naming another authorizer is an error.
    const plain = new ScopedRestApi(stack, 'Plain', { userPool: pool });
    expect(() => plain.callerContextHeadersFor(MethodAuthorizer.JWT)).toThrow(/callerContextHeadersFor\(authorizer\).*JWT.*lambda authorizer/);
  });

  test('the access log has both answers: the tenant-aware authorizer\'s fields, and the token\'s claims (tokenTenantId, tokenClientId, tokenScope, tokenId)', () => {
    const { stack, pool, orders } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: M2mAuthorizer.automatic() });
    api.addScopedMethod(api.root, 'GET', integration, { scopes: [orders.scope('read')] });
    const stage = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Stage'))[0];
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({
      tenantId: '$context.authorizer.tenantId',
      clientId: '$context.authorizer.clientId',
      tokenTenantId: '$context.authorizer.claims.tenant_id',
      tokenClientId: '$context.authorizer.claims.client_id',
      tokenScope: '$context.authorizer.claims.scope',
      tokenId: '$context.authorizer.claims.jti',
    });
  });

  test('property: a method that needs all-of scopes, the registry or a usage key never ends up on the JWT authorizer', () => {
    const methodSets = fc.record({
      tenantClaim: fc.boolean(),
      registry: fc.boolean(),
      // The index of the method before which the first usage tier is added; -1: no tiers.
      tierAt: fc.integer({ min: -1, max: 5 }),
      methods: fc.array(fc.record({ allOf: fc.boolean(), tenantAware: fc.boolean() }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(fc.property(methodSets, ({ tenantClaim, registry, tierAt, methods }) => {
      const { stack, pool, orders } = setup({ tenantClaim });
      const api = new ScopedRestApi(stack, 'Orders', {
        userPool: pool,
        authorizer: M2mAuthorizer.automatic(registry ? { tenantAware: { registry: new TenantRegistry(stack, 'Registry') } } : {}),
      });
      const mustBeLambda = new Map<string, boolean>();
      methods.forEach((m, i) => {
        if (i === tierAt) api.addUsageTier('gold', { rateLimit: 10, burstLimit: 20 });
        api.addScopedMethod(api.root.addResource(`r${i}`), 'GET', integration, {
          scopes: m.allOf ? [orders.scope('read'), orders.scope('write')] : [orders.scope('read')],
          scopeMatch: m.allOf ? ScopeMatch.ALL_OF : ScopeMatch.ANY_OF,
          authorizer: m.tenantAware ? MethodAuthorizer.TENANT_AWARE : undefined,
        });
        mustBeLambda.set(`GET /r${i}`, m.allOf || registry || (tierAt >= 0 && i >= tierAt));
      });
      if (tierAt >= methods.length) api.addUsageTier('gold', { rateLimit: 10, burstLimit: 20 });
      const chosen = kinds(api);
      for (const [label, lambda] of mustBeLambda) if (lambda) expect([label, chosen[label]]).toEqual([label, 'lambda']);
      // A JWT method under usage tiers (added before the first tier) never deploys: synthesis fails instead.
      if (tierAt >= 0 && Object.values(chosen).includes('jwt')) expect(() => Template.fromStack(stack)).toThrow(/usage tiers/);
    }), { seed: 20261205, numRuns: 150 });
  });
});

describe('migrating an API from tenantAware() to automatic()', () => {
  function build(authorizer: M2mAuthorizer) {
    const { stack, pool, orders } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer });
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', integration, { scopes: [orders.scope('read')] });
    api.addScopedMethod(res, 'POST', integration, { scopes: [orders.scope('read'), orders.scope('write')], scopeMatch: ScopeMatch.ALL_OF });
    return Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  }

  test('only the moved methods change, in place; the tenant-aware authorizer and every other resource keep their logical ids', () => {
    const before = build(M2mAuthorizer.tenantAware());
    const after = build(M2mAuthorizer.automatic());
    const ids = (r: typeof before) => Object.keys(r).filter((id) => r[id].Type !== 'AWS::ApiGateway::Deployment').sort();
    // Added: the JWT authorizer. Removed: nothing (no resource is replaced).
    expect(ids(after).filter((id) => !(id in before)).map((id) => after[id].Type)).toEqual(['AWS::ApiGateway::Authorizer']);
    expect(ids(before).filter((id) => !(id in after))).toEqual([]);
    const changed = ids(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    const method = (r: typeof before, verb: string) => Object.keys(r).find((id) => r[id].Type === 'AWS::ApiGateway::Method' && r[id].Properties.HttpMethod === verb)!;
    // GET moves to the JWT authorizer (in place: AuthorizationType, AuthorizerId and scopes are updatable); the all-of POST stays.
    expect(changed).toContain(method(before, 'GET'));
    expect(changed).not.toContain(method(before, 'POST'));
    expect(after[method(after, 'GET')].Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['orders/read'] });
    expect(before[method(before, 'GET')].Properties.AuthorizationType).toBe('CUSTOM');
    // The stage stays; its access log gains the token's claims beside the tenant-aware authorizer's answer.
    expect(changed.map((id) => before[id].Type).sort()).toEqual(['AWS::ApiGateway::Method', 'AWS::ApiGateway::Stage', 'AWS::Lambda::Function']);
  });
});
