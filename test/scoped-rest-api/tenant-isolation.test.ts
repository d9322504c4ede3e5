import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { M2mAuthorizer, M2mUserPool, MethodAuthorizer, ScopedRestApi, TenantClaim } from '../../lib';

function setup(tenantClaim = true) {
  const stack = new Stack(new App(), 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-isolation' });
  const orders = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read orders' }] });
  pool.addTenant('acme', { scopes: [orders.scope('read')] });
  if (tenantClaim) new TenantClaim(stack, 'TenantClaim', { userPool: pool });
  const handler = (id: string, isolated: boolean) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
    ...(isolated ? { tenancyConfig: lambda.TenancyConfig.PER_TENANT } : {}),
  });
  return { stack, pool, orders, handler };
}

/** The Invoke headers of the integration of GET /orders, as API Gateway maps them. */
function integrationHeaders(stack: Stack): Record<string, string> {
  const methods = Template.fromStack(stack).findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET' } });
  return (Object.values(methods)[0] as any).Properties.Integration.RequestParameters;
}

describe('ScopedRestApi.tenantIsolatedIntegration()', () => {
  test.each([
    ['the tenant-aware authorizer', () => M2mAuthorizer.tenantAware(), undefined, 'context.authorizer.tenantId'],
    ['the JWT authorizer (tenant claim)', () => M2mAuthorizer.jwt(), undefined, 'context.authorizer.claims.tenant_id'],
    ['an automatic API, JWT methods', () => M2mAuthorizer.automatic(), MethodAuthorizer.JWT, 'context.authorizer.claims.tenant_id'],
    ['an automatic API, tenant-aware methods', () => M2mAuthorizer.automatic(), MethodAuthorizer.TENANT_AWARE, 'context.authorizer.tenantId'],
  ])('behind %s, X-Amz-Tenant-Id is the verified tenant and nothing the caller sent', (_, authorizer, which, source) => {
    const { stack, pool, orders, handler } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool, authorizer: authorizer() });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', api.tenantIsolatedIntegration(handler('Handler', true), { authorizer: which }), {
      scopes: [orders.scope('read')],
      authorizer: which,
    });
    // The only Invoke header is the mapping from the verified identity: a caller's own X-Amz-Tenant-Id
    // (method.request.header.*) is never mapped, so it stays a request header inside the event.
    expect(integrationHeaders(stack)).toEqual({ 'integration.request.header.X-Amz-Tenant-Id': source });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } });
  });

  test('refuses a function that is not in tenant isolation mode, naming it', () => {
    const { stack, pool, handler } = setup();
    const api = new ScopedRestApi(stack, 'Orders', { userPool: pool });
    expect(() => api.tenantIsolatedIntegration(handler('Shared', false)))
      .toThrow(/tenantIsolatedIntegration\(handler\).*Api\/Shared.*not in tenant isolation mode.*TenancyConfig.PER_TENANT/);
  });

  test('refuses an authorizer that knows no tenant', () => {
    const { stack, pool, handler } = setup(false);
    const jwt = new ScopedRestApi(stack, 'Jwt', { userPool: pool, authorizer: M2mAuthorizer.jwt() });
    expect(() => jwt.tenantIsolatedIntegration(handler('H1', true))).toThrow(/tenantIsolatedIntegration\(\).*no verified tenant/);
    const cognito = new ScopedRestApi(stack, 'Cognito', { userPool: pool, authorizer: M2mAuthorizer.cognito() });
    expect(() => cognito.tenantIsolatedIntegration(handler('H2', true))).toThrow(/tenantIsolatedIntegration\(\).*cognito.*no verified tenant/);
  });
});
