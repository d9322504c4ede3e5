/**
 * Example: one tenant, several consuming services, zero trust between them.
 *
 * Shows application-client-based multitenancy (seeds/003): the tenant "globex"
 * runs three services that call the API, and each service gets its own app
 * client with the least scopes it needs, so a leaked billing secret cannot
 * create shipments. A tenant id is unique per user pool, so each service is
 * modelled as its own tenant id (`globex.billing`, `globex.shipping`,
 * `globex.reporting`); the authorizer passes that id to the backend.
 *
 * Each service's workload (here an ECS task role) may read only its own
 * client credentials, with `grantReadSecret`. The reporting route requires
 * ALL of its scopes, which the default (tenant-aware Lambda) authorizer supports.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts multi-service-tenant.ts
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, ManagedPolicyRole } from '../bin/app-compliance';
import { ApiWebAcl, M2mUserPool, ScopedRestApi, ScopeMatch } from 'cdk-cognito-m2m';

class MultiServiceTenantStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-services' });

    const invoices = pool.addResourceServer('Invoices', {
      identifier: 'https://api.acme.example/invoices',
      scopes: [
        { name: 'read', description: 'Read invoices' },
        { name: 'write', description: 'Issue invoices' },
      ],
    });
    const shipments = pool.addResourceServer('Shipments', {
      identifier: 'https://api.acme.example/shipments',
      scopes: [
        { name: 'read', description: 'Read shipments' },
        { name: 'write', description: 'Book shipments' },
      ],
    });

    // One app client per consuming service of the tenant, each with least scopes.
    const services = [
      { tenantId: 'globex.billing', scopes: [invoices.scope('read'), invoices.scope('write')] },
      { tenantId: 'globex.shipping', scopes: [shipments.scope('read'), shipments.scope('write')] },
      { tenantId: 'globex.reporting', scopes: [invoices.scope('read'), shipments.scope('read')] },
    ];
    for (const service of services) {
      const client = pool.addTenant(service.tenantId, {
        scopes: service.scopes,
        accessTokenValidity: Duration.minutes(15),
      });
      // The service's workload role reads its own credentials (and decrypts
      // them with the pool's KMS key), and nothing else.
      // Its grants go to a customer-managed policy, not an inline one.
      const workloadRole = new ManagedPolicyRole(this, `${service.tenantId}-TaskRole`, {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: `Task role of the ${service.tenantId} service: reads its OAuth 2.0 client credentials`,
      });
      client.grantReadSecret(workloadRole);
    }

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'Invoices and shipments API, one app client per consuming service',
      webAclArn: webAcl.webAclArn,
    });
    const backend = new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{
        statusCode: '200',
        // The tenant-aware authorizer tells the backend which service called.
        responseTemplates: { 'application/json': '{"tenantId":"$context.authorizer.tenantId"}' },
      }],
    });
    const methodResponses = [{ statusCode: '200' }];

    const invoicesResource = api.root.addResource('invoices');
    api.addScopedMethod(invoicesResource, 'GET', backend, { scopes: [invoices.scope('read')], methodResponses });
    api.addScopedMethod(invoicesResource, 'POST', backend, { scopes: [invoices.scope('write')], methodResponses });

    const shipmentsResource = api.root.addResource('shipments');
    api.addScopedMethod(shipmentsResource, 'GET', backend, { scopes: [shipments.scope('read')], methodResponses });
    api.addScopedMethod(shipmentsResource, 'POST', backend, { scopes: [shipments.scope('write')], methodResponses });

    // Only a token holding both read scopes (the reporting service) reaches this.
    api.addScopedMethod(api.root.addResource('report'), 'GET', backend, {
      scopes: [invoices.scope('read'), shipments.scope('read')],
      scopeMatch: ScopeMatch.ALL_OF,
      methodResponses,
    });
  }
}

const app = new App();
new MultiServiceTenantStack(app, 'CognitoM2mExampleMultiServiceTenant');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
