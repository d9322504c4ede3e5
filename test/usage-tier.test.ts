/**
 * Usage tiers: per-tenant usage plans on a ScopedRestApi, with the usage key
 * coming from the authorizer (apiKeySource AUTHORIZER), never from the tenant.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { M2mAuthorizer, M2mUserPool, ScopedRestApi, TenantAppClient } from '../lib';
import { mockIntegration, poolStack } from './fixtures';
import { usageKeyValue } from '../lib/private/contracts/usage-tiers';

function tieredApi() {
  const env = poolStack();
  const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
  api.addPublicMethod(api.root.addResource('health'), 'GET', mockIntegration(), { reason: 'Health check answered by API Gateway' });
  env.pool.addTenant('globex', { scopes: [env.orders.scope('read')] });
  env.pool.addTenant('initech', { scopes: [env.orders.scope('read')] });
  return { ...env, api };
}

/** The API's usage key prefix, as the authorizer gets it. */
function prefixOf(t: Template): string {
  const fns = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { USAGE_KEY_PREFIX: Match.anyValue() } } } });
  const [fn] = Object.values(fns);
  return fn.Properties.Environment.Variables.USAGE_KEY_PREFIX;
}

describe('ScopedRestApi.addUsageTier', () => {
  test('a tier is a usage plan on the stage whose rate, burst and quota apply per tenant', () => {
    const { stack, api } = tieredApi();

    api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20, quota: { limit: 100_000, period: apigateway.Period.MONTH } });

    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      Quota: { Limit: 100000, Period: 'MONTH' },
      ApiStages: [{ ApiId: { Ref: Match.stringLikeRegexp('^Api') }, Stage: { Ref: Match.stringLikeRegexp('^ApiDeploymentStageprod') } }],
      UsagePlanName: Match.stringLikeRegexp('-standard$'),
    });
  });

  test('the API takes keys from the authorizer, which gets the prefix; scoped methods require a key, public ones do not', () => {
    const { stack, api } = tieredApi();
    api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20 });
    const t = Template.fromStack(stack);

    t.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    expect(prefixOf(t)).toMatch(/^m2musage[0-9a-f]{10}$/);
    const methods = t.findResources('AWS::ApiGateway::Method');
    const byPath = Object.fromEntries(Object.entries(methods).map(([id, m]) => [id.replace(/[0-9A-F]{8}$/, ''), m.Properties.ApiKeyRequired]));
    expect(byPath).toEqual({ ApiordersGET: true, ApihealthGET: undefined });
  });

  test('every CDK-declared tenant gets one key, valued prefix + tenant id, in the default tier unless put in another', () => {
    const { stack, api } = tieredApi();
    api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20 });
    const gold = api.addUsageTier('gold', { rateLimit: 100, burstLimit: 200 });
    gold.addTenant('initech');

    const t = Template.fromStack(stack);
    const prefix = prefixOf(t);
    const keys = t.findResources('AWS::ApiGateway::ApiKey');
    expect(Object.values(keys).map((k) => k.Properties.Value).sort()).toEqual([usageKeyValue(prefix, 'globex'), usageKeyValue(prefix, 'initech')].sort());
    for (const k of Object.values(keys)) {
      expect(k.Properties.Enabled).toBe(true);
      expect(k.Properties.Value).toMatch(/^[A-Za-z0-9]{20,128}$/);
      expect(k.Properties.Name).toMatch(new RegExp(`^${prefix}\\.(globex|initech)$`));
      expect(k.Properties.StageKeys).toBeUndefined();
    }
    const planOf = (tenant: string) => {
      const [keyId] = Object.entries(keys).find(([, k]) => k.Properties.Value === usageKeyValue(prefix, tenant))!;
      const assoc = Object.values(t.findResources('AWS::ApiGateway::UsagePlanKey')).filter((a) => a.Properties.KeyId.Ref === keyId);
      expect(assoc).toHaveLength(1);
      return assoc[0].Properties.UsagePlanId.Ref as string;
    };
    expect(planOf('globex')).toMatch(/UsageTierstandardPlan/);
    expect(planOf('initech')).toMatch(/UsageTiergoldPlan/);
    expect(api.defaultUsageTier?.tierName).toBe('standard');
    expect(gold.tenantIds).toEqual(['initech']);
  });

  test('isDefault moves the default; a tenant of another pool is put in a tier by id, its key in the API\'s stack', () => {
    const { stack, api } = tieredApi();
    api.addUsageTier('free', { rateLimit: 1, burstLimit: 2 });
    const standard = api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20, isDefault: true });
    standard.addTenant('umbrella');

    const t = Template.fromStack(stack);
    const prefix = prefixOf(t);
    const keys = Object.values(t.findResources('AWS::ApiGateway::ApiKey')).map((k) => k.Properties.Value).sort();
    expect(keys).toEqual(['globex', 'initech', 'umbrella'].map((id) => usageKeyValue(prefix, id)).sort());
    for (const a of Object.values(t.findResources('AWS::ApiGateway::UsagePlanKey'))) {
      expect(a.Properties.UsagePlanId.Ref).toMatch(/UsageTierstandardPlan/);
    }
    expect(api.defaultUsageTier).toBe(standard);
  });

  test('a tenant declared in another stack gets its key in that stack, next to its client', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'us-east-1' };
    const main = new Stack(app, 'Main', { env });
    const pool = new M2mUserPool(main, 'Pool', { domainPrefix: 'acme-test' });
    const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
    const api = new ScopedRestApi(main, 'Api', { userPool: pool });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [rs.scope('read')] });
    api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20 });
    const tenants = new Stack(app, 'Tenants', { env });
    new TenantAppClient(tenants, 'Globex', { userPool: pool, tenantId: 'globex', scopes: [rs.scope('read')] });

    const tt = Template.fromStack(tenants);
    tt.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    tt.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { UsagePlanId: { 'Fn::ImportValue': Match.stringLikeRegexp('UsageTierstandardPlan') } });
    Template.fromStack(main).resourceCountIs('AWS::ApiGateway::ApiKey', 0);
  });

  test('different APIs get different key prefixes, so key values never clash', () => {
    const { stack, pool, orders, api } = tieredApi();
    const other = new ScopedRestApi(stack, 'Other', { userPool: pool });
    other.addScopedMethod(other.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20 });
    other.addUsageTier('standard', { rateLimit: 10, burstLimit: 20 });

    const t = Template.fromStack(stack);
    const prefixes = Object.values(t.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.USAGE_KEY_PREFIX).filter((p) => p !== undefined);
    expect(prefixes).toHaveLength(2);
    expect(new Set(prefixes).size).toBe(2);
    const values = Object.values(t.findResources('AWS::ApiGateway::ApiKey')).map((k) => k.Properties.Value);
    expect(values).toHaveLength(4);
    expect(new Set(values).size).toBe(4);
  });

  test('adding a tier changes the deployment, so the stage serves the new plan', () => {
    const one = tieredApi();
    const two = tieredApi();
    two.api.addUsageTier('standard', { rateLimit: 10, burstLimit: 20 });
    const id = (s: Stack) => Object.keys(Template.fromStack(s).findResources('AWS::ApiGateway::Deployment'))[0];
    expect(id(one.stack)).not.toEqual(id(two.stack));
  });
});

describe('bad usage tiers fail synthesis with a clear message', () => {
  test.each<[string, (e: ReturnType<typeof tieredApi>) => unknown, RegExp]>([
    ['the Cognito authorizer', (e) => {
      const api = new ScopedRestApi(e.stack, 'Native', { userPool: e.pool, authorizer: M2mAuthorizer.cognito() });
      api.addUsageTier('standard', { rateLimit: 1, burstLimit: 1 });
    }, /\[Test\/Native\] addUsageTier\("standard"\): authorizer: "cognito" is invalid: usage tiers need the tenant-aware Lambda authorizer/],
    ['keys from the header', (e) => {
      const api = new ScopedRestApi(e.stack, 'Header', { userPool: e.pool, apiKeySourceType: apigateway.ApiKeySourceType.HEADER });
      api.addUsageTier('standard', { rateLimit: 1, burstLimit: 1 });
    }, /addUsageTier\("standard"\): apiKeySourceType: "HEADER" is invalid: a tiered API takes API keys from the authorizer/],
    ['a tier name with a space', (e) => e.api.addUsageTier('gold tier', { rateLimit: 1, burstLimit: 1 }), /tierName: "gold tier" is invalid/],
    ['the same tier twice', (e) => { e.api.addUsageTier('gold', { rateLimit: 1, burstLimit: 1 }); e.api.addUsageTier('gold', { rateLimit: 2, burstLimit: 2 }); },
      /addUsageTier\("gold"\): name: "gold" is invalid: must be unique among the API's usage tiers/],
    ['two default tiers', (e) => { e.api.addUsageTier('a', { rateLimit: 1, burstLimit: 1, isDefault: true }); e.api.addUsageTier('b', { rateLimit: 1, burstLimit: 1, isDefault: true }); },
      /addUsageTier\("b"\): isDefault: true is invalid: usage tier a is already the default/],
    ['a rate of zero', (e) => e.api.addUsageTier('zero', { rateLimit: 0, burstLimit: 1 }), /rateLimit: 0 is invalid: must be a number of requests per second above 0/],
    ['a fractional burst', (e) => e.api.addUsageTier('b', { rateLimit: 1, burstLimit: 1.5 }), /burstLimit: 1.5 is invalid: must be a whole number of requests, at least 1/],
    ['a quota of zero', (e) => e.api.addUsageTier('q', { rateLimit: 1, burstLimit: 1, quota: { limit: 0, period: apigateway.Period.DAY } }), /quota.limit: 0 is invalid/],
    ['a tenant in two tiers', (e) => {
      e.api.addUsageTier('a', { rateLimit: 1, burstLimit: 1 }).addTenant('globex');
      e.api.addUsageTier('b', { rateLimit: 1, burstLimit: 1 }).addTenant('globex');
    }, /addTenant\(tenantId\): "globex" is invalid: is already in usage tier a of this API/],
    ['a bad tenant id', (e) => e.api.addUsageTier('a', { rateLimit: 1, burstLimit: 1 }).addTenant('glo bex'), /addTenant\(tenantId\): "glo bex" is invalid/],
    ['an API without a stage', (e) => {
      const api = new ScopedRestApi(e.stack, 'NoStage', { userPool: e.pool, deploy: false });
      api.addUsageTier('a', { rateLimit: 1, burstLimit: 1 });
    }, /api: "Test\/NoStage" is invalid: a usage plan meters a stage/],
  ])('%s', (_, act, message) => {
    expect(() => act(tieredApi())).toThrow(message);
  });
});
