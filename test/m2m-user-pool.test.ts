import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { M2mUserPool, TenantAppClient } from '../lib';
import { poolStack } from './fixtures';

describe('M2mUserPool', () => {
  test('is an Essentials pool without self sign-up, protected from deletion and retained', () => {
    // GIVEN
    const { stack } = poolStack();

    // THEN
    const t = Template.fromStack(stack);
    t.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        UserPoolTier: 'ESSENTIALS',
        DeletionProtection: 'ACTIVE',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 16, RequireSymbols: true }) },
      }),
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-test' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('exposes token endpoint, issuer and JWKS URI', () => {
    const { stack, pool } = poolStack();
    expect(pool.hasTokenEndpoint).toBe(true);
    expect(stack.resolve(pool.tokenEndpoint)).toEqual({
      'Fn::Join': ['', ['https://', { Ref: expect.stringMatching(/^PoolDomain/) }, '.auth.us-east-1.amazoncognito.com/oauth2/token']],
    });
    expect(stack.resolve(pool.issuer)).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: expect.stringMatching(/^Pool/) }]],
    });
    expect(stack.resolve(pool.jwksUri)).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: expect.stringMatching(/^Pool/) }, '/.well-known/jwks.json']],
    });
    expect(stack.resolve(pool.userPoolArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Pool/), 'Arn'] });
  });

  test('removal policy, deletion protection and feature plan can be chosen', () => {
    const stack = new Stack(new App(), 'S');
    new M2mUserPool(stack, 'Pool', {
      domainPrefix: 'acme-dev', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, featurePlan: cognito.FeaturePlan.PLUS,
    });
    Template.fromStack(stack).hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtection: 'INACTIVE', UserPoolTier: 'PLUS' }),
    });
  });

  test('a custom domain serves the token endpoint', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1', account: '111111111111' } });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const pool = new M2mUserPool(stack, 'Pool', { customDomain: { domainName: 'auth.acme.example', certificate } });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'auth.acme.example',
      CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' },
    });
    expect(stack.resolve(pool.tokenEndpoint)).toEqual({ 'Fn::Join': ['', ['https://', { Ref: expect.stringMatching(/^PoolDomain/) }, '/oauth2/token']] });
  });

  test('without a domain the pool has no token endpoint (tenants use GetClientToken)', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1', account: '111111111111' } });
    const pool = new M2mUserPool(stack, 'Pool', {});
    expect(() => pool.domain).toThrow('[S/Pool] domain: the user pool was created without domainPrefix or customDomain, so it has no domain');
    expect(pool.hasTokenEndpoint).toBe(false);
    expect(() => pool.tokenEndpoint).toThrow('[S/Pool] tokenEndpoint: the user pool has no domain, so it has no token endpoint (its tenants use GetClientToken)');
    Template.fromStack(stack).resourceCountIs('AWS::Cognito::UserPoolDomain', 0);

    const imported = M2mUserPool.fromUserPoolAttributes(stack, 'Existing', { userPoolId: 'eu-west-1_AbCdEf123' });
    expect(imported.hasTokenEndpoint).toBe(false);
    expect(() => imported.tokenEndpoint).toThrow(/\[S\/Existing\] tokenEndpoint: the user pool has no domain/);
    expect(stack.resolve(imported.issuer)).toEqual({ 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/eu-west-1_AbCdEf123']] });
  });

  test('an existing pool can be imported, and servers and tenants added to it', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'eu-west-1', account: '111111111111' } });
    const pool = M2mUserPool.fromUserPoolAttributes(stack, 'Existing', { userPoolId: 'us-east-1_AbCdEf123', domainPrefix: 'acme-prod' });
    expect(pool.userPoolId).toBe('us-east-1_AbCdEf123');
    expect(stack.resolve(pool.userPoolArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:us-east-1:111111111111:userpool/us-east-1_AbCdEf123']] });
    expect(stack.resolve(pool.tokenEndpoint)).toBe('https://acme-prod.auth.us-east-1.amazoncognito.com/oauth2/token');
    expect(stack.resolve(pool.issuer)).toEqual({ 'Fn::Join': ['', ['https://cognito-idp.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/us-east-1_AbCdEf123']] });

    const rs = pool.addResourceServer('Orders', { identifier: 'orders', scopes: [{ name: 'read', description: 'Read' }] });
    pool.addTenant('globex', { scopes: [rs.scope('read')] });
    // A scope defined in the existing pool, unknown to this app, is accepted.
    pool.addTenant('initech', { scopes: [cognito.OAuthScope.custom('legacy/read')] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', { UserPoolId: 'us-east-1_AbCdEf123', Identifier: 'orders' });
    t.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
    t.resourceCountIs('AWS::KMS::Key', 1);
  });
});

describe('addTenant', () => {
  test('the same tenant twice is the library\'s error, naming the tenant and the client that serves it', () => {
    const { pool, orders } = poolStack();
    pool.addTenant('globex', { scopes: [orders.scope('read')] });
    expect(() => pool.addTenant('globex', { scopes: [orders.scope('write')] }))
      .toThrow('[Test/Pool] addTenant(tenantId): "globex" is invalid: must be unique in the user pool; Test/Pool/Tenant-globex already serves this tenant');
  });

  test('a tenant declared with TenantAppClient and then with addTenant clashes the same way', () => {
    const { stack, pool, orders } = poolStack();
    new TenantAppClient(stack, 'Globex', { userPool: pool, tenantId: 'globex', scopes: [orders.scope('read')] });
    expect(() => pool.addTenant('globex', { scopes: [orders.scope('read')] })).toThrow(/"globex" is invalid: must be unique in the user pool; Test\/Globex already serves/);
  });
});
