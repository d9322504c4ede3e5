import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { DeveloperPortal, M2mAuthorizer, M2mUserPool, ResourceServer, ScopedRestApi, ScopeMatch, TenantAppClient } from '../lib';
import { mockIntegration, poolStack } from './fixtures';

type Env = ReturnType<typeof poolStack>;
const scopes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, description: `Scope ${i}` }));
const api = (env: Env, props: Partial<ConstructorParameters<typeof ScopedRestApi>[2]> = {}) =>
  new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, ...props });

/**
 * Every bad input fails synthesis with a message naming the construct, the
 * prop, the value received and the rule it breaks.
 */
const cases: Array<[string, (env: Env) => unknown, RegExp]> = [
  ['domain prefix with upper case and underscore',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'Acme_M2M' }),
    /\[Test\/P2\] domainPrefix: "Acme_M2M" is invalid: must be lowercase letters, digits and hyphens/],
  ['domain prefix starting with a hyphen',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: '-acme' }),
    /domainPrefix: "-acme" is invalid/],
  ['domain prefix longer than 63 characters',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'a'.repeat(64) }),
    /domainPrefix: "a{64}" is invalid: .*got 64 characters/],
  ['domain prefix containing "cognito"',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'acme-cognito-m2m' }),
    /domainPrefix: "acme-cognito-m2m" is invalid: must not contain the reserved word "cognito"/],
  ['domain prefix containing "aws"',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'aws-m2m' }),
    /domainPrefix: "aws-m2m" is invalid: must not contain the reserved word "aws"/],
  ['domain prefix containing "amazon"',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'amazon-tokens' }),
    /reserved word "amazon"/],
  ['both a domain prefix and a custom domain',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'acme-x', customDomain: { domainName: 'auth.acme.example', certificate: acm.Certificate.fromCertificateArn(e.stack, 'C', 'arn:aws:acm:us-east-1:111111111111:certificate/abc') } }),
    /domainPrefix\/customDomain: "both set" is invalid: set at most one/],
  ['a token-endpoint-only tenant in a pool without a domain',
    (e) => {
      const p2 = new M2mUserPool(e.stack, 'P2', {});
      const r = p2.addResourceServer('R', { identifier: 'https://api.acme.example/x', scopes: [{ name: 'read', description: 'Read' }] });
      p2.addTenant('globex', { scopes: [r.scope('read')], clientTokenAuth: false });
    },
    /\[Test\/P2\/Tenant-globex\] clientTokenAuth: false is invalid: the user pool has no domain, so GetClientToken is the only way to a token/],
  ['a developer portal on a pool without a domain',
    (e) => new DeveloperPortal(e.stack, 'Portal2', { userPool: new M2mUserPool(e.stack, 'P2', {}), grantableScopes: [e.orders.scope('read')] }),
    /\[Test\/Portal2\] userPool: "Test\/P2" is invalid: must have a token endpoint: the portal hands out credentials for it/],
  ['an OpenAPI document of an API whose pool has no domain',
    (e) => {
      const p2 = new M2mUserPool(e.stack, 'P2', {});
      const r = p2.addResourceServer('R', { identifier: 'https://api.acme.example/x', scopes: [{ name: 'read', description: 'Read' }] });
      const a = new ScopedRestApi(e.stack, 'Api2', { userPool: p2 });
      a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [r.scope('read')] });
      a.openApiDocument();
    },
    /\[Test\/Api2\] userPool: "Test\/P2" is invalid: openApiDocument\(\): OpenAPI's OAuth 2.0 client-credentials scheme needs a token URL/],
  ['Lite feature plan',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'acme-x', featurePlan: cognito.FeaturePlan.LITE }),
    /featurePlan: "LITE" is invalid: must be ESSENTIALS or PLUS/],
  ['resource-server quota above the highest Cognito allows',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'acme-x', resourceServerQuota: 301 }),
    /resourceServerQuota: 301 is invalid: must be a whole number from 1 to 300/],
  ['resource-server identifier with a space',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders api', scopes: scopes(1) }),
    /\[Test\/Pool\/Bad\] identifier: "orders api" is invalid: must be printable ASCII without spaces/],
  ['resource-server identifier longer than 256 characters',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'x'.repeat(257), scopes: scopes(1) }),
    /identifier: ".*\.\.\." is invalid: .*got 257 characters/],
  ['resource-server name that is a URL',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders', name: 'https://api.acme.example', scopes: scopes(1) }),
    /name: "https:\/\/api.acme.example" is invalid: must be letters, digits, spaces/],
  ['scope name with a slash',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders2', scopes: [{ name: 'orders/read', description: 'x' }] }),
    /scopes\[0\]\.name: "orders\/read" is invalid: must be printable ASCII without spaces, double quotes, slashes/],
  ['empty scope name',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders2', scopes: [{ name: '', description: 'x' }] }),
    /scopes\[0\]\.name: "" is invalid/],
  ['empty scope description',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders2', scopes: [{ name: 'read', description: '' }] }),
    /scopes\[0\]\.description: "" is invalid: must be 1-256 characters/],
  ['duplicate scope in a resource server',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders2', scopes: [{ name: 'read', description: 'a' }, { name: 'read', description: 'b' }] }),
    /scopes: "read" is invalid: scope names must be unique within a resource server/],
  ['resource server without scopes',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders2', scopes: [] }),
    /scopes: "\[\]" is invalid: a resource server needs at least one scope/],
  ['more than 100 scopes on a resource server',
    (e) => e.pool.addResourceServer('Bad', { identifier: 'orders2', scopes: scopes(101) }),
    /scopes: "101 scopes" is invalid: a resource server defines at most 100 scopes/],
  ['duplicate resource-server identifier',
    (e) => e.pool.addResourceServer('Again', { identifier: 'https://api.acme.example/orders', scopes: scopes(1) }),
    /\[Test\/Pool\/Again\] identifier: "https:\/\/api.acme.example\/orders" is invalid: must be unique in the user pool; resource server Test\/Pool\/Orders already uses it/],
  ['more resource servers than the quota',
    (e) => {
      const pool = new M2mUserPool(e.stack, 'Small', { domainPrefix: 'acme-small', resourceServerQuota: 2 });
      for (let i = 0; i < 3; i++) pool.addResourceServer(`Rs${i}`, { identifier: `rs${i}`, scopes: scopes(1) });
    },
    /\[Test\/Small\/Rs2\] resource servers in the user pool: 3 is invalid: a user pool holds at most 2 resource servers/],
  ['more than 25 resource servers by default',
    (e) => { for (let i = 0; i < 25; i++) e.pool.addResourceServer(`Rs${i}`, { identifier: `rs${i}`, scopes: scopes(1) }); },
    /resource servers in the user pool: 26 is invalid: a user pool holds at most 25 resource servers/],
  ['tenant id with a slash',
    (e) => e.pool.addTenant('globex/eu', { scopes: [e.orders.scope('read')] }),
    /tenantId: "globex\/eu" is invalid: must be letters, digits, "_", "\." and "-"/],
  ['tenant id ending with a hyphen',
    (e) => new TenantAppClient(e.stack, 'T', { userPool: e.pool, tenantId: 'globex-', scopes: [e.orders.scope('read')] }),
    /\[Test\/T\] tenantId: "globex-" is invalid/],
  ['duplicate tenant',
    (e) => { e.pool.addTenant('globex', { scopes: [e.orders.scope('read')] }); new TenantAppClient(e.stack, 'Again', { userPool: e.pool, tenantId: 'globex', scopes: [e.orders.scope('read')] }); },
    /\[Test\/Again\] tenantId: "globex" is invalid: must be unique in the user pool; Test\/Pool\/Tenant-globex already serves this tenant/],
  ['tenant with an empty scope list',
    (e) => e.pool.addTenant('globex', { scopes: [] }),
    /\[Test\/Pool\/Tenant-globex\] scopes: "\[\]" is invalid: a tenant app client needs at least one scope/],
  ['tenant with more than 50 scopes',
    (e) => {
      const many = e.pool.addResourceServer('Many', { identifier: 'many', scopes: scopes(51) });
      e.pool.addTenant('globex', { scopes: many.scopes });
    },
    /scopes: "51 scopes" is invalid: an app client may hold at most 50 scopes/],
  ['tenant with the same scope twice',
    (e) => e.pool.addTenant('globex', { scopes: [e.orders.scope('read'), e.orders.scope('read')] }),
    /scopes: "https:\/\/api.acme.example\/orders\/read" is invalid: is listed more than once/],
  ['tenant with a scope of another pool',
    (e) => {
      const other = new M2mUserPool(e.stack, 'Other', { domainPrefix: 'acme-other' });
      const rs = other.addResourceServer('Billing', { identifier: 'billing', scopes: [{ name: 'read', description: 'Read' }] });
      e.pool.addTenant('globex', { scopes: [rs.scope('read')] });
    },
    /scopes: "billing\/read" is invalid: scope belongs to resource server Test\/Other\/Billing, which is in another user pool; use a scope of this pool's resource servers: "https:\/\/api.acme.example\/orders\/read", "https:\/\/api.acme.example\/orders\/write"/],
  ['tenant with a scope no resource server defines',
    (e) => e.pool.addTenant('globex', { scopes: [cognito.OAuthScope.custom('https://api.acme.example/orders/delete')] }),
    /scopes: "https:\/\/api.acme.example\/orders\/delete" is invalid: is not a scope of this user pool's resource servers; known scopes: /],
  ['tenant with the built-in openid scope',
    (e) => e.pool.addTenant('globex', { scopes: [cognito.OAuthScope.OPENID] }),
    /scopes: "openid" is invalid: is a built-in OpenID Connect\/Cognito scope, which the client-credentials grant never issues/],
  ['access-token validity below 5 minutes',
    (e) => e.pool.addTenant('globex', { scopes: [e.orders.scope('read')], accessTokenValidity: Duration.minutes(4) }),
    /accessTokenValidity: 4 minutes is invalid: must be between 5 minutes and 1 day inclusive/],
  ['access-token validity above 1 day',
    (e) => e.pool.addTenant('globex', { scopes: [e.orders.scope('read')], accessTokenValidity: Duration.hours(25) }),
    /accessTokenValidity: 1 day 1 hour is invalid: must be between 5 minutes and 1 day inclusive/],
  ['client name with a slash',
    (e) => e.pool.addTenant('globex', { scopes: [e.orders.scope('read')], clientName: 'globex/eu' }),
    /clientName: "globex\/eu" is invalid/],
  ['scoped method with an empty scope list',
    (e) => { const a = api(e); a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [] }); },
    /\[Test\/Api\] GET \/: scopes: "\[\]" is invalid: a scoped method needs at least one scope; use addPublicMethod/],
  ['scoped method with a scope of no resource server',
    (e) => { const a = api(e); a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [cognito.OAuthScope.custom('orders/read')] }); },
    /GET \/: scopes: "orders\/read" is invalid: is not a scope of this user pool's resource servers/],
  ['all-of scopes with the Cognito authorizer',
    (e) => { const a = api(e, { authorizer: M2mAuthorizer.cognito() }); a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [e.orders.scope('read')], scopeMatch: ScopeMatch.ALL_OF }); },
    /GET \/: scopeMatch: "ALL_OF" is invalid: the cognito authorizer only checks that ANY of the scopes is present/],
  ['method on a resource of another API',
    (e) => { const a = api(e); const b = new apigateway.RestApi(e.stack, 'Other'); a.addScopedMethod(b.root.addResource('x'), 'GET', mockIntegration(), { scopes: [e.orders.scope('read')] }); },
    /GET \/x: resource: "\/x" is invalid: belongs to another REST API/],
  ['public method with no real reason',
    (e) => { const a = api(e); a.addPublicMethod(a.root, 'GET', mockIntegration(), { reason: 'public' }); },
    /GET \/: reason: "public" is invalid: say in at least 10 characters why the method is public/],
  ['data trace logging on the stage',
    (e) => api(e, { deployOptions: { dataTraceEnabled: true } }),
    /deployOptions.dataTraceEnabled: "true" is invalid: full request\/response logging would write bearer tokens/],
  ['custom domain with TLS 1.0',
    (e) => api(e, { domainName: { domainName: 'api.acme.example', certificate: { certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' } as any, securityPolicy: apigateway.SecurityPolicy.TLS_1_0 } }),
    /domainName.securityPolicy: "TLS_1_0" is invalid: the API accepts TLS 1.2 or newer only/],
  ['authorizer cache TTL above one hour',
    (e) => { const a = api(e, { authorizer: M2mAuthorizer.cognito({ resultsCacheTtl: Duration.hours(2) }) }); a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [e.orders.scope('read')] }); },
    /authorizer.resultsCacheTtl: 2 hours is invalid: must be between 0 seconds and 1 hour/],
  ['Lambda authorizer memory below 128 MB',
    (e) => { const a = api(e, { authorizer: M2mAuthorizer.tenantAware({ memorySize: 64 }) }); a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [e.orders.scope('read')] }); },
    /\[Test\/Api\] authorizer.memorySize: 64 is invalid: must be a whole number of MB from 128 to 10240/],
  ['Lambda authorizer timeout past API Gateway\'s 29 s',
    (e) => { const a = api(e, { authorizer: M2mAuthorizer.tenantAware({ timeout: Duration.seconds(30) }) }); a.addScopedMethod(a.root, 'GET', mockIntegration(), { scopes: [e.orders.scope('read')] }); },
    /authorizer.timeout: 30 seconds is invalid: must be between 3 seconds and 29 seconds inclusive/],
  ['imported pool with both a domain prefix and a custom domain',
    (e) => M2mUserPool.fromUserPoolAttributes(e.stack, 'Imp', { userPoolId: 'us-east-1_Abc', domainPrefix: 'acme', customDomainName: 'auth.acme.example' }),
    /domainPrefix\/customDomainName: "both set" is invalid: set at most one/],
  ['a secret name with a space',
    (e) => e.pool.addTenant('globex', { scopes: [e.orders.scope('read')], secretName: 'globex credentials' }),
    /\[Test\/Pool\/Tenant-globex\] secretName: "globex credentials" is invalid: must be a Secrets Manager secret name/],
  ['imported pool with a malformed id',
    (e) => M2mUserPool.fromUserPoolAttributes(e.stack, 'Imp', { userPoolId: 'AbC', domainPrefix: 'acme' }),
    /userPoolId: "AbC" is invalid: must look like <region>_<id>/],
  ['custom-domain certificate outside us-east-1, by ARN',
    (e) => new M2mUserPool(e.stack, 'P2', { customDomain: { domainName: 'auth.acme.example', certificate: acm.Certificate.fromCertificateArn(e.stack, 'C', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc') } }),
    /\[Test\/P2\] customDomain.certificate: "arn:aws:acm:eu-west-1:111111111111:certificate\/abc" is invalid: must be an ACM certificate in us-east-1, not eu-west-1: Amazon Cognito serves custom domains through CloudFront/],
  ['custom-domain certificate issued in a stack outside us-east-1',
    (e) => {
      const eu = new Stack(e.app, 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } });
      const certificate = new acm.Certificate(eu, 'C', { domainName: 'auth.acme.example' });
      new M2mUserPool(eu, 'P2', { customDomain: { domainName: 'auth.acme.example', certificate } });
    },
    /\[Eu\/P2\] customDomain.certificate: "a certificate in eu-west-1" is invalid: must be an ACM certificate in us-east-1, not eu-west-1/],
  ['user pool name with a slash',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'acme-x', userPoolName: 'acme/m2m' }),
    /\[Test\/P2\] userPoolName: "acme\/m2m" is invalid: must be letters, digits, spaces and \+ = , \. @ - _, 1-128 characters/],
  ['user pool name longer than 128 characters',
    (e) => new M2mUserPool(e.stack, 'P2', { domainPrefix: 'acme-x', userPoolName: 'p'.repeat(129) }),
    /userPoolName: "p{77}\.\.\." is invalid: .*got 129 characters/],
];

describe('bad input fails synthesis with a clear message', () => {
  test.each(cases)('%s', (_name, build, message) => {
    const env = poolStack();
    expect(() => build(env)).toThrow(message);
  });
});

describe('unresolved tokens are skipped, not rejected', () => {
  test('domain prefix and resource-server identifier from deploy-time values', () => {
    const { stack, orders } = poolStack();
    const p = (name: string) => new CfnParameter(stack, name).valueAsString;
    const pool = new M2mUserPool(stack, 'P2', { domainPrefix: p('Prefix') });
    const rs = new ResourceServer(stack, 'Rs', { userPool: pool, identifier: p('Identifier'), scopes: [{ name: 'read', description: 'Read' }] });
    new TenantAppClient(stack, 'T', { userPool: pool, tenantId: 'globex', scopes: [rs.scope('read')] });
    expect(orders.scopeNames).toEqual(['read', 'write']);
    // The domain takes the parameter, and the token endpoint refers to the domain: both resolved at deploy time.
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { Ref: 'Prefix' } });
    expect(JSON.stringify(Stack.of(pool).resolve(pool.tokenEndpoint))).toMatch(/\{"Ref":"P2Domain[A-F0-9]+"\}/);
  });
});
