import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { M2mAuthorizer, ScopedRestApi } from '../lib';
import { mockIntegration, poolStack } from './fixtures';

function apiStack() {
  const env = poolStack();
  const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: M2mAuthorizer.cognito() });
  return { ...env, api };
}

describe('ScopedRestApi', () => {
  test('a scoped method uses the Cognito authorizer with the scopes as literal strings', () => {
    // GIVEN
    const { stack, api, orders } = apiStack();

    // WHEN
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', mockIntegration(), { scopes: [orders.scope('read'), orders.scope('write')] });

    // THEN
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiCognitoAuthorizer') },
      AuthorizationScopes: ['https://api.acme.example/orders/read', 'https://api.acme.example/orders/write'],
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^ApiRequestValidator') },
    });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': ['Pool9439FBB3', 'Arn'] }],
      AuthorizerResultTtlInSeconds: 300,
    });
    t.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    expect(api.routes).toEqual([{
      httpMethod: 'GET',
      resourcePath: '/orders',
      scopeMatch: 'ANY_OF',
      isPublic: false,
      scopes: ['https://api.acme.example/orders/read', 'https://api.acme.example/orders/write'],
    }]);
  });

  test('the stage logs, traces and throttles by default', () => {
    const { stack, api, orders } = apiStack();
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"clientId":"\\$context.authorizer.claims.client_id"'),
      },
      MethodSettings: [Match.objectLike({
        DataTraceEnabled: false,
        LoggingLevel: 'INFO',
        MetricsEnabled: true,
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
        HttpMethod: '*',
        ResourcePath: '/*',
      })],
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    t.resourceCountIs('AWS::ApiGateway::Account', 1);
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED', StatusCode: '401', ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': '\'Bearer\'' },
    });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': '\'Bearer error="insufficient_scope"\'' },
    });
  });

  test('stage settings can be overridden, an access log group given', () => {
    const { stack, pool, orders } = poolStack();
    const logGroup = new logs.LogGroup(stack, 'MyLogs');
    const api = new ScopedRestApi(stack, 'Api', {
      userPool: pool, accessLogGroup: logGroup, deployOptions: { stageName: 'v1', throttlingRateLimit: 1000 },
    });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyLogs'), 'Arn'] } },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 200 })],
    });
  });

  test('a custom domain gets TLS 1.2 unless told otherwise', () => {
    const { stack, pool, orders } = poolStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool, domainName: { domainName: 'api.acme.example', certificate } });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'api.acme.example', SecurityPolicy: 'TLS_1_2' });
  });

  test('a WAFv2 web ACL can be associated with the stage', () => {
    const { stack, pool, orders } = poolStack();
    const acl = 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/m2m/abc';
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool, webAclArn: acl });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: acl,
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/stages/$'), { Ref: Match.stringLikeRegexp('^ApiDeploymentStage') }])] },
    });
  });

  test('a public method has no authorizer and records why', () => {
    const { stack, api } = apiStack();
    const m = api.addPublicMethod(api.root.addResource('health'), 'GET', mockIntegration(), { reason: 'Health check for the load balancer' });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE' });
    const acks = m.node.metadata.filter((e) => e.type === 'aws:cdk:acknowledged-rules').pop()?.data;
    expect(acks).toEqual({
      'annotation::AwsSolutions-APIG4': 'Health check for the load balancer',
      'annotation::AwsSolutions-COG4': 'Health check for the load balancer',
    });
    expect(api.routes[0]).toMatchObject({ httpMethod: 'GET', resourcePath: '/health', isPublic: true, scopes: [] });
  });

  test('a method added with resource.addMethod fails synthesis, naming it', () => {
    const { app, api, orders } = apiStack();
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    res.addMethod('DELETE', mockIntegration());
    expect(() => app.synth()).toThrow(/DELETE \/orders \(Test\/Api\/Default\/orders\/DELETE\) declares no scopes/);
  });

  test('CORS preflight methods can be declared public', () => {
    const { app, api, orders } = apiStack();
    const res = api.root.addResource('orders', { defaultCorsPreflightOptions: { allowOrigins: ['https://portal.acme.example'] } });
    api.addScopedMethod(res, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(() => app.synth()).toThrow(/OPTIONS \/orders .* declares no scopes/);

    const again = apiStack();
    const res2 = again.api.root.addResource('orders', { defaultCorsPreflightOptions: { allowOrigins: ['https://portal.acme.example'] } });
    again.api.declarePublic(res2.node.findChild('OPTIONS') as apigateway.Method, 'CORS preflight carries no credentials by design');
    expect(() => again.app.synth()).not.toThrow();
  });

  test('the authorizer is only created when a scoped method needs it', () => {
    const { stack, pool } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addPublicMethod(api.root, 'GET', mockIntegration(), { reason: 'Public landing document' });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });
});
