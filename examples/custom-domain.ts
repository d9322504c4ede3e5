/**
 * Example: your own domains for the token endpoint and the API.
 *
 * Shows an M2mUserPool whose token endpoint is served on a custom domain
 * (https://auth.acme.example/oauth2/token; Cognito needs an ACM certificate in
 * us-east-1 for it), and a ScopedRestApi on https://api.acme.example with a
 * regional ACM certificate and the TLS 1.2 security policy (ScopedRestApi
 * rejects TLS 1.0). The default execute-api endpoint is turned off so callers
 * must use the custom domain, and Route 53 alias records point both names at
 * their targets. Before deploying, the parent domain (acme.example) must
 * resolve (an A record), or Cognito refuses the custom domain.
 *
 * In your own CDK app, install the library (`npm install cdk-cognito-m2m`) and
 * copy this file: it imports the package by name. In this repository,
 * `npx projen examples` (part of `npm test`) links the built package, runs
 * every example and checks it with cdk-nag's AwsSolutions pack; to run this one:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts custom-domain.ts
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ApiWebAcl, M2mAuthorizer, M2mUserPool, ScopedRestApi } from 'cdk-cognito-m2m';

class CustomDomainStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: 'acme.example',
    });
    // Both certificates exist already; in us-east-1 one wildcard certificate
    // could serve both names.
    const authCertificate = acm.Certificate.fromCertificateArn(this, 'AuthCertificate',
      'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
    const apiCertificate = acm.Certificate.fromCertificateArn(this, 'ApiCertificate',
      'arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000');

    const pool = new M2mUserPool(this, 'Pool', {
      customDomain: { domainName: 'auth.acme.example', certificate: authCertificate },
    });
    new route53.ARecord(this, 'AuthAlias', {
      zone,
      recordName: 'auth',
      target: route53.RecordTarget.fromAlias(new targets.UserPoolDomainTarget(pool.domain)),
    });

    const inventory = pool.addResourceServer('Inventory', {
      identifier: 'https://api.acme.example/inventory',
      scopes: [{ name: 'read', description: 'Read stock levels' }],
    });
    pool.addTenant('globex', { scopes: [inventory.scope('read')] });

    // AWS managed rules, a rate limit per IP and logged requests (about $8 a month plus requests).
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      authorizer: M2mAuthorizer.cognito(),
      webAclArn: webAcl.webAclArn,
      description: 'Inventory API on a custom domain',
      domainName: {
        domainName: 'api.acme.example',
        certificate: apiCertificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
      },
      // Callers use https://api.acme.example only.
      disableExecuteApiEndpoint: true,
    });
    new route53.ARecord(this, 'ApiAlias', {
      zone,
      recordName: 'api',
      target: route53.RecordTarget.fromAlias(new targets.ApiGateway(api)),
    });

    api.addScopedMethod(api.root.addResource('stock'), 'GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"items":[]}' } }],
    }), {
      scopes: [inventory.scope('read')],
      methodResponses: [{ statusCode: '200' }],
    });
  }
}

const app = new App({
  context: {
    // UserPoolDomainTarget then reads the domain's CloudFront name with
    // Fn::GetAtt instead of a custom resource (a Lambda function with an
    // AWS-managed policy and a wildcard cognito-idp:DescribeUserPoolDomain).
    [cxapi.USER_POOL_DOMAIN_NAME_METHOD_WITHOUT_CUSTOM_RESOURCE]: true,
  },
});
// Cognito custom domains need their certificate in us-east-1; deploying the
// stack there lets the API's regional certificate live in the same Region.
new CustomDomainStack(app, 'CognitoM2mExampleCustomDomain', { env: { region: 'us-east-1' } });
app.synth();
