/**
 * Example: the cheapest authorizer for each method.
 *
 * Shows a ScopedRestApi whose authorizer is `M2mAuthorizer.automatic()`: each
 * scoped method goes to API Gateway's JWT authorizer (no Lambda invocation)
 * unless it needs the bundled tenant-aware one, here for all-of scopes. A
 * TenantClaim, created before the methods, puts the tenant in the tokens, so
 * the JWT authorizer requires it and the backend gets it from the claims.
 * The backend runs in Lambda's tenant isolation mode: API Gateway invokes it
 * with `X-Amz-Tenant-Id` set to the verified tenant (`tenantIsolatedIntegration`).
 *
 * Where each method runs (`api.routes`, also in the OpenAPI document):
 *   GET  /orders            JWT authorizer (any-of scopes, tenant in the token)
 *   POST /orders/approvals  tenant-aware Lambda authorizer (all-of scopes)
 *
 * AWS does not document yet whether the REST API JWT authorizer accepts
 * Cognito access tokens (they carry `client_id`, no `aud`): try a token
 * against GET /orders in your account before relying on it (README).
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts automatic-authorizer.ts
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, BackendFunction } from '../bin/app-compliance';
import { ApiWebAcl, M2mAuthorizer, M2mUserPool, MethodAuthorizer, ScopedRestApi, ScopeMatch, TenantClaim } from 'cdk-cognito-m2m';

class AutomaticAuthorizerStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-automatic' });
    const orders = pool.addResourceServer('Orders', {
      identifier: 'https://api.acme.example/orders',
      scopes: [
        { name: 'read', description: 'Read orders' },
        { name: 'approve', description: 'Approve orders' },
      ],
    });
    pool.addTenant('globex', { scopes: [orders.scope('read'), orders.scope('approve')] });
    pool.addTenant('initech', { scopes: [orders.scope('read')] });
    // The tenant in every client-credentials token (claim `tenant_id`), before the methods.
    new TenantClaim(this, 'TenantClaim', { userPool: pool });

    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'Orders API: each method behind the cheapest authorizer that enforces it',
      authorizer: M2mAuthorizer.automatic(),
      webAclArn: webAcl.webAclArn,
    });
    const backend = new BackendFunction(this, 'Backend', {
      description: 'Example orders backend in tenant isolation mode',
      tenantIsolation: true,
      inlineCode: [
        'exports.handler = async (event, context) => {',
        '  // The tenant Lambda isolated this invocation for: the verified tenant, never a header the caller sent.',
        '  const tenantId = context.tenantId || null;',
        '  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ tenantId }) };',
        '};',
      ].join('\n'),
    }).function;

    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', api.tenantIsolatedIntegration(backend, { authorizer: MethodAuthorizer.JWT }), {
      scopes: [orders.scope('read')],
    });
    api.addScopedMethod(res.addResource('approvals'), 'POST', api.tenantIsolatedIntegration(backend, { authorizer: MethodAuthorizer.TENANT_AWARE }), {
      scopes: [orders.scope('read'), orders.scope('approve')],
      scopeMatch: ScopeMatch.ALL_OF,
    });

    new CfnOutput(this, 'Authorizers', {
      value: api.routes.map((r) => `${r.httpMethod} ${r.resourcePath}: ${r.authorizer}`).join('; '),
      description: 'Which authorizer guards each method',
    });
  }
}

const app = new App();
new AutomaticAuthorizerStack(app, 'CognitoM2mExampleAutomaticAuthorizer');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
