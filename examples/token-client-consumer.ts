/**
 * Example: a tenant's service that calls the API, with the token client.
 *
 * Shows a user pool without a domain, whose tenants get tokens with Cognito's
 * GetClientToken API (`clientTokenAuth`, on by default in such a pool: the
 * app client's only explicit auth flow is ALLOW_CLIENT_TOKEN_AUTH), a
 * ScopedRestApi with one scoped GET, and the consuming service: a Lambda
 * function bundled with esbuild (NodejsFunction) from
 * `consumer/orders-reader.ts`, which builds one `TokenClient` per execution
 * environment from the tenant's Secrets Manager secret (it may read that
 * secret and nothing else) and calls the API with `fetchWithToken`. The
 * token client takes the Region from the secret's `userPoolId`, caches the
 * token for 75% of its lifetime and sends one token request however many
 * invocations wait.
 *
 * In a real deployment the consumer runs in the tenant's own stack or
 * account; it is in the same stack here to keep the example small.
 *
 * In your own CDK app: `npm install cdk-cognito-m2m` (the app) and
 * `npm install cdk-cognito-m2m-token-client` (the service), then copy this
 * file and `consumer/orders-reader.ts`. In this repository:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts token-client-consumer.ts
 */
import * as path from 'path';
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, ConsumerFunction } from '../bin/app-compliance';
import { ApiWebAcl, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class TokenClientConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // No domainPrefix or customDomain: no hosted token endpoint; tenants use GetClientToken.
    const pool = new M2mUserPool(this, 'Pool', {});
    const orders = pool.addResourceServer('Orders', {
      identifier: 'https://api.acme.example/orders',
      scopes: [{ name: 'read', description: 'Read orders' }],
    });
    const globex = pool.addTenant('globex', { scopes: [orders.scope('read')], accessTokenValidity: Duration.minutes(30) });

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', { userPool: pool, description: 'Orders API (tokens from GetClientToken)', webAclArn: webAcl.webAclArn });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"orders":[]}' } }],
    }), { scopes: [orders.scope('read')], methodResponses: [{ statusCode: '200' }] });

    // The consuming service: its role may write its logs and traces and read globex's credentials, nothing else.
    // Its logs are encrypted with a key of their own; its grants sit in a customer-managed policy.
    const reader = new ConsumerFunction(this, 'OrdersReader', {
      description: 'The example\'s orders reader',
      entry: path.join(__dirname, 'consumer', 'orders-reader.ts'),
      credentials: globex.secret,
      environment: {
        M2M_SECRET_ARN: globex.secret.secretArn,
        ORDERS_API_URL: api.url,
        ORDERS_READ_SCOPE: orders.scope('read').scopeName,
      },
    }).function;

    new CfnOutput(this, 'OrdersReaderName', { value: reader.functionName });
    new CfnOutput(this, 'ApiUrl', { value: api.url });
  }
}

const app = new App();
new TokenClientConsumerStack(app, 'CognitoM2mExampleTokenClientConsumer');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
