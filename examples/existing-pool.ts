/**
 * Example: attach to a user pool that already exists.
 *
 * Shows `M2mUserPool.fromUserPoolAttributes` for a pool created elsewhere
 * (another stack, the console), identified by its id and Cognito domain
 * prefix. The app adds a resource server and a tenant app client to that
 * pool, and a ScopedRestApi that accepts the pool's access tokens.
 *
 * The API uses the native Cognito authorizer (`M2mAuthorizer.cognito()`): it
 * accepts every app client of the pool holding a method's scope, including
 * clients this app does not declare. The default tenant-aware Lambda
 * authorizer trusts only the clients it is told about (`trustedClients`).
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts existing-pool.ts
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { ApiWebAcl, M2mAuthorizer, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class ExistingPoolStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // Nothing is created for the pool itself: its ARN, issuer and token
    // endpoint (https://acme-m2m.auth.us-east-1.amazoncognito.com/oauth2/token)
    // derive from the attributes.
    const pool = M2mUserPool.fromUserPoolAttributes(this, 'Pool', {
      userPoolId: 'us-east-1_AbCdEf123',
      domainPrefix: 'acme-m2m',
    });

    // Created in the existing pool. Its name must be unique in that pool.
    const catalog = pool.addResourceServer('Catalog', {
      identifier: 'https://api.acme.example/catalog',
      scopes: [{ name: 'read', description: 'Read the product catalog' }],
    });

    // The secret holding the client credentials is encrypted with a new KMS
    // key, since no `secretsKey` attribute was given.
    pool.addTenant('hooli', {
      scopes: [catalog.scope('read')],
      accessTokenValidity: Duration.minutes(30),
    });

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      authorizer: M2mAuthorizer.cognito(),
      webAclArn: webAcl.webAclArn,
      description: 'Product catalog API for tenant backends',
    });
    api.addScopedMethod(api.root.addResource('products'), 'GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"products":[]}' } }],
    }), {
      scopes: [catalog.scope('read')],
      methodResponses: [{ statusCode: '200' }],
    });
  }
}

const app = new App();
// The API must live in the pool's Region for the Cognito authorizer.
new ExistingPoolStack(app, 'CognitoM2mExampleExistingPool', { env: { region: 'us-east-1' } });
app.synth();
