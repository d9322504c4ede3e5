import { Duration, IResource, Resource, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { IM2mUserPool } from './m2m-user-pool';
import { acknowledgeRule } from './private/acknowledge';
import { poolBudgetWatchers } from './private/budget-state';
import { ClientRotationFunction } from './private/client-rotation';
import { ClientCredentialsSecret, MIN_GRACE_SECONDS } from './private/contracts/client-rotation';
import { isPortalClientName, PORTAL_CLIENT_NAME_PREFIX } from './private/contracts/portal';
import { registerTenant, resolveScopes } from './private/pool-state';
import { checkDuration, checkString, CLIENT_NAME, LIMITS, propError, TENANT_ID } from './private/validation';
import { checkTokenBudget, TokenBudget } from './token-budget';

/** The explicit auth flow that lets an app client call GetClientToken. */
const CLIENT_TOKEN_AUTH_FLOW = 'ALLOW_CLIENT_TOKEN_AUTH';

/** Rotation schedules Secrets Manager and this library accept, in days. */
const ROTATION_DAYS = { min: 1, max: 365 };
const DEFAULT_GRACE = Duration.days(1);

/** The reason the secret of a tenant without rotation is not rotated: true for every rule id it is given to. */
const NO_ROTATION_REASON = 'Rotation of this tenant\'s client secret is off (TenantAppClient rotationSchedule unset), because consumers that read the secret once at start would stop working after a rotation\'s grace period. '
  + 'Turn it on with rotationSchedule once every consumer re-reads the secret (the bundled token client does on invalid_client); the developer portal rotates the secrets of the clients it registers.';
const ROTATION_RULES = ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled'];

/**
 * An app client that serves one tenant (or one consuming service of a tenant).
 */
export interface ITenantAppClient extends IResource {
  /**
   * The tenant the client belongs to.
   */
  readonly tenantId: string;

  /**
   * The app client id (`client_id` claim of its access tokens).
   *
   * @attribute
   */
  readonly userPoolClientId: string;
}

/**
 * Settings of a tenant's app client.
 */
export interface TenantAppClientOptions {
  /**
   * The scopes the client may request: scopes of this pool's resource
   * servers, at least one and at most 50.
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
   */
  readonly scopes: cognito.OAuthScope[];

  /**
   * How long the client's access tokens are valid: 5 minutes to 1 day.
   * Tenants should cache a token until shortly before it expires; every token
   * request is billed.
   *
   * @default Duration.minutes(60)
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
   */
  readonly accessTokenValidity?: Duration;

  /**
   * The app client name shown in the Cognito console. Names starting with
   * `@portal.` are reserved for the developer portal's clients.
   *
   * @default - the tenant id
   */
  readonly clientName?: string;

  /**
   * The name of the Secrets Manager secret holding the client credentials.
   *
   * @default - a name CloudFormation generates
   */
  readonly secretName?: string;

  /**
   * Whether the client may get tokens with Cognito's `GetClientToken` API: an
   * AWS API call (`cognito-idp.<region>.amazonaws.com`) that issues a
   * client-credentials access token with the same scopes, lifetime and
   * billing as the token endpoint, and needs no user-pool domain. The
   * client's only explicit auth flow is then `ALLOW_CLIENT_TOKEN_AUTH`; it
   * keeps the OAuth client-credentials grant, which the token endpoint serves
   * when the pool has a domain.
   *
   * The client secret JSON then also holds `userPoolId`, from which the token
   * client (`cdk-cognito-m2m-token-client`) takes the Region.
   *
   * @default - true when the pool has no token endpoint (no domain), false otherwise
   * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetClientToken.html
   */
  readonly clientTokenAuth?: boolean;

  /**
   * The KMS key that encrypts the secret.
   *
   * @default - the user pool's `secretsKey`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Rotates the client secret on this schedule, whole days from 1 to 365:
   * Secrets Manager rotation with a function shared by the pool's tenants,
   * which adds a second client secret (AddUserPoolClientSecret), makes it
   * AWSCURRENT once it got a token, and deletes the old one after
   * `rotationGracePeriod`. Enabling it rotates at once.
   *
   * Consumers must re-read the secret (on `invalid_client`, or at least once
   * per grace period): one that reads it only at start stops working when
   * the grace period ends. With rotation on, the secret's `scope` is empty
   * (a token request without scope gets every scope of the client), so the
   * secret's template value never changes and a deployment never writes the
   * deleted original secret back; see docs/tokens.md, "Rotating the
   * secrets of CDK-declared tenants" for the changes that still rewrite it.
   *
   * @default - no rotation: the secret keeps the client secret Cognito
   * generated when the client was created
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
   * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AddUserPoolClientSecret.html
   */
  readonly rotationSchedule?: Duration;

  /**
   * How long the previous client secret keeps working after a rotation, so
   * that consumers holding it have time to re-read the secret: whole hours,
   * at least 1 hour and at least `accessTokenValidity`, and shorter than
   * `rotationSchedule`. The old secret is deleted within an hour after it
   * ends. Only with `rotationSchedule`.
   *
   * @default Duration.days(1)
   * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPoolClientSecret.html
   */
  readonly rotationGracePeriod?: Duration;

  /**
   * The client's token budget: new tokens per hour and per day before an
   * alarm (and, with `suspendFor`, a suspension). It is counted by the
   * `TokenBudgets` of an API whose tenant-aware authorizer trusts this
   * client's pool; a budget that no `TokenBudgets` counts fails synthesis.
   *
   * @default - no budget of its own (its tenant's budget, if any, still applies)
   * @see https://aws.amazon.com/cognito/pricing/
   */
  readonly tokenBudget?: TokenBudget;
}

/**
 * Properties of a `TenantAppClient`.
 */
export interface TenantAppClientProps extends TenantAppClientOptions {
  /**
   * The user pool the client belongs to.
   */
  readonly userPool: IM2mUserPool;

  /**
   * The tenant id: letters, digits, `_`, `.` and `-`, 1–64 characters, unique in the pool.
   * The authorizer passes it to the API's backend; it never comes from the caller.
   */
  readonly tenantId: string;
}

/**
 * Attributes of an app client that exists outside this stack.
 */
export interface TenantAppClientAttributes {
  /**
   * The tenant the client belongs to.
   */
  readonly tenantId: string;

  /**
   * The app client id.
   */
  readonly userPoolClientId: string;
}

/**
 * A Cognito app client for one tenant: OAuth 2.0 client-credentials flow only,
 * a generated secret, no user sign-in flows, token revocation and
 * prevent-user-existence-errors on.
 *
 * The client id, the secret and the token endpoint are stored together in a
 * KMS-encrypted Secrets Manager secret (JSON keys `tenantId`, `clientId`,
 * `clientSecret`, `scope`, `tokenEndpoint` when the pool has a domain, and
 * `userPoolId` when `clientTokenAuth` is on). The template refers to the secret
 * value only through `Fn::GetAtt`; it never appears in a template, an output
 * or a log. Give the tenant (or its workload) access with `grantReadSecret`.
 *
 * With `rotationSchedule`, Secrets Manager rotates the client secret on that
 * schedule and the old one keeps working for `rotationGracePeriod`.
 */
export class TenantAppClient extends Resource implements ITenantAppClient {
  /**
   * Attaches to an app client that already exists.
   */
  public static fromTenantAppClientAttributes(scope: Construct, id: string, attrs: TenantAppClientAttributes): ITenantAppClient {
    checkString(undefined, 'tenantId', attrs.tenantId, TENANT_ID);
    class Import extends Resource implements ITenantAppClient {
      public readonly tenantId = attrs.tenantId;
      public readonly userPoolClientId = attrs.userPoolClientId;
    }
    return new Import(scope, id);
  }

  /**
   * The construct id `M2mUserPool.addTenant` gives a tenant's client. It
   * depends only on the tenant id, never on the order of tenants.
   *
   * @param pool the pool the client is added to (named in errors)
   * @param tenantId the tenant id
   */
  public static constructIdFor(pool: IM2mUserPool, tenantId: string): string {
    checkString(pool, 'tenantId', tenantId, TENANT_ID);
    return `Tenant-${tenantId}`;
  }

  public readonly tenantId: string;
  public readonly userPoolClientId: string;

  /**
   * The underlying Cognito app client.
   */
  public readonly userPoolClient: cognito.UserPoolClient;

  /**
   * The secret holding the client id and secret, as JSON.
   */
  public readonly secret: secretsmanager.ISecret;

  /**
   * The scopes the client may request, as they appear in access tokens.
   */
  public readonly scopeNames: string[];

  /**
   * The user pool the client belongs to.
   */
  public readonly m2mUserPool: IM2mUserPool;

  /**
   * Whether the client may get tokens with Cognito's `GetClientToken` API
   * (explicit auth flow `ALLOW_CLIENT_TOKEN_AUTH`).
   */
  public readonly clientTokenAuth: boolean;

  /**
   * How often the client secret is rotated; undefined when it is not.
   */
  public readonly rotationSchedule?: Duration;

  /**
   * How long the previous client secret keeps working after a rotation;
   * undefined when the secret is not rotated.
   */
  public readonly rotationGracePeriod?: Duration;

  /**
   * The client's token budget; undefined when it has none of its own.
   */
  public readonly tokenBudget?: TokenBudget;

  constructor(scope: Construct, id: string, props: TenantAppClientProps) {
    super(scope, id);
    checkString(this, 'tenantId', props.tenantId, TENANT_ID);
    if (props.clientName !== undefined) checkString(this, 'clientName', props.clientName, CLIENT_NAME);
    if (props.clientName !== undefined && !Token.isUnresolved(props.clientName) && isPortalClientName(props.clientName)) {
      throw propError(this, 'clientName', props.clientName, `must not start with "${PORTAL_CLIENT_NAME_PREFIX}": the developer portal's clients are named so, and only it may create and clean them up`);
    }
    if (props.secretName !== undefined) {
      checkString(this, 'secretName', props.secretName, {
        pattern: /^[A-Za-z0-9/_+=.@-]+$/, minLength: 1, maxLength: 512, describe: 'a Secrets Manager secret name: letters, digits and /_+=.@-',
      });
    }
    const validity = props.accessTokenValidity ?? Duration.minutes(60);
    checkDuration(this, 'accessTokenValidity', validity, LIMITS.accessTokenMin, LIMITS.accessTokenMax);
    if (!props.scopes || props.scopes.length === 0) {
      throw propError(this, 'scopes', '[]', 'a tenant app client needs at least one scope of the pool\'s resource servers');
    }
    if (props.scopes.length > LIMITS.scopesPerClient) {
      throw propError(this, 'scopes', `${props.scopes.length} scopes`, `an app client may hold at most ${LIMITS.scopesPerClient} scopes`);
    }
    const resolved = resolveScopes(this, 'scopes', props.userPool, props.scopes);
    const tokenEndpoint = props.userPool.hasTokenEndpoint ? props.userPool.tokenEndpoint : undefined;
    const clientTokenAuth = props.clientTokenAuth ?? tokenEndpoint === undefined;
    if (!clientTokenAuth && tokenEndpoint === undefined) {
      throw propError(this, 'clientTokenAuth', false,
        'the user pool has no domain, so GetClientToken is the only way to a token: leave clientTokenAuth unset or true, or give the pool a domainPrefix or customDomain');
    }

    const rotation = rotationOf(this, props, validity);
    if (props.tokenBudget !== undefined) {
      checkTokenBudget(this, 'tokenBudget', props.tokenBudget);
      this.tokenBudget = props.tokenBudget;
      this.node.addValidation({
        validate: () => (poolBudgetWatchers(props.userPool).length > 0 ? [] : [
          `[${this.node.path}] tokenBudget: is set but nothing counts it: no TokenBudgets watches an API whose tenant-aware authorizer trusts user pool ${props.userPool.node.path}; `
          + 'add new TokenBudgets(scope, id, { api }) for such an API, or remove tokenBudget',
        ]),
      });
    }

    this.tenantId = props.tenantId;
    this.m2mUserPool = props.userPool;
    this.scopeNames = resolved.map((s) => s.name);
    registerTenant(props.userPool, this);

    const client = new cognito.UserPoolClient(this, 'Resource', {
      userPool: props.userPool.userPool,
      userPoolClientName: props.clientName ?? props.tenantId,
      generateSecret: true,
      // Only the client-credentials grant: no user sign-in flow of any kind.
      authFlows: { userPassword: false, adminUserPassword: false, custom: false, userSrp: false, user: false },
      oAuth: {
        flows: { clientCredentials: true },
        scopes: props.scopes,
      },
      accessTokenValidity: validity,
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    // Deploy after every resource server whose scopes the client uses, also
    // for scopes given as plain strings.
    for (const s of resolved) {
      if (s.server) client.node.addDependency(s.server);
    }
    this.userPoolClient = client;
    this.userPoolClientId = client.userPoolClientId;
    this.clientTokenAuth = clientTokenAuth;

    const cfnClient = client.node.defaultChild as cognito.CfnUserPoolClient;
    if (clientTokenAuth) {
      // aws-cdk-lib's authFlows has no member for this flow (and adds ALLOW_REFRESH_TOKEN_AUTH,
      // which a client-credentials client never uses): GetClientToken is the only one.
      cfnClient.explicitAuthFlows = [CLIENT_TOKEN_AUTH_FLOW];
    }
    // The fields the token client reads (contracts/client-rotation.ts ClientCredentialsSecret).
    const secretFields: { -readonly [K in keyof ClientCredentialsSecret]?: SecretValue } = {
      tenantId: SecretValue.unsafePlainText(props.tenantId),
      clientId: SecretValue.unsafePlainText(client.userPoolClientId),
      clientSecret: SecretValue.resourceAttribute(cfnClient.attrClientSecret),
    };
    if (tokenEndpoint !== undefined) secretFields.tokenEndpoint = SecretValue.unsafePlainText(tokenEndpoint);
    // A rotated secret's template value must never change (CloudFormation would write the
    // original, deleted client secret back): its scope is empty, which requests every scope.
    secretFields.scope = SecretValue.unsafePlainText(rotation ? '' : this.scopeNames.join(' '));
    if (clientTokenAuth) secretFields.userPoolId = SecretValue.unsafePlainText(props.userPool.userPoolId);
    const encryptionKey = props.encryptionKey ?? props.userPool.secretsKey;
    const secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: props.secretName,
      description: `OAuth 2.0 client credentials of tenant ${props.tenantId} (${this.node.path})`,
      encryptionKey,
      // Only a reference (Fn::GetAtt ClientSecret) reaches the template; the
      // value goes from Cognito to Secrets Manager inside CloudFormation.
      secretObjectValue: secretFields,
    });
    this.secret = secret;

    if (!rotation) {
      for (const rule of ROTATION_RULES) acknowledgeRule(secret, rule, NO_ROTATION_REASON);
      return;
    }
    this.rotationSchedule = rotation.schedule;
    this.rotationGracePeriod = rotation.grace;
    const rotator = ClientRotationFunction.of(props.userPool, rotation.grace);
    rotator.grantSecretsKey(encryptionKey);
    rotator.bind(secret, client);
    const schedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: secret.secretArn,
      rotationLambdaArn: rotator.fn.functionArn,
      rotationRules: { scheduleExpression: `rate(${rotation.schedule.toDays()} days)` },
    });
    // The first rotation runs when the schedule is created: the permissions must be there.
    schedule.node.addDependency(rotator.policy);
    schedule.node.addDependency(rotator.fn.permissionsNode.findChild('InvokedBySecretsManager'));
  }

  /**
   * Lets the grantee read the client credentials (and decrypt them with the KMS key).
   */
  public grantReadSecret(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}

/** The validated rotation settings, or undefined when the secret is not rotated. */
function rotationOf(scope: Construct, props: TenantAppClientProps, tokenValidity: Duration): { schedule: Duration; grace: Duration } | undefined {
  const schedule = props.rotationSchedule;
  if (schedule === undefined) {
    if (props.rotationGracePeriod !== undefined) {
      throw propError(scope, 'rotationGracePeriod', props.rotationGracePeriod, 'applies to a rotated secret: set rotationSchedule too, or leave rotationGracePeriod out');
    }
    return undefined;
  }
  const grace = props.rotationGracePeriod ?? DEFAULT_GRACE;
  if (schedule.isUnresolved() || grace.isUnresolved()) {
    throw propError(scope, schedule.isUnresolved() ? 'rotationSchedule' : 'rotationGracePeriod', 'a token',
      'must be known at synth time: the grace period selects the shared rotation function and the schedule is checked against it');
  }
  const days = schedule.toMilliseconds() / 86_400_000;
  if (!Number.isInteger(days) || days < ROTATION_DAYS.min || days > ROTATION_DAYS.max) {
    throw propError(scope, 'rotationSchedule', schedule, `must be whole days from ${ROTATION_DAYS.min} to ${ROTATION_DAYS.max}`);
  }
  const graceSeconds = grace.toMilliseconds() / 1000;
  const minSeconds = Math.max(MIN_GRACE_SECONDS, tokenValidity.toSeconds());
  if (!Number.isInteger(graceSeconds / 3600)) {
    throw propError(scope, 'rotationGracePeriod', grace, 'must be whole hours (old secrets are deleted by an hourly sweep)');
  }
  if (graceSeconds < minSeconds) {
    throw propError(scope, 'rotationGracePeriod', grace,
      `must be at least ${Duration.seconds(minSeconds).toHumanString()}: 1 hour and at least accessTokenValidity (${tokenValidity.toHumanString()}), so a consumer that re-reads the secret when its token expires finds the new one before the old one is deleted`);
  }
  if (graceSeconds * 1000 >= schedule.toMilliseconds()) {
    throw propError(scope, 'rotationGracePeriod', grace,
      `must be shorter than rotationSchedule (${schedule.toHumanString()}): a client holds at most two secrets, so the previous one must be gone before the next rotation`);
  }
  const key = props.encryptionKey;
  if (key && Token.isUnresolved(key.keyArn) && Stack.of(key) !== Stack.of(props.userPool)) {
    throw propError(scope, 'encryptionKey', key.node.path,
      `must be in the user pool's stack (${Stack.of(props.userPool).node.path}) or imported when rotationSchedule is set: the pool's shared rotation function is granted the key`);
  }
  return { schedule, grace };
}
