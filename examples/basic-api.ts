/**
 * Example: the basic setup.
 *
 * Shows an M2mUserPool with a Cognito-hosted token endpoint (domainPrefix), one
 * resource server with `read` and `write` scopes, two tenants with different
 * scopes, and a ScopedRestApi (default authorizer: the bundled tenant-aware
 * Lambda authorizer) with a GET gated by `read`, a POST gated by `write`, and a
 * public health check that states why it is public.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts basic-api.ts
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, BackendFunction } from '../bin/app-compliance';
import { ApiWebAcl, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class BasicApiStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // The token endpoint: https://acme-m2m-basic.auth.<region>.amazoncognito.com/oauth2/token
    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-basic' });

    const orders = pool.addResourceServer('Orders', {
      identifier: 'https://api.acme.example/orders',
      scopes: [
        { name: 'read', description: 'Read orders' },
        { name: 'write', description: 'Create orders' },
      ],
    });

    // One app client per tenant, each with the least scopes it needs. Each
    // client's id and secret land in a KMS-encrypted Secrets Manager secret.
    // globex's client secret is rotated every 30 days; the previous one keeps
    // working for a day after each rotation (rotationGracePeriod), so its
    // services have time to read the new one from the secret.
    pool.addTenant('globex', {
      scopes: [orders.scope('read'), orders.scope('write')],
      accessTokenValidity: Duration.minutes(15),
      rotationSchedule: Duration.days(30),
    });
    pool.addTenant('initech', { scopes: [orders.scope('read')] });

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'Orders API for tenant backends (OAuth 2.0 client credentials)',
      webAclArn: webAcl.webAclArn,
    });
    const backend = new apigateway.LambdaIntegration(ordersBackend(this));

    const ordersResource = api.root.addResource('orders');
    api.addScopedMethod(ordersResource, 'GET', backend, { scopes: [orders.scope('read')] });
    api.addScopedMethod(ordersResource, 'POST', backend, { scopes: [orders.scope('write')] });

    // A method without scopes must say why it is public; the reason is recorded
    // as the acknowledgement of AwsSolutions-APIG4 and AwsSolutions-COG4.
    api.addPublicMethod(api.root.addResource('health'), 'GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"status":"ok"}' } }],
    }), {
      reason: 'Health check for load balancers and uptime monitors; it returns a constant and reaches no backend or data.',
      methodResponses: [{ statusCode: '200' }],
    });
  }
}

/** A tiny inline backend that answers with the tenant the authorizer passed on. */
function ordersBackend(scope: Construct): lambda.IFunction {
  return new BackendFunction(scope, 'Backend', {
    description: 'Example orders backend answering with the caller\'s tenant',
    inlineCode: [
      'exports.handler = async (event) => {',
      '  const a = (event.requestContext && event.requestContext.authorizer) || {};',
      '  const tenantId = a.tenantId || null;',
      '  const body = event.httpMethod === "POST" ? { created: true, tenantId } : { orders: [], tenantId };',
      '  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };',
      '};',
    ].join('\n'),
  }).function;
}

const app = new App();
new BasicApiStack(app, 'CognitoM2mExampleBasicApi');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
