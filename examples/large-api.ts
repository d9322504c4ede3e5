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
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

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

    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'ERP API for tenant backends, spread over nested stacks',
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

/** A tiny inline backend; its role may only write its own logs and traces. */
function erpBackend(scope: Construct): lambda.IFunction {
  const logGroup = new logs.LogGroup(scope, 'BackendLogs', { retention: logs.RetentionDays.ONE_MONTH });
  const role = new iam.Role(scope, 'BackendRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
  });
  return new lambda.Function(scope, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: lambda.Tracing.ACTIVE,
    timeout: Duration.seconds(5),
    memorySize: 256,
    code: lambda.Code.fromInline([
      'exports.handler = async (event) => ({',
      '  statusCode: 200,',
      '  headers: { "content-type": "application/json" },',
      '  body: JSON.stringify({ path: event.path, tenantId: (event.requestContext.authorizer || {}).tenantId || null }),',
      '});',
    ].join('\n')),
  });
}

const app = new App();
new LargeApiStack(app, 'CognitoM2mExampleLargeApi');
app.synth();
