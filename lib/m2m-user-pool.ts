import { Arn, Duration, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { M2mUserPoolAttributes, M2mUserPoolProps } from './m2m-user-pool-props';
import { acknowledgeRule } from './private/acknowledge';
import { grantsOnlyForAwsServices } from './private/compliance';
import { issuerHostPrefix } from './private/contracts/trusted-pools';
import { checkedNetwork } from './private/handler-function';
import { handlerRuntime } from './private/node-runtime';
import { poolState, registerPool } from './private/pool-state';
import { ClientSecretGrantCheck } from './private/secret-grant-check';
import { SecretLifecycleAudit, SecurityAlarms } from './private/security-alarms';
import { certificateRegion, checkDomainPrefix, checkString, CLOUDFRONT_CERTIFICATE_REGION, LIMITS, propError, USER_POOL_NAME } from './private/validation';
import { ResourceServer, ResourceServerOptions } from './resource-server';
import { TenantAppClient, TenantAppClientOptions } from './tenant-app-client';

/**
 * The format of the issuer (`iss` claim) in a user pool's tokens: the pool's
 * issuer configuration.
 *
 * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_IssuerConfigurationType.html
 */
export enum IssuerFormat {
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the pool's Region hosts it. */
  ORIGINAL = 'ORIGINAL',
  /**
   * `https://issuer-cognito-idp.<region>.amazonaws.com/<userPoolId>`, where region is the
   * pool's primary Region: the JWKS is served from several Regions. Required for multi-Region
   * replication.
   */
  UPDATED = 'UPDATED',
}

/**
 * A user pool for machine-to-machine authentication, created by `M2mUserPool`
 * or imported with `M2mUserPool.fromUserPoolAttributes`.
 */
export interface IM2mUserPool extends IResource {
  /**
   * The underlying Cognito user pool.
   */
  readonly userPool: cognito.IUserPool;

  /**
   * The user pool id.
   *
   * @attribute
   */
  readonly userPoolId: string;

  /**
   * The user pool ARN.
   *
   * @attribute
   */
  readonly userPoolArn: string;

  /**
   * The OAuth 2.0 token endpoint tenants POST `grant_type=client_credentials` to,
   * e.g. `https://acme-m2m.auth.us-east-1.amazoncognito.com/oauth2/token`.
   *
   * A pool without a domain has none (its tenants use Cognito's
   * `GetClientToken` API): reading it is then an error; `hasTokenEndpoint`
   * tells.
   */
  readonly tokenEndpoint: string;

  /**
   * Whether the pool has a domain serving the token endpoint. Without one,
   * tenants get tokens with Cognito's `GetClientToken` API.
   */
  readonly hasTokenEndpoint: boolean;

  /**
   * The issuer (`iss` claim) of the pool's tokens, in the first of its
   * `issuerFormats`: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`
   * (ORIGINAL) or `https://issuer-cognito-idp.<region>.amazonaws.com/<userPoolId>` (UPDATED).
   */
  readonly issuer: string;

  /**
   * The issuer formats the pool's tokens may carry, which the tenant-aware
   * Lambda authorizer accepts (a token with another format is refused).
   */
  readonly issuerFormats: IssuerFormat[];

  /**
   * Where the pool publishes the public keys that sign its tokens.
   */
  readonly jwksUri: string;

  /**
   * The key that encrypts the Secrets Manager secrets holding app client secrets.
   */
  readonly secretsKey: kms.IKey;

  /**
   * The pool's security alarms created so far: client secrets or app clients
   * changed outside the library (`M2mUserPool` `secretLifecycleAlarm`),
   * secrets the rotation function refused, and the hourly sweeps (secret
   * rotation, developer portal) failing after their retries.
   */
  readonly securityAlarms: cloudwatch.IAlarm[];

  /**
   * The KMS-encrypted SNS topic every security alarm of the pool notifies
   * when it goes into ALARM and back to OK. Subscribe the people who act on
   * them (e.g. `topic.addSubscription(new subs.EmailSubscription(...))`);
   * it is created with the first security alarm, or when read.
   */
  readonly securityAlarmTopic: sns.ITopic;

  /**
   * Adds a resource server with custom scopes to this pool.
   */
  addResourceServer(id: string, options: ResourceServerOptions): ResourceServer;

  /**
   * Adds an app client for a tenant to this pool. The construct id derives from
   * the tenant id, so adding or removing other tenants never replaces it.
   */
  addTenant(tenantId: string, options: TenantAppClientOptions): TenantAppClient;

  /**
   * Adds actions to every security alarm of the pool, present and future
   * (alarms created by tenants or a developer portal added later get them
   * too). Give an action whose resource is in the stack of each alarm or is
   * imported (e.g. `sns.Topic.fromTopicArn`), so that no stack refers to a
   * stack that refers back to it.
   */
  addSecurityAlarmAction(...actions: cloudwatch.IAlarmAction[]): void;
}

/**
 * What `M2mUserPool` and its imported form share.
 */
abstract class M2mUserPoolBase extends Resource implements IM2mUserPool {
  public abstract readonly userPool: cognito.IUserPool;
  public abstract readonly userPoolId: string;
  public abstract readonly userPoolArn: string;
  public abstract readonly issuer: string;
  public abstract readonly issuerFormats: IssuerFormat[];
  public abstract readonly secretsKey: kms.IKey;

  /**
   * The token endpoint, or undefined for a pool without a domain.
   * @internal
   */
  protected abstract readonly _tokenEndpoint?: string;

  public get jwksUri(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }

  public get hasTokenEndpoint(): boolean {
    return this._tokenEndpoint !== undefined;
  }

  public get tokenEndpoint(): string {
    if (this._tokenEndpoint === undefined) {
      throw new Error(`[${this.node.path}] tokenEndpoint: the user pool has no domain, so it has no token endpoint (its tenants use GetClientToken); `
        + 'check hasTokenEndpoint first, or give the pool a domainPrefix or customDomain');
    }
    return this._tokenEndpoint;
  }

  public addResourceServer(id: string, options: ResourceServerOptions): ResourceServer {
    return new ResourceServer(this, id, { ...options, userPool: this });
  }

  public get securityAlarms(): cloudwatch.IAlarm[] {
    return [...SecurityAlarms.of(this).alarms];
  }

  public get securityAlarmTopic(): sns.ITopic {
    return SecurityAlarms.of(this).topic;
  }

  public addSecurityAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    SecurityAlarms.of(this).addActions(actions);
  }

  public addTenant(tenantId: string, options: TenantAppClientOptions): TenantAppClient {
    // The library's own error, before the construct id (derived from the tenant id) clashes.
    const existing = poolState(this).tenants.get(tenantId);
    if (existing) {
      throw propError(this, 'addTenant(tenantId)', tenantId, `must be unique in the user pool; ${existing.node.path} already serves this tenant`);
    }
    return new TenantAppClient(this, TenantAppClient.constructIdFor(this, tenantId), { ...options, tenantId, userPool: this });
  }
}

/**
 * An Amazon Cognito user pool made for machine-to-machine (OAuth 2.0
 * client-credentials) authentication.
 *
 * It has no self sign-up and no user sign-in to speak of, a domain serving
 * the token endpoint (or none, when tenants use Cognito's `GetClientToken`
 * API), the Essentials feature plan, deletion protection and a `RETAIN`
 * removal policy. Add resource servers with `addResourceServer` and
 * one app client per tenant with `addTenant`.
 *
 * @example
 * const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m' });
 */
export class M2mUserPool extends M2mUserPoolBase {
  /**
   * Attaches to a user pool that already exists. Resource servers and tenants
   * added to the imported pool are created in it.
   */
  public static fromUserPoolAttributes(scope: Construct, id: string, attrs: M2mUserPoolAttributes): IM2mUserPool {
    return new ImportedM2mUserPool(scope, id, attrs);
  }

  public readonly userPool: cognito.IUserPool;
  public readonly userPoolId: string;
  public readonly userPoolArn: string;
  public readonly issuer: string;
  public readonly issuerFormats: IssuerFormat[];
  public readonly secretsKey: kms.IKey;
  /** @internal */
  protected readonly _tokenEndpoint?: string;

  private readonly _domain?: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: M2mUserPoolProps) {
    super(scope, id);
    validateProps(this, props);

    const pool = new cognito.UserPool(this, 'Resource', {
      userPoolName: props.userPoolName,
      featurePlan: props.featurePlan ?? cognito.FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: false,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Nobody signs in to an M2M pool; should a human user ever be created by
      // hand, they face a strong password, TOTP MFA and no self-service recovery.
      signInAliases: { username: true },
      accountRecovery: cognito.AccountRecovery.NONE,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 16,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
    });
    if ((props.featurePlan ?? cognito.FeaturePlan.ESSENTIALS) !== cognito.FeaturePlan.PLUS) {
      acknowledgeRule(pool, 'AwsSolutions-COG8',
        'Plus adds threat protection and audit of user sign-ins; an M2M pool has no user sign-ins. Essentials already allows client-credentials access-token customisation (pre-token-generation V3_0).');
    }

    this.userPool = pool;
    this.userPoolId = pool.userPoolId;
    this.userPoolArn = pool.userPoolArn;
    this.issuerFormats = issuerFormatsOf(this, props.issuerFormats);
    // `userPoolProviderUrl` (GetAtt ProviderURL) has no scheme; the `iss` claim does.
    this.issuer = issuerOf(Stack.of(this).region, Stack.of(this), pool.userPoolId, this.issuerFormats[0]);

    if (props.customDomain) {
      this._domain = pool.addDomain('Domain', { customDomain: { domainName: props.customDomain.domainName, certificate: props.customDomain.certificate } });
    } else if (props.domainPrefix !== undefined) {
      this._domain = pool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    }
    this._tokenEndpoint = this._domain ? `${this._domain.baseUrl()}/oauth2/token` : undefined;

    this.secretsKey = props.secretsKey ?? grantsOnlyForAwsServices(new kms.Key(this, 'SecretsKey', {
      description: `Encrypts the app client secrets of user pool ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    }));

    registerPool(this, {
      imported: false,
      resourceServerQuota: props.resourceServerQuota,
      appClientQuota: props.appClientQuota,
      issuers: this.issuerFormats.map((f) => issuerOf(Stack.of(this).region, Stack.of(this), pool.userPoolId, f)),
    });
    if (props.secretLifecycleAlarm ?? true) new SecretLifecycleAudit(this, 'SecretLifecycleAudit', this, pool.userPoolId);
    ClientSecretGrantCheck.addTo(this);
    if (props.secretRotation) {
      poolState(this).rotationPlacement = {
        network: checkedNetwork(this, 'secretRotation.', props.secretRotation),
        reservedConcurrentExecutions: props.secretRotation.reservedConcurrentExecutions,
        runtime: props.secretRotation.runtime && handlerRuntime(this, 'secretRotation.runtime', props.secretRotation.runtime),
      };
    }
  }

  /**
   * The domain serving the token endpoint. A pool created without
   * `domainPrefix` and `customDomain` has none: reading it is then an error
   * (`hasTokenEndpoint` tells).
   */
  public get domain(): cognito.UserPoolDomain {
    if (!this._domain) {
      throw new Error(`[${this.node.path}] domain: the user pool was created without domainPrefix or customDomain, so it has no domain (its tenants use GetClientToken); `
        + 'check hasTokenEndpoint first, or give the pool a domainPrefix or customDomain');
    }
    return this._domain;
  }
}

/** The `iss` claim of a pool's tokens. */
function issuerOf(region: string, stack: Stack, userPoolId: string, format: IssuerFormat): string {
  return `https://${issuerHostPrefix(format)}.${region}.${stack.urlSuffix}/${userPoolId}`;
}

/** Validates issuer formats: at least one, each once. */
function issuerFormatsOf(scope: Construct, formats: IssuerFormat[] | undefined): IssuerFormat[] {
  if (formats === undefined) return [IssuerFormat.ORIGINAL];
  const known = Object.values(IssuerFormat) as string[];
  if (formats.length === 0 || formats.some((f) => !known.includes(f)) || new Set(formats).size !== formats.length) {
    throw propError(scope, 'issuerFormats', formats, `must list ${known.join(' and/or ')}, each once`);
  }
  return [...formats];
}

function validateProps(scope: Construct, props: M2mUserPoolProps): void {
  if (props.domainPrefix !== undefined && props.customDomain !== undefined) {
    throw propError(scope, 'domainPrefix/customDomain', 'both set',
      'set at most one: domainPrefix for a Cognito-hosted token endpoint, or customDomain for your own domain (neither: tenants use GetClientToken)');
  }
  if (props.domainPrefix !== undefined) {
    checkDomainPrefix(scope, 'domainPrefix', props.domainPrefix);
  }
  if (props.customDomain && !Token.isUnresolved(props.customDomain.domainName)) {
    checkString(scope, 'customDomain.domainName', props.customDomain.domainName, {
      pattern: /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
      minLength: 1,
      maxLength: 253,
      describe: 'a fully qualified domain name such as auth.example.com',
    });
  }
  if (props.customDomain) {
    // Cognito serves a custom domain through CloudFront, which takes certificates from us-east-1 only.
    const region = certificateRegion(props.customDomain.certificate);
    if (region !== undefined && region !== CLOUDFRONT_CERTIFICATE_REGION) {
      const cert = props.customDomain.certificate.certificateArn;
      throw propError(scope, 'customDomain.certificate', Token.isUnresolved(cert) ? `a certificate in ${region}` : cert,
        `must be an ACM certificate in ${CLOUDFRONT_CERTIFICATE_REGION}, not ${region}: Amazon Cognito serves custom domains through CloudFront, which uses certificates from ${CLOUDFRONT_CERTIFICATE_REGION} only (request or import one there)`);
    }
  }
  if (props.userPoolName !== undefined) {
    checkString(scope, 'userPoolName', props.userPoolName, USER_POOL_NAME);
  }
  if (props.featurePlan === cognito.FeaturePlan.LITE) {
    throw propError(scope, 'featurePlan', 'LITE', 'must be ESSENTIALS or PLUS: the Lite plan cannot customise client-credentials access tokens');
  }
  const quota = props.resourceServerQuota;
  if (quota !== undefined && !Token.isUnresolved(quota)
    && (!Number.isInteger(quota) || quota < 1 || quota > LIMITS.resourceServersMax)) {
    throw propError(scope, 'resourceServerQuota', quota, `must be a whole number from 1 to ${LIMITS.resourceServersMax} (Amazon Cognito's highest resource-server quota)`);
  }
  const clients = props.appClientQuota;
  if (clients !== undefined && !Token.isUnresolved(clients)
    && (!Number.isInteger(clients) || clients < 1 || clients > LIMITS.appClientsMax)) {
    throw propError(scope, 'appClientQuota', clients, `must be a whole number from 1 to ${LIMITS.appClientsMax} (Amazon Cognito's highest app-client quota)`);
  }
}

class ImportedM2mUserPool extends M2mUserPoolBase {
  public readonly userPool: cognito.IUserPool;
  public readonly userPoolId: string;
  public readonly userPoolArn: string;
  public readonly issuer: string;
  public readonly issuerFormats: IssuerFormat[];
  /** @internal */
  protected readonly _tokenEndpoint?: string;
  private readonly attrs: M2mUserPoolAttributes;
  private _secretsKey?: kms.IKey;

  constructor(scope: Construct, id: string, attrs: M2mUserPoolAttributes) {
    super(scope, id);
    if (attrs.domainPrefix !== undefined && attrs.customDomainName !== undefined) {
      throw propError(this, 'domainPrefix/customDomainName', 'both set',
        'set at most one: the domain that serves the imported pool\'s token endpoint (neither: its tenants use GetClientToken)');
    }
    if (!Token.isUnresolved(attrs.userPoolId) && !/^[\w-]+_[0-9a-zA-Z]+$/.test(attrs.userPoolId)) {
      throw propError(this, 'userPoolId', attrs.userPoolId, 'must look like <region>_<id>, e.g. us-east-1_AbCdEf123');
    }
    const stack = Stack.of(this);
    // The pool id starts with its Region, which may differ from the stack's.
    const region = Token.isUnresolved(attrs.userPoolId) ? stack.region : attrs.userPoolId.split('_')[0];
    this.userPoolId = attrs.userPoolId;
    this.userPoolArn = Arn.format({ service: 'cognito-idp', resource: 'userpool', resourceName: attrs.userPoolId, region }, stack);
    this.userPool = cognito.UserPool.fromUserPoolArn(this, 'UserPool', this.userPoolArn);
    this.issuerFormats = issuerFormatsOf(this, attrs.issuerFormats);
    this.issuer = issuerOf(region, stack, attrs.userPoolId, this.issuerFormats[0]);
    if (attrs.customDomainName !== undefined) {
      this._tokenEndpoint = `https://${attrs.customDomainName}/oauth2/token`;
    } else if (attrs.domainPrefix !== undefined) {
      this._tokenEndpoint = `https://${attrs.domainPrefix}.auth.${region}.amazoncognito.com/oauth2/token`;
    }
    this.attrs = attrs;
    registerPool(this, { imported: true, issuers: this.issuerFormats.map((f) => issuerOf(region, stack, attrs.userPoolId, f)) });
  }

  public get secretsKey(): kms.IKey {
    if (!this._secretsKey) {
      this._secretsKey = this.attrs.secretsKey ?? grantsOnlyForAwsServices(new kms.Key(this, 'SecretsKey', {
        description: `Encrypts the app client secrets added by ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      }));
    }
    return this._secretsKey;
  }
}
