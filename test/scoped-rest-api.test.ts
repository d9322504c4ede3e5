import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DeveloperPortal, M2mAuthorizer, PublicMethodOptions, ScopedMethodOptions, ScopedRestApi, ScopedRestApiProps, ScopeMatch } from '../lib';
import { mockIntegration, poolStack } from './fixtures';
import { acknowledgements } from '../bin/nag';
import { checkCatalog } from '../lib/private/contracts/web-ui';
import { checkOpenApiDocument } from '../lib/private/openapi';

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
      authorizer: 'cognito',
      authorizerReason: 'the API\'s authorizer: M2mAuthorizer.cognito()',
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
    // Declared public on purpose, the preflight synthesizes without authorization.
    Template.fromStack(again.stack).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS', AuthorizationType: 'NONE' });
    expect(again.api.routes).toContainEqual(expect.objectContaining({ httpMethod: 'OPTIONS', resourcePath: '/orders', isPublic: true }));
  });

  test('the authorizer is only created when a scoped method needs it', () => {
    const { stack, pool } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addPublicMethod(api.root, 'GET', mockIntegration(), { reason: 'Public landing document' });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });
});

describe('ScopedRestApi.openApiDocument', () => {
  const READ = 'https://api.acme.example/orders/read';
  const WRITE = 'https://api.acme.example/orders/write';
  const STAGE_URL = {
    'Fn::Join': ['', ['https://', { Ref: 'ApiF70053CD' }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'ApiDeploymentStageprod3EB9684E' }, '/']],
  };
  /** The stage URL without its trailing slash, as OpenAPI servers want it. */
  const SERVER_URL = {
    'Fn::Join': ['', ['https://', { Ref: 'ApiF70053CD' }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'ApiDeploymentStageprod3EB9684E' }]],
  };
  const TOKEN_URL = { 'Fn::Join': ['', ['https://', { Ref: 'PoolDomain0B5B528A' }, '.auth.us-east-1.amazoncognito.com/oauth2/token']] };

  /** An API with an ANY_OF, an ALL_OF, a greedy ANY and a public method. */
  function ordersApi() {
    const env = poolStack();
    const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, restApiName: 'orders', description: 'Orders of every tenant' });
    const orders = api.root.addResource('orders');
    api.addScopedMethod(orders, 'GET', mockIntegration(), { scopes: [env.orders.scope('read'), env.orders.scope('write')] });
    api.addScopedMethod(orders.addResource('{id}'), 'DELETE', mockIntegration(), {
      scopes: [env.orders.scope('read'), env.orders.scope('write')], scopeMatch: ScopeMatch.ALL_OF,
    });
    api.addScopedMethod(api.root.addResource('files').addResource('{proxy+}'), 'ANY', mockIntegration(), { scopes: [env.orders.scope('write')] });
    api.addPublicMethod(api.root.addResource('health'), 'GET', mockIntegration(), { reason: 'Health check for the load balancer' });
    return { ...env, api };
  }

  /** A template string of the document, with each deploy-time value replaced by its CloudFormation expression, parsed. */
  function deployedForm(stack: Stack, doc: unknown): any {
    const resolved = stack.resolve(stack.toJsonString(doc));
    expect(Object.keys(resolved)).toEqual(['Fn::Join']);
    const [separator, parts] = resolved['Fn::Join'];
    expect(separator).toBe('');
    return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, '')}>`)).join(''));
  }

  test('the server is the stage URL (no trailing slash) and the token URL the pool\'s token endpoint, as CloudFormation expressions', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const doc = stack.resolve(api.openApiDocument());

    // THEN
    expect(doc.servers).toEqual([{ url: SERVER_URL }]);
    expect(doc.components.securitySchemes.m2m.flows.clientCredentials.tokenUrl).toEqual(TOKEN_URL);
    expect(doc.info).toEqual({ title: 'orders', version: '1', description: 'Orders of every tenant' });
  });

  test('Stack.toJsonString gives one template string whose deploy-time values sit where the URLs go', () => {
    const { stack, api } = ordersApi();
    const doc = deployedForm(stack, api.openApiDocument());
    expect(doc.servers).toEqual([{ url: 'https://<{Ref:ApiF70053CD}>.execute-api.us-east-1.<{Ref:AWS::URLSuffix}>/<{Ref:ApiDeploymentStageprod3EB9684E}>' }]);
    expect(doc.components.securitySchemes.m2m.flows.clientCredentials.tokenUrl).toBe('https://<{Ref:PoolDomain0B5B528A}>.auth.us-east-1.amazoncognito.com/oauth2/token');
    expect(checkOpenApiDocument(doc)).toEqual([]);
  });

  test('operations carry the declared scopes: ANY_OF as alternatives, ALL_OF together, public none, with the servers\' descriptions', () => {
    // GIVEN
    const { api } = ordersApi();

    // WHEN
    const doc = api.openApiDocument();

    // THEN
    expect(Object.keys(doc.paths)).toEqual(['/files/{proxy}', '/health', '/orders', '/orders/{id}']);
    expect(doc.paths['/orders'].get.security).toEqual([{ m2m: [READ] }, { m2m: [WRITE] }]);
    expect(doc.paths['/orders/{id}'].delete.security).toEqual([{ m2m: [READ, WRITE] }]);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(Object.keys(doc.paths['/files/{proxy}'])).toEqual(['parameters', 'get', 'put', 'post', 'delete', 'options', 'head', 'patch']);
    expect(doc.paths['/files/{proxy}'].parameters).toEqual([expect.objectContaining({ name: 'proxy', in: 'path', required: true })]);
    expect(doc.components.securitySchemes.m2m.flows.clientCredentials.scopes).toEqual({ [READ]: 'Read orders', [WRITE]: 'Write orders' });
    expect(checkOpenApiDocument(doc)).toEqual([]);
  });

  test('lists only the scopes the methods use, with descriptions from every resource server of the pool', () => {
    // GIVEN: two servers, and methods using one scope of each
    const { stack, pool, orders } = poolStack();
    const billing = pool.addResourceServer('Billing', {
      identifier: 'https://api.acme.example/billing',
      scopes: [{ name: 'invoice', description: 'Issue invoices' }, { name: 'refund', description: 'Refund payments' }],
    });
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.cognito() });
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    api.addScopedMethod(api.root, 'POST', mockIntegration(), { scopes: [billing.scope('refund')] });

    // WHEN
    const scopes = api.openApiDocument().components.securitySchemes.m2m.flows.clientCredentials.scopes;

    // THEN
    expect(scopes).toEqual({ 'https://api.acme.example/billing/refund': 'Refund payments', [READ]: 'Read orders' });
  });

  test('is the document of the methods declared so far; the title defaults to the construct id', () => {
    const { api, orders } = apiStack();
    const before = api.openApiDocument();
    api.addScopedMethod(api.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(before.paths).toEqual({});
    expect(before.components.securitySchemes.m2m.flows.clientCredentials.scopes).toEqual({});
    expect(Object.keys(api.openApiDocument().paths)).toEqual(['/']);
    expect(api.openApiDocument().info).toEqual({ title: 'Api', version: '1' });
  });

  test('the catalog entry names the document and lists the routes as declared', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const entry = api._catalogApi('orders');

    // THEN
    expect(stack.resolve(entry)).toEqual({
      name: 'orders',
      description: 'Orders of every tenant',
      url: STAGE_URL,
      openApiPath: 'openapi/orders.json',
      routes: [
        {
          method: 'GET',
          path: '/orders',
          scopes: [READ, WRITE],
          scopeMatch: 'ANY_OF',
          isPublic: false,
          authorizer: 'lambda',
          authorizerReason: 'the API\'s authorizer: M2mAuthorizer.tenantAware()',
        },
        {
          method: 'DELETE',
          path: '/orders/{id}',
          scopes: [READ, WRITE],
          scopeMatch: 'ALL_OF',
          isPublic: false,
          authorizer: 'lambda',
          authorizerReason: 'the API\'s authorizer: M2mAuthorizer.tenantAware()',
        },
        {
          method: 'ANY',
          path: '/files/{proxy+}',
          scopes: [WRITE],
          scopeMatch: 'ANY_OF',
          isPublic: false,
          authorizer: 'lambda',
          authorizerReason: 'the API\'s authorizer: M2mAuthorizer.tenantAware()',
        },
        { method: 'GET', path: '/health', scopes: [], scopeMatch: 'ANY_OF', isPublic: true },
      ],
    });
    expect(() => checkCatalog({ version: 1, apis: [entry] })).not.toThrow();
    expect(() => api._catalogApi('orders/v1')).toThrow('catalog API name "orders/v1" is invalid');
  });
});

describe('addCorsPreflight', () => {
  const ORIGIN = 'https://portal.acme.example';

  test('API Gateway answers the preflight itself, for the one origin, with no authorization; declared public with its reason', () => {
    const { stack, api, orders } = apiStack();
    const res = api.root.addResource('items');
    api.addScopedMethod(res, 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const preflight = api.addCorsPreflight(res, { allowOrigin: ORIGIN, allowMethods: ['GET'] });
    expect(api.routes.find((r) => r.httpMethod === 'OPTIONS')).toEqual({
      httpMethod: 'OPTIONS', resourcePath: '/items', scopes: [], scopeMatch: ScopeMatch.ANY_OF, isPublic: true,
    });
    expect(preflight.httpMethod).toBe('OPTIONS');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({
        Type: 'MOCK',
        IntegrationResponses: [Match.objectLike({
          ResponseParameters: {
            'method.response.header.Access-Control-Allow-Origin': `'${ORIGIN}'`,
            'method.response.header.Access-Control-Allow-Headers': '\'Authorization,Content-Type\'',
            'method.response.header.Access-Control-Allow-Methods': '\'GET\'',
            'method.response.header.Access-Control-Max-Age': '\'3600\'',
            'method.response.header.Vary': '\'Origin\'',
          },
        })],
      }),
    });
  });

  test('API Gateway\'s own error answers carry the origin, so the page can read a 401 or 403', () => {
    const { stack, api } = apiStack();
    api.addCorsPreflight(api.root.addResource('a'), { allowOrigin: ORIGIN, allowMethods: ['GET'] });
    api.addCorsPreflight(api.root.addResource('b'), { allowOrigin: ORIGIN, allowMethods: ['POST'] });
    const t = Template.fromStack(stack);
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Access-Control-Allow-Origin': `'${ORIGIN}'` }),
      });
    }
    // The RFC 6750 header stays on the 401.
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': '\'Bearer\'', 'gatewayresponse.header.Access-Control-Allow-Origin': `'${ORIGIN}'` },
    });
    t.resourceCountIs('AWS::ApiGateway::GatewayResponse', 4);
  });

  test.each([
    [{ allowOrigin: '*', allowMethods: ['GET'] }, 'OPTIONS /x: allowOrigin: "*" is invalid: one origin'],
    [{ allowOrigin: 'https://portal.acme.example/app', allowMethods: ['GET'] }, 'is invalid: one origin: scheme and host'],
    [{ allowOrigin: ORIGIN, allowMethods: [] }, 'OPTIONS /x: allowMethods: "[]" is invalid: list the methods'],
  ])('refuses %j', (options, message) => {
    const { api } = apiStack();
    expect(() => api.addCorsPreflight(api.root.addResource('x'), options)).toThrow(message);
  });

  test('one origin per API', () => {
    const { api } = apiStack();
    api.addCorsPreflight(api.root.addResource('a'), { allowOrigin: ORIGIN, allowMethods: ['GET'] });
    expect(() => api.addCorsPreflight(api.root.addResource('b'), { allowOrigin: 'https://other.example', allowMethods: ['GET'] }))
      .toThrow(`OPTIONS /b: allowOrigin: "https://other.example" is invalid: this API already allows ${ORIGIN}`);
  });
});

describe('API Gateway account settings', () => {
  test('one logging role and one AWS::ApiGateway::Account per stack, however many APIs (a portal included)', () => {
    const { stack, pool, orders } = poolStack();
    const a = new ScopedRestApi(stack, 'A', { userPool: pool });
    a.addScopedMethod(a.root.addResource('x'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const b = new ScopedRestApi(stack, 'B', { userPool: pool });
    b.addScopedMethod(b.root.addResource('y'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGateway::Account', 1);
    const [accountId, account] = Object.entries(t.findResources('AWS::ApiGateway::Account'))[0];
    expect(account.DeletionPolicy).toBe('Retain');
    const roleId = account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0];
    expect(t.findResources('AWS::IAM::Role')[roleId].Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs']] },
    ]);
    // Every stage logs through it, so each waits for it.
    const stages = Object.values(t.findResources('AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(3);
    for (const stage of stages) expect(stage.DependsOn).toContain(accountId);
  });

  test('a portal with cloudWatchRole: false and no other API leaves the account settings alone', () => {
    const { stack, pool, orders } = poolStack();
    new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes, cloudWatchRole: false });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('cloudWatchRole: false leaves the account settings alone for that API', () => {
    const { stack, pool, orders } = poolStack();
    const api = new ScopedRestApi(stack, 'A', { userPool: pool, cloudWatchRole: false });
    api.addScopedMethod(api.root.addResource('x'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGateway::Account', 0);
    t.resourceCountIs('AWS::IAM::Role', 1); // the authorizer's only
  });
});

describe('method options', () => {
  test('what a method may set besides its authorization reaches API Gateway', () => {
    const { stack, api, orders } = apiStack();
    const res = api.root.addResource('orders');
    api.addScopedMethod(res, 'GET', mockIntegration(), {
      scopes: [orders.scope('read')],
      operationName: 'ListOrders',
      apiKeyRequired: true,
      requestParameters: { 'method.request.querystring.limit': false },
      methodResponses: [{ statusCode: '200' }],
    });
    api.addPublicMethod(api.root.addResource('health'), 'GET', mockIntegration(), { reason: 'Load-balancer health check; returns no data', operationName: 'Health' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      OperationName: 'ListOrders',
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.querystring.limit': false },
      MethodResponses: [{ StatusCode: '200' }],
      AuthorizationType: 'COGNITO_USER_POOLS',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^ApiRequestValidator') },
    });
    t.hasResourceProperties('AWS::ApiGateway::Method', { OperationName: 'Health', AuthorizationType: 'NONE' });
  });

  // A type-level specification: ts-jest type-checks this file, so an option that became accepted again
  // turns each @ts-expect-error below into a compile error that fails the suite.
  test('the authorization is not an option of a scoped or public method: the API sets it', () => {
    const scoped: ScopedMethodOptions = {
      scopes: [],
      // @ts-expect-error authorizationType is set by ScopedRestApi from the scopes and its authorizer
      authorizationType: apigateway.AuthorizationType.IAM,
    };
    // @ts-expect-error a public method has no authorizer
    const open: PublicMethodOptions = { reason: 'Load-balancer health check', authorizer: undefined };
    void scoped;
    void open;
  });
});

describe('props of our own', () => {
  test('the endpoint is regional unless endpointTypes says otherwise', () => {
    const regional = poolStack();
    const a = new ScopedRestApi(regional.stack, 'Api', { userPool: regional.pool });
    a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [regional.orders.scope('read')] });
    Template.fromStack(regional.stack).hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });

    const edge = poolStack();
    const b = new ScopedRestApi(edge.stack, 'Api', { userPool: edge.pool, endpointTypes: [apigateway.EndpointType.EDGE], binaryMediaTypes: ['application/pdf'] });
    b.addScopedMethod(b.root, 'GET', mockIntegration(), { scopes: [edge.orders.scope('read')] });
    Template.fromStack(edge.stack).hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['EDGE'] }, BinaryMediaTypes: ['application/pdf'] });
  });

  test('options of RestApi that would bypass the scopes are not props (type-level: ts-jest checks this file)', () => {
    const props: ScopedRestApiProps = {
      userPool: undefined as unknown as ScopedRestApiProps['userPool'],
      // @ts-expect-error a default authorizer for every method would bypass addScopedMethod
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.NONE },
    };
    // @ts-expect-error CORS preflights are added per resource with addCorsPreflight (declared public on purpose)
    const cors: ScopedRestApiProps = { userPool: props.userPool, defaultCorsPreflightOptions: { allowOrigins: ['*'] } };
    void cors;
  });
});

describe('callerContextHeaders', () => {
  test('the tenant-aware authorizer\'s answer reaches an HTTP backend as X-Tenant-Id, X-Client-Id and X-Scopes', () => {
    const { stack, pool, orders } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    const backend = new apigateway.HttpIntegration('https://backend.acme.example/orders', {
      httpMethod: 'GET', options: { requestParameters: api.callerContextHeaders() },
    });
    api.addScopedMethod(api.root.addResource('orders'), 'GET', backend, { scopes: [orders.scope('read')] });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        Type: 'HTTP_PROXY',
        RequestParameters: {
          'integration.request.header.X-Tenant-Id': 'context.authorizer.tenantId',
          'integration.request.header.X-Client-Id': 'context.authorizer.clientId',
          'integration.request.header.X-Scopes': 'context.authorizer.scopes',
        },
      }),
    });
  });

  test('keys come sorted, as Go hands a map back, so a round trip through Go leaves the deployment id as it is', () => {
    function deploymentId(reorder: (m: Record<string, string>) => Record<string, string>): string {
      const { stack, pool, orders } = poolStack();
      const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
      const backend = new apigateway.HttpIntegration('https://backend.acme.example/orders', {
        httpMethod: 'GET', options: { requestParameters: reorder(api.callerContextHeaders()) },
      });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', backend, { scopes: [orders.scope('read')] });
      return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0];
    }
    const { stack, pool } = poolStack();
    const keys = Object.keys(new ScopedRestApi(stack, 'Api', { userPool: pool }).callerContextHeaders());
    expect(keys).toEqual([...keys].sort());
    expect(keys).toHaveLength(3);
    // A Go map arrives in sorted key order; a Python dict or Java map keeps the order it was given.
    const sorted = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(deploymentId(sorted)).toBe(deploymentId((m) => m));
    const reversed = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).reverse());
    expect(deploymentId(reversed)).not.toBe(deploymentId((m) => m));
  });

  test('with the Cognito authorizer there is no tenant: client id and scopes come from the token\'s claims', () => {
    const { api } = apiStack();
    expect(api.callerContextHeaders()).toEqual({
      'integration.request.header.X-Client-Id': 'context.authorizer.claims.client_id',
      'integration.request.header.X-Scopes': 'context.authorizer.claims.scope',
    });
  });
});

test('deploy: false gives an API without a stage or deployment, and the catalog refuses it', () => {
  const { stack, pool, orders } = poolStack();
  const api = new ScopedRestApi(stack, 'Api', { userPool: pool, deploy: false });
  api.addScopedMethod(api.root.addResource('x'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
  const t = Template.fromStack(stack);
  t.resourceCountIs('AWS::ApiGateway::Stage', 0);
  t.resourceCountIs('AWS::ApiGateway::Deployment', 0);
  expect(api.openApiDocument().servers).toBeUndefined();
  expect(() => api._catalogApi('x')).toThrow(/stage/);
});

describe('ScopedRestApi stage defaults a compliance review asks about', () => {
  const acknowledged = (stage: apigateway.Stage) => acknowledgements(stage).filter((a) => a.path === stage.node.path).map((a) => a.rule).sort();

  test('the stage cache is off and acknowledged with its reason; turned on, it is encrypted; unencrypted is refused', () => {
    const { api, stack, pool, orders } = apiStack();
    api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    expect(acknowledged(api.deploymentStage)).toEqual(expect.arrayContaining([
      'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
    ]));
    const cached = new ScopedRestApi(stack, 'Cached', { userPool: pool, authorizer: M2mAuthorizer.cognito(), deployOptions: { cacheClusterEnabled: true, cachingEnabled: true } });
    cached.addPublicMethod(cached.root, 'GET', mockIntegration(), { reason: 'Constant answer for every caller, cached on purpose.' });
    expect(acknowledged(cached.deploymentStage).filter((r) => r.includes('Cache'))).toEqual([]);
    const stage = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Stage')).find((r) => JSON.stringify(r).includes('Cached'))!;
    expect(stage.Properties.MethodSettings).toEqual(expect.arrayContaining([expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', CachingEnabled: true, CacheDataEncrypted: true })]));
    expect(() => new ScopedRestApi(stack, 'Plain', { userPool: pool, deployOptions: { cachingEnabled: true, cacheDataEncrypted: false } }))
      .toThrow(/\[Test\/Plain\] deployOptions.cacheDataEncrypted: "false" is invalid: the stage cache holds tenants' responses and is always encrypted at rest/);
  });

  test('a client certificate is acknowledged as not applicable only while no method has an HTTP integration', () => {
    const { api, stack, orders, app } = apiStack();
    api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    const http = new ScopedRestApi(stack, 'Http', { userPool: api.m2mUserPool, authorizer: M2mAuthorizer.cognito() });
    http.addScopedMethod(http.root.addResource('orders'), 'GET', new apigateway.HttpIntegration('https://orders.internal.acme.example'), { scopes: [orders.scope('read')] });
    app.synth();
    expect(acknowledged(api.deploymentStage)).toEqual(expect.arrayContaining(['HIPAA.Security-APIGWSSLEnabled', 'NIST.800.53.R5-APIGWSSLEnabled', 'PCI.DSS.321-APIGWSSLEnabled']));
    expect(acknowledgements(api.deploymentStage).find((a) => a.rule === 'PCI.DSS.321-APIGWSSLEnabled')!.reason).toMatch(/integration types: MOCK\)/);
    expect(acknowledged(http.deploymentStage).filter((r) => r.includes('SSL'))).toEqual([]);
  });
});

