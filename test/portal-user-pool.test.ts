/** The developer portal's sign-in pool for people. */
import { Match } from 'aws-cdk-lib/assertions';
import { PortalUserPool } from '../lib';
import { poolStack, webUiStack } from './fixtures';

describe('PortalUserPool', () => {
  test('no self sign-up, TOTP MFA required, strong passwords, e-mail recovery, deletion protection, retained', () => {
    const { t } = webUiStack();
    const pools = t.findResources('AWS::Cognito::UserPool');
    const [id, people] = Object.entries(pools).find(([k]) => k.startsWith('PortalSignIn'))!;
    expect(id).toMatch(/^PortalSignIn/);
    expect(people.DeletionPolicy).toBe('Retain');
    expect(people.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      DeletionProtection: 'ACTIVE',
      UserPoolTier: 'ESSENTIALS',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
    // The M2M pool stays a separate pool.
    expect(Object.keys(pools)).toHaveLength(2);
  });

  test('the web client is public (no secret) with the code grant only, openid/email/profile, no self-service attribute writes', () => {
    const { t } = webUiStack();
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: Match.stringLikeRegexp('^PortalSignIn') },
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      WriteAttributes: [],
      CallbackURLs: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^PortalWebUiDistribution'), 'DomainName'] }, '/']] }],
    });
    const clients = Object.values(t.findResources('AWS::Cognito::UserPoolClient')).filter((c) => JSON.stringify(c.Properties.UserPoolId).includes('PortalSignIn'));
    expect(clients).toHaveLength(1);
    expect(JSON.stringify(clients[0].Properties.AllowedOAuthScopes)).not.toContain('aws.cognito.signin.user.admin');
  });

  test('managed login with a style, the admin group, and the platform admins given', () => {
    const { t } = webUiStack();
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-portal', ManagedLoginVersion: 2 });
    t.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
    t.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'platform-admins' });
    t.hasResourceProperties('AWS::Cognito::UserPoolUser', {
      Username: 'root',
      UserAttributes: [{ Name: 'email', Value: 'root@acme.example' }, { Name: 'email_verified', Value: 'true' }],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', { Username: 'root', GroupName: 'platform-admins' });
  });

  test('a platform admin joins the admin group once both the person and the group exist', () => {
    const { t } = webUiStack();
    const idOf = (type: string) => {
      const ids = Object.keys(t.findResources(type));
      expect(ids).toHaveLength(1);
      return ids[0];
    };
    const attachment = t.toJSON().Resources[idOf('AWS::Cognito::UserPoolUserToGroupAttachment')];
    expect([...attachment.DependsOn].sort()).toEqual([idOf('AWS::Cognito::UserPoolGroup'), idOf('AWS::Cognito::UserPoolUser')].sort());
  });

  test.each([
    [{ domainPrefix: 'Bad_Prefix' }, /domainPrefix/],
    [{ callbackUrls: [] }, /callbackUrls: "\[\]" is invalid: list the web UI's URL/],
    [{ adminGroupName: 'tenant-admins' }, /adminGroupName: "tenant-admins" is invalid: must not start with tenantGroupPrefix/],
    [{ platformAdmins: [{ username: 'has space', email: 'a@b.example' }] }, /platformAdmins\[0\]\.username/],
    [{ platformAdmins: [{ username: 'ok', email: 'nope' }] }, /platformAdmins\[0\]\.email/],
  ])('bad props %j are refused with the prop named', (bad, message) => {
    const { stack } = poolStack();
    expect(() => new PortalUserPool(stack, 'People', { domainPrefix: 'acme-people', callbackUrls: ['https://portal.acme.example/'], ...bad } as any))
      .toThrow(message);
  });
});

