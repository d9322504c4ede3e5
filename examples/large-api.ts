/**
 * Example: an API larger than one CloudFormation stack.
 *
 * Shows a ScopedRestApi whose 240 resources and 480 methods (720
 * CloudFormation resources, beyond the 500 a stack may hold) are spread over
 * three parts (`api.addPart`), nested stacks that hold the resources and
 * methods while the API, its stage, the tenant-aware Lambda authorizer and
 * the backend function stay in the main stack. Every method is scoped; the
 * authorizer's route table, the deployment and cdk-nag cover all of them. The
 * backend is one Lambda function with one invoke permission for the whole API
 * (`scopePermissionToMethod: false`) instead of two per method.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts large-api.ts
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, BackendFunction } from '../bin/app-compliance';
import { ApiWebAcl, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

/** Parts and the collections each holds: /v1/<collection> and /v1/<collection>/{id}, GET and PUT on both. */
const PARTS: Record<string, number> = { Catalog: 40, Fulfilment: 40, Billing: 40 };

class LargeApiStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-large' });
    const erp = pool.addResourceServer('Erp', {
      identifier: 'https://api.acme.example/erp',
      scopes: [
        { name: 'read', description: 'Read ERP records' },
        { name: 'write', description: 'Change ERP records' },
      ],
    });
    pool.addTenant('globex', { scopes: [erp.scope('read'), erp.scope('write')] });

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'ERP API for tenant backends, spread over nested stacks',
      webAclArn: webAcl.webAclArn,
    });
    const backend = new apigateway.LambdaIntegration(erpBackend(this), { scopePermissionToMethod: false });
    const v1 = api.root.addResource('v1');

    for (const [name, collections] of Object.entries(PARTS)) {
      const part = api.addPart(name, { description: `ERP API: ${name} collections` });
      for (let i = 0; i < collections; i++) {
        const list = part.addResource(v1, `${name.toLowerCase()}-${i}`);
        for (const res of [list, list.addResource('{id}')]) {
          part.addScopedMethod(res, 'GET', backend, { scopes: [erp.scope('read')] });
          part.addScopedMethod(res, 'PUT', backend, { scopes: [erp.scope('write')] });
        }
      }
    }
  }
}

/** A tiny inline backend answering with the path and the caller's tenant. */
function erpBackend(scope: Construct): lambda.IFunction {
  return new BackendFunction(scope, 'Backend', {
    description: 'Example ERP backend answering with the path and the caller\'s tenant',
    inlineCode: [
      'exports.handler = async (event) => ({',
      '  statusCode: 200,',
      '  headers: { "content-type": "application/json" },',
      '  body: JSON.stringify({ path: event.path, tenantId: (event.requestContext.authorizer || {}).tenantId || null }),',
      '});',
    ].join('\n'),
  }).function;
}

const app = new App();
new LargeApiStack(app, 'CognitoM2mExampleLargeApi');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
