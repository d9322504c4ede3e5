import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { M2mUserPool, TenantAppClient } from '../lib';
import { poolStack } from './fixtures';

describe('TenantAppClient', () => {
  test('is a client-credentials-only client with a secret, revocation and no user flows', () => {
    // GIVEN
    const { stack, pool, orders } = poolStack();

    // WHEN
    pool.addTenant('globex', { scopes: [orders.scope('read')], accessTokenValidity: Duration.minutes(15) });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'globex',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^PoolOrders') }, '/read']] }],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
      AccessTokenValidity: 15,
      TokenValidityUnits: { AccessToken: 'minutes' },
      CallbackURLs: Match.absent(),
    });
  });

  test('access tokens are valid for 60 minutes by default', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', { AccessTokenValidity: 60 });
  });

  test('depends on the resource servers whose scopes it uses', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('write')] });
    const clients = Template.fromStack(stack).findResources('AWS::Cognito::UserPoolClient');
    const [client] = Object.values(clients);
    expect(client.DependsOn).toEqual([expect.stringMatching(/^PoolOrders/)]);
  });

  test('the secret is KMS-encrypted and refers to the client secret only through GetAtt', () => {
    const { stack, pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    const t = Template.fromStack(stack);
    const secrets = t.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(1);
    const [secret] = Object.values(secrets);
    expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PoolSecretsKey/), 'Arn'] });
    const parts: unknown[] = secret.Properties.SecretString['Fn::Join'][1];
    expect(parts).toContainEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PoolTenantglobex/), 'ClientSecret'] });
    expect(JSON.stringify(parts)).toContain('"tenantId\\":\\"globex');

    // The client secret is referenced by the secret and nowhere else: no output, no other resource.
    const json = JSON.stringify(t.toJSON());
    expect(json.match(/"ClientSecret"/g)).toHaveLength(1);
    expect(JSON.stringify(t.toJSON().Outputs ?? {})).not.toContain('ClientSecret');
  });

  test('grantReadSecret lets a grantee read and decrypt the secret, and nothing else', () => {
    const { stack, pool, orders } = poolStack();
    const client = pool.addTenant('globex', { scopes: [orders.scope('read')] });
    const role = new iam.Role(stack, 'Workload', { assumedBy: new iam.AccountRootPrincipal() });

    client.grantReadSecret(role);

    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Effect: 'Allow',
          Resource: { Ref: Match.stringLikeRegexp('^PoolTenantglobexSecret') },
        }],
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Workload'), 'Arn'] } },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        })]),
      },
    });
  });

  describe('GetClientToken (clientTokenAuth)', () => {
    /** The secret's JSON keys and their values, resolved. */
    function secretJson(stack: Stack): Record<string, unknown> {
      const [secret] = Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret'));
      const parts: unknown[] = secret.Properties.SecretString['Fn::Join'][1];
      // Tokens become placeholders, so that the JSON can be parsed and its keys read in order.
      return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
    }

    test('is off in a pool with a domain: the client keeps aws-cdk-lib\'s flows and the secret has no pool id', () => {
      const { stack, pool, orders } = poolStack();
      const client = pool.addTenant('globex', { scopes: [orders.scope('read')] });
      expect(client.clientTokenAuth).toBe(false);
      Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', { ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'] });
      expect(Object.keys(secretJson(stack))).toEqual(['tenantId', 'clientId', 'clientSecret', 'tokenEndpoint', 'scope']);
    });

    test('on, in a pool with a domain: ALLOW_CLIENT_TOKEN_AUTH is the only flow, the OAuth grant stays, the secret names the pool', () => {
      const { stack, pool, orders } = poolStack();
      const client = pool.addTenant('globex', { scopes: [orders.scope('read')], clientTokenAuth: true });
      expect(client.clientTokenAuth).toBe(true);
      Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', {
        ExplicitAuthFlows: ['ALLOW_CLIENT_TOKEN_AUTH'],
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^PoolOrders') }, '/read']] }],
        GenerateSecret: true,
      });
      const json = secretJson(stack);
      expect(Object.keys(json)).toEqual(['tenantId', 'clientId', 'clientSecret', 'tokenEndpoint', 'scope', 'userPoolId']);
      const [secret] = Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret'));
      expect(secret.Properties.SecretString['Fn::Join'][1]).toContainEqual({ Ref: expect.stringMatching(/^Pool[0-9A-F]{8}$/) });
    });

    test('is the default in a pool without a domain, whose secret has no token endpoint', () => {
      const stack = new Stack(new App(), 'S', { env: { region: 'eu-west-1', account: '111111111111' } });
      const pool = new M2mUserPool(stack, 'Pool', {});
      const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
      const client = pool.addTenant('globex', { scopes: [rs.scope('read')] });
      expect(client.clientTokenAuth).toBe(true);
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
      t.hasResourceProperties('AWS::Cognito::UserPoolClient', { ExplicitAuthFlows: ['ALLOW_CLIENT_TOKEN_AUTH'] });
      expect(Object.keys(secretJson(stack))).toEqual(['tenantId', 'clientId', 'clientSecret', 'scope', 'userPoolId']);
      expect(secretJson(stack).scope).toBe('orders/read');
    });
  });

  test('a tenant can be declared directly, and an existing client imported', () => {
    const { stack, pool, orders } = poolStack();
    const client = new TenantAppClient(stack, 'Initech', { userPool: pool, tenantId: 'initech', scopes: [orders.scope('read')], clientName: 'initech orders reader' });
    expect(client.tenantId).toBe('initech');
    expect(client.scopeNames).toEqual(['https://api.acme.example/orders/read']);
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', { ClientName: 'initech orders reader' });

    const imported = TenantAppClient.fromTenantAppClientAttributes(stack, 'Old', { tenantId: 'umbrella', userPoolClientId: '1example23456789' });
    expect(imported.userPoolClientId).toBe('1example23456789');
    expect(imported.tenantId).toBe('umbrella');
  });
});
