/**
 * The developer portal's web UI as a platform team turns it on: the site
 * (bucket, distribution, headers), the sign-in pool and its web client, and
 * how the portal API and authorizer are wired to them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { DeveloperPortal, M2mUserPool, PortalWebUi, ScopedRestApi } from '../lib';
import { mockIntegration, poolStack, webUiStack } from './fixtures';
import { checkCatalog, checkWebUiConfig } from '../lib/private/contracts/web-ui';

/**
 * What the site's BucketDeployment writes at `key`: the staged file from the
 * cloud assembly, with each deploy-time marker replaced by `{<expression>}`
 * (the CloudFormation expression the deployment substitutes).
 */
function deployedText(app: App, stack: Stack, portal: DeveloperPortal, key: string): string | undefined {
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const [deployment] = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'Custom::CDKBucketDeployment');
  const markers = (deployment.Properties.SourceMarkers ?? []) as Array<Record<string, unknown>>;
  const assets = portal.webUi!.node.findChild('Deployment').node.children.filter((c): c is s3assets.Asset => c instanceof s3assets.Asset);
  expect(assets).toHaveLength(deployment.Properties.SourceObjectKeys.length);
  for (const [i, asset] of assets.entries()) {
    const file = path.join(assembly.directory, asset.assetPath, key);
    if (!fs.existsSync(file)) continue;
    let text = fs.readFileSync(file, 'utf8');
    // A marker stands for a JSON value; its expression evaluates to that JSON text.
    for (const [marker, expr] of Object.entries(markers[i] ?? {})) text = text.split(marker).join(evaluate(expr));
    return text;
  }
  return undefined;
}

/** A CloudFormation expression as text: literals kept, `Ref` as `{X}`, `GetAtt` as `{X.Attr}`. */
function evaluate(expr: unknown): string {
  if (typeof expr === 'string') return expr;
  const e = expr as Record<string, any>;
  if (e.Ref) return `{${e.Ref}}`;
  if (e['Fn::GetAtt']) return `{${e['Fn::GetAtt'].join('.')}}`;
  if (e['Fn::Join']) return (e['Fn::Join'][1] as unknown[]).map(evaluate).join(e['Fn::Join'][0]);
  throw new Error(`cannot evaluate ${JSON.stringify(expr)}`);
}

describe('the site', () => {
  test('bucket: private, KMS-encrypted, TLS-only, versioned, access-logged and retained', () => {
    const { t } = webUiStack();
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PortalWebUiKey'), 'Arn'] } },
          }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bucket/' }),
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    });
    // TLS only, and reads only by this distribution (origin access control).
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy'))
      .find((p) => JSON.stringify(p.Properties.Bucket).includes('PortalWebUiBucket'))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]));
    expect(JSON.stringify(statements)).not.toContain('"Principal":"*","Effect":"Allow"');
  });

  test('access-log bucket: encrypted with the site key, which S3 and CloudFront log delivery may use; versioned; logs kept a year; both buckets notify EventBridge', () => {
    const { t } = webUiStack();
    const buckets = t.findResources('AWS::S3::Bucket');
    const [, logs] = Object.entries(buckets).find(([id]) => id.startsWith('PortalWebUiAccessLogs'))!;
    expect(logs.DeletionPolicy).toBe('Retain');
    expect(logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault)
      .toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^PortalWebUiKey/), 'Arn'] } });
    expect(logs.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(logs.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({ ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' })]);
    for (const [id, bucket] of Object.entries(buckets).filter(([i]) => i.startsWith('PortalWebUi'))) {
      expect([id, bucket.Properties.NotificationConfiguration]).toEqual([id, { EventBridgeConfiguration: { EventBridgeEnabled: true } }]);
    }
    const [, site] = Object.entries(buckets).find(([id]) => id.startsWith('PortalWebUiBucket'))!;
    expect(site.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    })]);
    const keyPolicy = Object.entries(t.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('PortalWebUiKey'))![1].Properties.KeyPolicy.Statement;
    expect(keyPolicy).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Sid: 'S3ServerAccessLogDelivery',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 'kms:GenerateDataKey',
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      }),
      expect.objectContaining({ Sid: 'CloudFrontLogDelivery', Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 'kms:GenerateDataKey*' }),
    ]));
  });

  test('the deployment function: a role with a customer-managed policy (no inline policy, no AWS-managed one) and its own encrypted log group', () => {
    const { t } = webUiStack();
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f).includes('AwsCliLayer'))!;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    expect(roleId).toMatch(/^PortalWebUiDeploymentRole/);
    const role = t.findResources('AWS::IAM::Role')[roleId];
    expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: expect.stringMatching(/^PortalWebUiDeploymentRolePolicy/) }]);
    expect(Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))).toEqual([]);
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(t.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CognitoM2mLogsKey/), 'Arn'] });
  });

  test('the deployment function may invalidate the site\'s distribution only, never every distribution of the account', () => {
    const { t } = webUiStack();
    const [policy] = Object.entries(t.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('PortalWebUiDeploymentRolePolicy')).map(([, p]) => p);
    const cloudfrontStatements = policy.Properties.PolicyDocument.Statement.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('cloudfront:')));
    expect(cloudfrontStatements).toHaveLength(1);
    expect([cloudfrontStatements[0].Action].flat().sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
    const distributionId = Object.keys(t.findResources('AWS::CloudFront::Distribution'))[0];
    expect(JSON.stringify(cloudfrontStatements[0].Resource)).toContain(`{"Ref":"${distributionId}"}`);
    expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toMatch(/"Resource":"\*"/);
  });

  test('distribution: HTTPS only, origin access control, the security headers policy on every answer', () => {
    const { t } = webUiStack();
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('^PortalWebUiHeaders') },
        }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  test('headers: strict CSP naming only the portal API and the sign-in domain, HSTS, no framing, no referrer', () => {
    const { t, stack } = webUiStack();
    const [policy] = Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = evaluate(stack.resolve(security.ContentSecurityPolicy.ContentSecurityPolicy));
    for (const directive of [
      'default-src \'none\'', 'script-src \'self\'', 'style-src \'self\'', 'frame-ancestors \'none\'', 'base-uri \'none\'', 'object-src \'none\'', 'form-action \'none\'',
    ]) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // connect-src: the site, the portal API's execute-api host and the sign-in domain, nothing else.
    expect(csp).toMatch(/; connect-src 'self' https:\/\/\{PortalApi[0-9A-F]+\}\.execute-api\.us-east-1\.\{AWS::URLSuffix\} https:\/\/\{PortalSignInDomain[0-9A-F]+\}\.auth\.us-east-1\.amazoncognito\.com;/);
    expect(security.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: false, Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  test('without a custom domain: CloudFront\'s default certificate, no security policy it would ignore, no aws-cdk-lib warning left (the key policy\'s distribution wildcard is acknowledged)', () => {
    const { stack, t } = webUiStack();
    const distribution = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0];
    expect(distribution.Properties.DistributionConfig.ViewerCertificate).toBeUndefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('a custom domain gets TLS 1.2 as the minimum', () => {
    const { t } = webUiStack({ domainName: 'portal.acme.example' });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['portal.acme.example'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }),
      }),
    });
  });

  test('domainName without certificate is refused, naming both props', () => {
    const { stack } = poolStack();
    expect(() => new PortalWebUi(stack, 'Site', { connectOrigins: [], domainName: 'portal.acme.example' }))
      .toThrow('certificate: undefined is invalid: a custom domain (domainName "portal.acme.example") needs its certificate, in us-east-1');
  });

  test('the deployment ships the built app (hashed files), config.json, the catalog and one OpenAPI document per API', () => {
    const { app, stack, portal } = webUiStack();
    const index = deployedText(app, stack, portal, 'index.html')!;
    expect(index).toMatch(/<script[^>]+src="\/?static\/app-[A-Za-z0-9]+\.js"/);
    expect(JSON.parse(deployedText(app, stack, portal, 'config.json')!).version).toBe(1);
    expect(JSON.parse(deployedText(app, stack, portal, 'catalog.json')!).apis.map((a: { name: string }) => a.name)).toEqual(['Orders']);
    expect(JSON.parse(deployedText(app, stack, portal, 'openapi/Orders.json')!).openapi).toBe('3.0.3');
  });
});

describe('config.json and catalog.json', () => {
  test('config.json: the API URL, the sign-in endpoints and public client, the grantable scopes with descriptions; it passes the UI\'s check', () => {
    const { app, stack, portal } = webUiStack();
    const doc = checkWebUiConfig(JSON.parse(deployedText(app, stack, portal, 'config.json')!));
    expect(doc.apiUrl).toMatch(/^https:\/\/\{PortalApi[0-9A-F]+\}\.execute-api\.us-east-1\.\{AWS::URLSuffix\}\/\{PortalApiDeploymentStageprod[0-9A-F]+\}$/);
    expect(doc.signIn.authorizeUrl).toMatch(/^https:\/\/\{PortalSignInDomain[0-9A-F]+\}\.auth\.us-east-1\.amazoncognito\.com\/oauth2\/authorize$/);
    expect(doc.signIn.tokenUrl).toMatch(/\/oauth2\/token$/);
    expect(doc.signIn.logoutUrl).toMatch(/\.amazoncognito\.com\/logout$/);
    expect(doc.signIn.clientId).toMatch(/^\{PortalSignInWebClient[0-9A-F]+\}$/);
    expect(doc.signIn.scopes).toEqual(['openid', 'email', 'profile']);
    expect(doc.tokenEndpoint).toMatch(/^https:\/\/\{PoolDomain[0-9A-F]+\}\.auth\.us-east-1\.amazoncognito\.com\/oauth2\/token$/);
    expect(doc.grantableScopes).toEqual([
      { name: 'https://api.acme.example/orders/read', description: 'Read orders' },
      { name: 'https://api.acme.example/orders/write', description: 'Write orders' },
    ]);
    expect(doc.rotationGraceHours).toBe(24);
    expect(doc.defaultAccessTokenValidityMinutes).toBe(60);
  });

  test('catalog.json lists every method of the catalogued APIs, including those added after the portal', () => {
    const { app, stack, portal } = webUiStack();
    const catalog = checkCatalog(JSON.parse(deployedText(app, stack, portal, 'catalog.json')!));
    expect(catalog.apis).toHaveLength(1);
    expect(catalog.apis[0]).toMatchObject({ name: 'Orders', openApiPath: 'openapi/Orders.json' });
    expect(catalog.apis[0].routes).toEqual([
      {
        method: 'GET',
        path: '/orders',
        scopes: ['https://api.acme.example/orders/read'],
        scopeMatch: 'ANY_OF',
        isPublic: false,
        authorizer: 'lambda',
        authorizerReason: 'the API\'s authorizer: M2mAuthorizer.tenantAware()',
      },
      {
        method: 'POST',
        path: '/orders',
        scopes: ['https://api.acme.example/orders/write'],
        scopeMatch: 'ANY_OF',
        isPublic: false,
        authorizer: 'lambda',
        authorizerReason: 'the API\'s authorizer: M2mAuthorizer.tenantAware()',
      },
    ]);
    const openApi = JSON.parse(deployedText(app, stack, portal, 'openapi/Orders.json')!);
    expect(Object.keys(openApi.paths['/orders']).sort()).toEqual(['get', 'post']);
  });

  test('an API created after the portal joins the catalog with addCatalogApi, under the name given', () => {
    const { app, stack, pool, orders, portal } = webUiStack({ catalog: false });
    const later = new ScopedRestApi(stack, 'Later', { userPool: pool });
    later.addScopedMethod(later.root.addResource('reports'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    portal.addCatalogApi(later, 'reports-v1');
    const catalog = checkCatalog(JSON.parse(deployedText(app, stack, portal, 'catalog.json')!));
    expect(catalog.apis.map((a) => [a.name, a.routes.map((r) => `${r.method} ${r.path}`)])).toEqual([['reports-v1', ['GET /reports']]]);
    expect(JSON.parse(deployedText(app, stack, portal, 'openapi/reports-v1.json')!).paths['/reports'].get.security)
      .toEqual([{ m2m: ['https://api.acme.example/orders/read'] }]);
  });

  test.each([
    ['a name with other characters', (p: DeveloperPortal, api: ScopedRestApi) => p.addCatalogApi(api, 'orders v1'), /addCatalogApi\(name\): "orders v1" is invalid: 1-64 characters/],
    ['a name given twice', (p: DeveloperPortal, api: ScopedRestApi) => p.addCatalogApi(api, 'Orders'), /addCatalogApi\(name\): "Orders" is invalid: another API of the catalog has this name/],
  ])('addCatalogApi refuses %s', (_, add, message) => {
    const { portal, api } = webUiStack();
    expect(() => add(portal, api)).toThrow(message);
  });

  test('addCatalogApi refuses an API of another user pool, and a portal without web UI', () => {
    const { stack, pool, orders, portal } = webUiStack();
    const other = new M2mUserPool(stack, 'Other', { domainPrefix: 'acme-other' });
    const foreign = new ScopedRestApi(stack, 'Foreign', { userPool: other });
    expect(() => portal.addCatalogApi(foreign)).toThrow(/addCatalogApi\(Foreign\): "Test\/Foreign" is invalid: the API must accept tokens of the portal's user pool/);
    const plain = new DeveloperPortal(stack, 'Plain', { userPool: pool, grantableScopes: orders.scopes, identifier: 'm2m-portal-2' });
    expect(() => plain.addCatalogApi(foreign)).toThrow(/webUi: undefined is invalid: the catalog is part of the web UI/);
  });

  test('without a catalog the UI gets an empty one', () => {
    const { app, stack, portal } = webUiStack({ catalog: false });
    expect(JSON.parse(deployedText(app, stack, portal, 'catalog.json')!)).toEqual({ version: 1, apis: [] });
  });
});

describe('the portal API with a web UI', () => {
  test('its authorizer is the portal build and knows the sign-in pool, web client, groups and portal scopes', () => {
    const { t } = webUiStack();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Verifies Cognito M2M access tokens'),
      Environment: {
        Variables: Match.objectLike({
          PEOPLE_POOL_ID: { Ref: Match.stringLikeRegexp('^PortalSignIn') },
          PEOPLE_CLIENT_ID: { Ref: Match.stringLikeRegexp('^PortalSignInWebClient') },
          PEOPLE_ADMIN_GROUP: 'platform-admins',
          PEOPLE_TENANT_GROUP_PREFIX: 'tenant-',
          PEOPLE_ADMIN_SCOPE: 'm2m-portal/admin',
          PEOPLE_TENANT_ADMIN_SCOPE: 'm2m-portal/tenant-admin',
        }),
      },
    });
  });

  test('the handler may invite people into the sign-in pool only, and allows the site\'s origin', () => {
    const { t } = webUiStack();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Developer portal'),
      Environment: {
        Variables: Match.objectLike({
          PEOPLE_POOL_ID: { Ref: Match.stringLikeRegexp('^PortalSignIn') },
          ALLOWED_ORIGIN: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^PortalWebUiDistribution'), 'DomainName'] }]] },
        }),
      },
    });
    // The handler role's permissions are in its customer-managed policies.
    const resources = t.toJSON().Resources;
    const [role] = Object.entries(resources).filter(([id, r]: [string, any]) => r.Type === 'AWS::IAM::Role' && id.startsWith('PortalHandlerRole'));
    const statements = ((role[1] as any).Properties.ManagedPolicyArns as Array<{ Ref: string }>)
      .flatMap((arn) => resources[arn.Ref].Properties.PolicyDocument.Statement);
    const invite = statements.find((s: any) => ([] as string[]).concat(s.Action).includes('cognito-idp:AdminCreateUser'));
    expect(invite.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PortalSignIn[0-9A-F]+$/), 'Arn'] });
    expect(([] as string[]).concat(invite.Action).sort()).toEqual([
      'cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminListGroupsForUser',
      'cognito-idp:CreateGroup', 'cognito-idp:GetGroup', 'cognito-idp:ListUsersInGroup',
    ]);
  });

  test('every portal resource answers its CORS preflight itself, for the site\'s origin only, declared public with a reason', () => {
    const { portal, t } = webUiStack();
    const preflights = portal.api.routes.filter((r) => r.isPublic);
    expect(preflights.map((r) => `${r.httpMethod} ${r.resourcePath}`).sort()).toEqual([
      'OPTIONS /me', 'OPTIONS /tenants', 'OPTIONS /tenants/{tenantId}', 'OPTIONS /tenants/{tenantId}/admins',
      'OPTIONS /tenants/{tenantId}/admins/{username}', 'OPTIONS /tenants/{tenantId}/audit', 'OPTIONS /tenants/{tenantId}/clients', 'OPTIONS /tenants/{tenantId}/clients/{clientId}', 'OPTIONS /tenants/{tenantId}/clients/{clientId}/secrets',
      'OPTIONS /tenants/{tenantId}/clients/{clientId}/secrets/{secretId}',
      'OPTIONS /tenants/{tenantId}/clients/{clientId}/token-budget-suspension',
      'OPTIONS /tenants/{tenantId}/token-budget', 'OPTIONS /tenants/{tenantId}/token-budget-suspension',
      'OPTIONS /tenants/{tenantId}/usage-tiers/{api}',
    ]);
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({
        Type: 'MOCK',
        IntegrationResponses: [Match.objectLike({
          ResponseParameters: Match.objectLike({
            'method.response.header.Access-Control-Allow-Origin': {
              'Fn::Join': ['', ['\'https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^PortalWebUiDistribution'), 'DomainName'] }, '\'']],
            },
            'method.response.header.Access-Control-Allow-Headers': '\'Authorization,Content-Type,Idempotency-Key,If-Match\'',
            'method.response.header.Access-Control-Allow-Methods': '\'GET,POST\'',
          }),
        })],
      }),
    });
  });

  test('API Gateway\'s own error answers (401, 403, other 4XX and 5XX) carry the site\'s origin so the UI can read them', () => {
    const { t } = webUiStack();
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Access-Control-Allow-Origin': {
            'Fn::Join': ['', ['\'https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^PortalWebUiDistribution'), 'DomainName'] }, '\'']],
          },
        }),
      });
    }
  });

  test('without webUi, nothing of the above exists', () => {
    const { stack, pool, orders } = poolStack();
    const portal = new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes });
    const t = Template.fromStack(stack);
    expect(portal.webUi).toBeUndefined();
    expect(portal.signInPool).toBeUndefined();
    t.resourceCountIs('AWS::CloudFront::Distribution', 0);
    t.resourceCountIs('AWS::Cognito::UserPool', 1);
    expect(portal.api.routes.some((r) => r.isPublic)).toBe(false);
  });
});
