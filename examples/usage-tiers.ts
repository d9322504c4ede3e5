/**
 * Example: per-tenant usage tiers.
 *
 * Shows three usage tiers on a ScopedRestApi (`free`, `standard` as the
 * default, `gold`), each an API Gateway usage plan whose rate, burst and
 * quota apply to each tenant on its own, so one tenant over its limit gets
 * 429 and the others are unaffected. Tenants never hold an API key: the API
 * takes keys from the authorizer (`apiKeySource: AUTHORIZER`), and the
 * tenant-aware Lambda authorizer returns the key of the tenant whose token it
 * verified. `globex` is in the default tier, `initech` in gold and `hooli` in
 * free; each gets one API key for this API, created with its app client.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file. In this repository:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts usage-tiers.ts
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules } from '../bin/app-compliance';
import { ApiWebAcl, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class UsageTiersStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-tiers' });
    const orders = pool.addResourceServer('Orders', {
      identifier: 'https://api.acme.example/orders',
      scopes: [{ name: 'read', description: 'Read orders' }],
    });
    for (const tenant of ['globex', 'initech', 'hooli']) {
      pool.addTenant(tenant, { scopes: [orders.scope('read')] });
    }

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'Orders API with per-tenant usage tiers',
      webAclArn: webAcl.webAclArn,
      // The stage's own limit stays above the sum the tiers allow at once.
      deployOptions: { throttlingRateLimit: 500, throttlingBurstLimit: 1000 },
    });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"orders":[]}' } }],
    }), { scopes: [orders.scope('read')], methodResponses: [{ statusCode: '200' }] });

    const free = api.addUsageTier('free', {
      rateLimit: 1,
      burstLimit: 5,
      quota: { limit: 10_000, period: apigateway.Period.DAY },
    });
    api.addUsageTier('standard', {
      rateLimit: 10,
      burstLimit: 20,
      quota: { limit: 1_000_000, period: apigateway.Period.MONTH },
      isDefault: true,
    });
    const gold = api.addUsageTier('gold', { rateLimit: 100, burstLimit: 200 });

    free.addTenant('hooli');
    gold.addTenant('initech');
  }
}

const app = new App();
new UsageTiersStack(app, 'CognitoM2mExampleUsageTiers');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
