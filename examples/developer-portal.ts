/**
 * Example: onboarding tenants at run time with the developer portal.
 *
 * Shows a DeveloperPortal (management API, tenant registry, hourly rotation
 * sweep) next to a business API whose Lambda authorizer trusts both the
 * tenants declared in CDK and the clients registered through the portal, and
 * denies suspended tenants and clients within the registry cache TTL plus the
 * API Gateway result cache TTL (30 s + 30 s by default). One platform-operator
 * client holds the portal's admin scope; tenants are then onboarded with
 * `POST /tenants` and `POST /tenants/{tenantId}/clients`, no redeploy needed.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts developer-portal.ts
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules } from '../bin/app-compliance';
import { ApiWebAcl, DeveloperPortal, M2mAuthorizer, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class PortalStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-portal' });
    const shipments = pool.addResourceServer('Shipments', {
      identifier: 'https://api.acme.example/shipments',
      scopes: [
        { name: 'read', description: 'Track shipments' },
        { name: 'write', description: 'Book shipments' },
      ],
    });

    // The portal may hand out the shipment scopes (and its tenant-admin scope);
    // never its own admin scope.
    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const portal = new DeveloperPortal(this, 'Portal', {
      userPool: pool,
      grantableScopes: shipments.scopes,
      webAclArn: webAcl.webAclArn,
      rotationGracePeriod: Duration.hours(12),
    });
    pool.addTenant('platform-ops', { scopes: [portal.adminScope], accessTokenValidity: Duration.minutes(15) });

    // The shipments backend is called over HTTPS: API Gateway presents this
    // client certificate, which the backend verifies (mutual TLS to the backend).
    const clientCertificate = new apigateway.CfnClientCertificate(this, 'BackendClientCertificate', {
      description: 'API Gateway calling the shipments backend',
    });
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      authorizer: M2mAuthorizer.tenantAware({ registry: portal.registry, registryCacheTtl: Duration.seconds(20) }),
      webAclArn: webAcl.webAclArn,
      deployOptions: { clientCertificateId: clientCertificate.ref },
    });
    const backend = new apigateway.HttpIntegration('https://shipments.internal.acme.example/{proxy}', {
      httpMethod: 'ANY',
      options: { requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } },
    });
    const res = api.root.addResource('shipments').addResource('{proxy+}');
    api.addScopedMethod(res, 'GET', backend, { scopes: [shipments.scope('read')], requestParameters: { 'method.request.path.proxy': true } });
    api.addScopedMethod(res, 'POST', backend, { scopes: [shipments.scope('write')], requestParameters: { 'method.request.path.proxy': true } });
  }
}

const app = new App();
new PortalStack(app, 'CognitoM2mPortalExample');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
