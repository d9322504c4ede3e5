import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeRule } from './private/acknowledge';
import { GROUP_NAME, USERNAME } from './private/contracts/ids';
import { checkDomainPrefix, checkDuration, checkString, propError } from './private/validation';

/**
 * A person the portal's sign-in pool starts with.
 */
export interface PortalPerson {
  /**
   * The username the person signs in with.
   */
  readonly username: string;

  /**
   * Where Cognito sends the temporary password.
   */
  readonly email: string;
}

/**
 * Properties of a `PortalUserPool`.
 */
export interface PortalUserPoolProps {
  /**
   * Prefix of the Cognito managed-login domain people sign in at
   * (`https://<prefix>.auth.<region>.amazoncognito.com`).
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
   */
  readonly domainPrefix: string;

  /**
   * The web UI's URLs Cognito may send people back to after sign-in (the
   * site's root URL, `https://…/`).
   */
  readonly callbackUrls: string[];

  /**
   * The web UI's URLs Cognito may send people to after sign-out.
   *
   * @default - the callback URLs
   */
  readonly logoutUrls?: string[];

  /**
   * Name of the group whose members are platform admins (every tenant).
   *
   * @default 'platform-admins'
   */
  readonly adminGroupName?: string;

  /**
   * Prefix of the per-tenant groups: members of `<prefix><tenant id>` are
   * that tenant's admins. The portal creates a tenant's group when a platform
   * admin invites its first admin.
   *
   * @default 'tenant-'
   */
  readonly tenantGroupPrefix?: string;

  /**
   * Platform admins to create with the pool (Cognito e-mails each a temporary
   * password; they set a password and TOTP MFA at first sign-in). Further
   * people are invited from the portal.
   *
   * @default - none: add the first platform admin with `aws cognito-idp admin-create-user` and `admin-add-user-to-group`
   */
  readonly platformAdmins?: PortalPerson[];

  /**
   * How long a sign-in lasts: the refresh token's validity. The web UI keeps
   * tokens in memory only, so a reload asks Cognito again (no password while
   * the managed-login session lasts).
   *
   * @default Duration.hours(8)
   */
  readonly sessionValidity?: Duration;

  /**
   * The Cognito feature plan. Plus adds threat protection (adaptive
   * authentication, compromised-credential checks) for people's sign-ins,
   * at a higher price per monthly active user.
   *
   * @default cognito.FeaturePlan.ESSENTIALS
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
   */
  readonly featurePlan?: cognito.FeaturePlan;

  /**
   * What happens to the pool (and everybody in it) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether Cognito refuses to delete the pool until protection is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}


/** What the portal does to people of this pool: invite, list and remove tenant admins. */
const INVITE_ACTIONS = [
  'cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser', 'cognito-idp:GetGroup', 'cognito-idp:CreateGroup',
  'cognito-idp:AdminAddUserToGroup', 'cognito-idp:ListUsersInGroup', 'cognito-idp:AdminListGroupsForUser',
];

/**
 * The user pool people sign in to the developer portal with, kept apart
 * from the M2M pool (which stays free of users).
 *
 * - Managed login (the newer Cognito-hosted pages) with the authorization-code
 *   grant and PKCE for one public web client: no client secret, no other
 *   flow, only the `openid`, `email` and `profile` scopes (not
 *   `aws.cognito.signin.user.admin`, so nobody changes their own attributes
 *   with their token).
 * - No self sign-up; TOTP MFA required; 14-character passwords with every
 *   character class; account recovery by e-mail only; deletion protection and
 *   RETAIN by default.
 * - Roles are Cognito groups, which only administrators can change and
 *   which every access token carries as `cognito:groups`: the admin group
 *   (platform admins) and one group per tenant (`tenant-<id>`).
 */
export class PortalUserPool extends Construct {
  /**
   * The user pool.
   */
  public readonly userPool: cognito.UserPool;

  /**
   * The user pool id.
   */
  public readonly userPoolId: string;

  /**
   * The web UI's public app client (authorization code with PKCE, no secret).
   */
  public readonly webClient: cognito.UserPoolClient;

  /**
   * The managed-login domain.
   */
  public readonly domain: cognito.UserPoolDomain;

  /**
   * `https://<domain>/oauth2/authorize`
   */
  public readonly authorizeUrl: string;

  /**
   * `https://<domain>/oauth2/token`
   */
  public readonly tokenUrl: string;

  /**
   * `https://<domain>/logout`
   */
  public readonly logoutUrl: string;

  /**
   * `https://<domain>`, for a Content-Security-Policy.
   */
  public readonly domainOrigin: string;

  /**
   * The group of platform admins.
   */
  public readonly adminGroupName: string;

  /**
   * The prefix of the per-tenant groups.
   */
  public readonly tenantGroupPrefix: string;

  constructor(scope: Construct, id: string, props: PortalUserPoolProps) {
    super(scope, id);
    checkDomainPrefix(this, 'domainPrefix', props.domainPrefix);
    if (!props.callbackUrls || props.callbackUrls.length === 0) {
      throw propError(this, 'callbackUrls', '[]', 'list the web UI\'s URL (https://…/) that Cognito sends people back to');
    }
    this.adminGroupName = props.adminGroupName ?? 'platform-admins';
    this.tenantGroupPrefix = props.tenantGroupPrefix ?? 'tenant-';
    checkString(this, 'adminGroupName', this.adminGroupName, GROUP_NAME);
    checkString(this, 'tenantGroupPrefix', this.tenantGroupPrefix, { ...GROUP_NAME, maxLength: 63 });
    if (this.adminGroupName.startsWith(this.tenantGroupPrefix)) {
      throw propError(this, 'adminGroupName', this.adminGroupName, `must not start with tenantGroupPrefix "${this.tenantGroupPrefix}" (it would read as a tenant's group)`);
    }
    const session = props.sessionValidity ?? Duration.hours(8);
    checkDuration(this, 'sessionValidity', session, Duration.hours(1), Duration.days(30));
    const featurePlan = props.featurePlan ?? cognito.FeaturePlan.ESSENTIALS;
    if (featurePlan === cognito.FeaturePlan.LITE) {
      throw propError(this, 'featurePlan', 'LITE', 'must be ESSENTIALS or PLUS: managed login needs Essentials');
    }

    const pool = new cognito.UserPool(this, 'Resource', {
      featurePlan,
      selfSignUpEnabled: false,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      signInAliases: { username: true, email: false },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Cognito's own invitation e-mail: a custom text needs the pool to send through Amazon SES (EmailSendingAccount DEVELOPER).
    });
    if (featurePlan !== cognito.FeaturePlan.PLUS) {
      acknowledgeRule(pool, 'AwsSolutions-COG8',
        'The portal\'s people sign in with a 14-character password and required TOTP MFA, and only invited people exist (no self sign-up). Plus adds threat protection at a higher price per user; the featurePlan prop turns it on.');
    }
    this.userPool = pool;
    this.userPoolId = pool.userPoolId;

    this.domain = pool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const region = Stack.of(this).region;
    this.domainOrigin = `https://${this.domain.domainName}.auth.${region}.amazoncognito.com`;
    this.authorizeUrl = `${this.domainOrigin}/oauth2/authorize`;
    this.tokenUrl = `${this.domainOrigin}/oauth2/token`;
    this.logoutUrl = `${this.domainOrigin}/logout`;

    this.webClient = pool.addClient('WebClient', {
      generateSecret: false,
      // Only refresh-token requests outside managed login; no password, SRP or custom flows from other UIs.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: props.callbackUrls,
        logoutUrls: props.logoutUrls ?? props.callbackUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: session,
      authSessionValidity: Duration.minutes(5),
      readAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true }),
      writeAttributes: new cognito.ClientAttributes(),
    });
    const cfnClient = this.webClient.node.defaultChild as cognito.CfnUserPoolClient;
    cfnClient.explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];

    // Managed login (the newer pages) shows a page only once the client has a style.
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: pool.userPoolId,
      clientId: this.webClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: pool.userPoolId,
      groupName: this.adminGroupName,
      description: 'Platform admins of the developer portal: every tenant and API client',
    });
    (props.platformAdmins ?? []).forEach((person, i) => {
      checkString(this, `platformAdmins[${i}].username`, person.username, USERNAME);
      checkString(this, `platformAdmins[${i}].email`, person.email,
        { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, minLength: 3, maxLength: 254, describe: 'an e-mail address' });
      const user = new cognito.CfnUserPoolUser(this, `Admin-${person.username.replace(/[^A-Za-z0-9]/g, '-')}`, {
        userPoolId: pool.userPoolId,
        username: person.username,
        userAttributes: [{ name: 'email', value: person.email }, { name: 'email_verified', value: 'true' }],
        desiredDeliveryMediums: ['EMAIL'],
      });
      const attach = new cognito.CfnUserPoolUserToGroupAttachment(this, `AdminOf-${person.username.replace(/[^A-Za-z0-9]/g, '-')}`, {
        userPoolId: pool.userPoolId,
        username: person.username,
        groupName: this.adminGroupName,
      });
      // Construct dependencies, DependsOn in the template: CfnResource#addDependency is deprecated on aws-cdk-lib 2.278,
      // and its replacement addResourceDependency does not exist on 2.257 and older, which the package accepts.
      attach.node.addDependency(user, this.node.findChild('AdminGroup'));
    });
  }

  /**
   * Lets the grantee invite people into tenant groups, list and remove them,
   * as the developer portal does: AdminCreateUser, AdminDeleteUser (removing
   * a person, or undoing a half-done invitation), GetGroup, CreateGroup,
   * AdminAddUserToGroup, ListUsersInGroup, AdminListGroupsForUser.
   */
  public grantInvite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: INVITE_ACTIONS, resourceArns: [this.userPool.userPoolArn] });
  }
}
