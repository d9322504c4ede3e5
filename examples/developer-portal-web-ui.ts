/**
 * Example: the developer portal's web UI for people.
 *
 * Shows a DeveloperPortal with `webUi` turned on: a separate sign-in user pool
 * for people (managed login, authorization code + PKCE, TOTP MFA required, no
 * self sign-up) with one platform admin created at deploy time, and the
 * single-page app served from a private S3 bucket through CloudFront with a
 * strict Content-Security-Policy. A business API (a ScopedRestApi whose
 * authorizer reads the portal's registry) is published in the UI's API
 * catalog with `addCatalogApi`: tenants see its methods, the scopes that
 * reach each, and its OpenAPI document. The platform admin then creates
 * tenants and invites their admins in the browser; tenant admins register,
 * rotate, suspend and delete their own API clients there.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts developer-portal-web-ui.ts
 */
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules } from '../bin/app-compliance';
import { ApiWebAcl, DeveloperPortal, M2mAuthorizer, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class PortalWebUiStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-portal-ui' });
    const shipments = pool.addResourceServer('Shipments', {
      identifier: 'https://api.acme.example/shipments',
      scopes: [
        { name: 'read', description: 'Track shipments' },
        { name: 'write', description: 'Book shipments' },
      ],
    });

    // The web UI: people sign in at https://acme-portal-ui.auth.<region>.amazoncognito.com
    // (a user pool of their own, apart from the M2M pool). The platform admin
    // gets a temporary password by e-mail and sets a password and TOTP MFA at
    // the first sign-in.
    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const portal = new DeveloperPortal(this, 'Portal', {
      userPool: pool,
      grantableScopes: shipments.scopes,
      webAclArn: webAcl.webAclArn,
      webUi: {
        signInDomainPrefix: 'acme-portal-ui',
        platformAdmins: [{ username: 'platform-admin', email: 'platform-admin@acme.example' }],
        sessionValidity: Duration.hours(4),
      },
    });

    // The business API trusts portal-registered clients and denies suspended ones.
    // The shipments backend is called over HTTPS: API Gateway presents this
    // client certificate, which the backend verifies (mutual TLS to the backend).
    const clientCertificate = new apigateway.CfnClientCertificate(this, 'BackendClientCertificate', {
      description: 'API Gateway calling the shipments backend',
    });
    const api = new ScopedRestApi(this, 'Shipments', {
      userPool: pool,
      description: 'Shipments API for tenant backends (OAuth 2.0 client credentials)',
      authorizer: M2mAuthorizer.tenantAware({ registry: portal.registry }),
      webAclArn: webAcl.webAclArn,
      deployOptions: { clientCertificateId: clientCertificate.ref },
    });
    // In the catalog as "shipments"; the catalog and the OpenAPI document are
    // rendered at synth time, so the methods added below are included.
    portal.addCatalogApi(api, 'shipments');

    const collection = api.root.addResource('shipments');
    const list = new apigateway.HttpIntegration('https://shipments.internal.acme.example/shipments', { httpMethod: 'ANY' });
    api.addScopedMethod(collection, 'GET', list, { scopes: [shipments.scope('read')] });
    api.addScopedMethod(collection, 'POST', list, { scopes: [shipments.scope('write')] });
    const one = new apigateway.HttpIntegration('https://shipments.internal.acme.example/shipments/{shipmentId}', {
      options: { requestParameters: { 'integration.request.path.shipmentId': 'method.request.path.shipmentId' } },
    });
    api.addScopedMethod(collection.addResource('{shipmentId}'), 'GET', one, {
      scopes: [shipments.scope('read')],
      requestParameters: { 'method.request.path.shipmentId': true },
    });

    new CfnOutput(this, 'PortalUrl', { value: portal.webUi!.url, description: 'The developer portal web UI' });
    new CfnOutput(this, 'SignInPoolId', { value: portal.signInPool!.userPoolId, description: 'The user pool people sign in to' });
  }
}

const app = new App();
new PortalWebUiStack(app, 'CognitoM2mPortalWebUiExample');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, [
  'lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check',
  'cloudfront_custom_ssl_certificate_check', 'cloudfront_sni_enabled_check', 'cloudfront_security_policy_check', 'cloudfront_origin_failover_enabled_check',
  's3_bucket_acl_prohibited_check', 's3_bucket_logging_enabled_check', 's3_bucket_object_lock_enabled_check',
]);
app.synth();
