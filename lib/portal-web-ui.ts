import * as fs from 'fs';
import * as path from 'path';
import { Annotations, CfnElement, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeInPacks, acknowledgeRule } from './private/acknowledge';
import { grantsOnlyForAwsServices, logsEncryptionKey, ManagedPolicyRole } from './private/compliance';
import { WEB_UI_FILES } from './private/contracts/web-ui';
import { contentSecurityPolicy } from './private/site-policy';
import { onceAtSynth } from './private/synth-once';
import { propError } from './private/validation';

/**
 * Where and how the developer portal's web UI is served: its domain, the
 * certificate, a web ACL and the edge locations.
 */
export interface PortalSiteOptions {
  /**
   * A custom domain name for the site, e.g. `portal.acme.example`.
   *
   * @default - the distribution's `*.cloudfront.net` domain
   */
  readonly domainName?: string;

  /**
   * The certificate of `domainName`, in us-east-1 (CloudFront's Region).
   *
   * @default - none; required with `domainName`
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The ARN of an AWS WAFv2 web ACL with scope CLOUDFRONT (created in
   * us-east-1) to associate with the distribution.
   *
   * @default - no web ACL
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-awswaf.html
   */
  readonly webAclArn?: string;

  /**
   * The edge locations that serve the site.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * Properties of a `PortalWebUi`.
 */
export interface PortalWebUiProps extends PortalSiteOptions {
  /**
   * The origins (`https://host`) the page may call besides its own: the
   * portal API and the sign-in domain. They make the `connect-src` of the
   * Content-Security-Policy; nothing else is reachable from the page.
   */
  readonly connectOrigins: string[];
}

/** Where `npx projen bundle` puts the built web UI (same depth from lib/ and out/). */
const WEB_UI_BUNDLE = path.join(__dirname, '..', 'assets', 'portal-ui');

/**
 * The developer portal's web UI: the single-page app built with the library
 * (`assets/portal-ui`), served from a private, KMS-encrypted S3 bucket
 * through CloudFront with origin access control.
 *
 * Every answer carries a response-headers policy: a strict
 * Content-Security-Policy (scripts and styles from the site only, no inline
 * code, `connect-src` limited to the site, the portal API and the sign-in
 * domain, `frame-ancestors 'none'`), HSTS for two years, `X-Frame-Options:
 * DENY`, `nosniff` and `Referrer-Policy: no-referrer`. Viewers must use
 * HTTPS (TLS 1.2 or newer with a custom domain).
 *
 * `config.json` (the API URL, sign-in client and grantable scopes) is
 * written at deploy time; `catalog.json` and the OpenAPI documents at synth
 * time, once every API is complete. Nothing is hard-coded in the app.
 *
 * `DeveloperPortal` creates and fills it when its `webUi` prop is set
 * (`portal.webUi`); on its own it is the hosting only (bucket, distribution,
 * headers), without the app's files.
 */
export class PortalWebUi extends Construct {
  /**
   * The bucket holding the site's files.
   */
  public readonly bucket: s3.Bucket;

  /**
   * The CloudFront distribution serving the site.
   */
  public readonly distribution: cloudfront.Distribution;

  /**
   * The site's origin, `https://<domain>` (no trailing slash).
   */
  public readonly origin: string;

  /**
   * The site's URL, `https://<domain>/`.
   */
  public readonly url: string;

  private readonly files: Array<() => s3deploy.ISource[]> = [];
  private deployment?: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: PortalWebUiProps) {
    super(scope, id);
    if (props.domainName !== undefined && props.certificate === undefined) {
      throw propError(this, 'certificate', undefined, `a custom domain (domainName "${props.domainName}") needs its certificate, in us-east-1`);
    }
    if (props.domainName === undefined && props.certificate !== undefined) {
      throw propError(this, 'domainName', undefined, 'a certificate is only used with a custom domain: set domainName too, or drop certificate');
    }
    if (!fs.existsSync(path.join(WEB_UI_BUNDLE, 'index.html'))) {
      throw new Error(`The built web UI ${path.join(WEB_UI_BUNDLE, 'index.html')} is missing: run \`npx projen bundle\` (npm install runs it)`);
    }

    const key = grantsOnlyForAwsServices(new kms.Key(this, 'Key', {
      description: `Encrypts the developer portal site ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    // The log deliveries encrypt with the site's key: S3 server access logging
    // and CloudFront standard logging, for this account's resources only.
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'S3ServerAccessLogDelivery',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudFrontLogDelivery',
      principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      // Versioned, so that a log object overwritten or deleted is kept for 30 days.
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeRule(accessLogs, 'AwsSolutions-S1',
      'This bucket receives the access logs of the portal site and its bucket; logging its own access would log the logging.');
    acknowledgeInPacks(accessLogs, 'S3BucketReplicationEnabled',
      'Holds access logs only, versioned and kept 365 days; copying logs to another Region or account is the job of the organization\'s log archive, which collects every account\'s logs in one place.');
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'bucket/',
      // Files of earlier versions of the UI stay restorable for 30 days.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object changes in both buckets reach EventBridge's default bus (free for
    // S3 events; rules on it can alert on a write that is not a deployment).
    for (const b of [accessLogs, this.bucket]) {
      (b.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
    acknowledgeInPacks(this.bucket, 'S3BucketReplicationEnabled',
      'Holds only the built web UI, which every deployment writes again from the CDK asset (the library\'s assets/portal-ui); a replica would hold nothing a deployment does not restore.');

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Developer portal: strict CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: Lazy.string({ produce: () => contentSecurityPolicy(props.connectOrigins) }),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: false, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Developer portal web UI',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate: props.certificate,
      // Only a custom certificate has a security policy to choose; CloudFront's default one is fixed (aws-cdk-lib warns otherwise).
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
      webAclId: props.webAclArn,
    });
    // The key policy cannot name the distribution (key, bucket and distribution would depend on one another), so
    // aws-cdk-lib lets CloudFront decrypt with the key for any distribution of the account, and warns.
    Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      'Only kms:Decrypt is allowed to any distribution of the account; reading the site bucket is allowed to this distribution only (the bucket policy names it), and the access-log bucket allows CloudFront no read at all.');
    if (!props.domainName) {
      acknowledgeRule(this.distribution, 'AwsSolutions-CFR4',
        'Without a custom domain the site uses CloudFront\'s default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; the domainName and certificate props give TLS 1.2 (TLSv1.2_2021) as the minimum.');
    }
    acknowledgeRule(this.distribution, 'AwsSolutions-CFR1',
      'The portal serves tenants in any country; access is by invitation and sign-in, not by location.');
    if (!props.webAclArn) {
      acknowledgeRule(this.distribution, 'AwsSolutions-CFR2',
        'The site is static files; every change goes through the portal API, which has its own throttling and optional regional web ACL. The webAclArn prop associates a CLOUDFRONT web ACL.');
    }

    const domain = props.domainName ?? this.distribution.distributionDomainName;
    this.origin = `https://${domain}`;
    this.url = `${this.origin}/`;
  }

  /**
   * Deploys the built app plus `config.json`; files added with
   * `_addFiles` (catalog, OpenAPI documents) are rendered when the app is
   * synthesized, after every API is complete.
   *
   * @internal
   */
  public _deploy(config: Record<string, unknown>): void {
    if (this.deployment) throw new Error('PortalWebUi: _deploy called twice');
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: logsEncryptionKey(this),
    });
    const role = new DeploymentRole(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the developer portal web UI into its site bucket and invalidates the distribution',
    }, this.distribution);
    logGroup.grantWrite(role);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(WEB_UI_BUNDLE), s3deploy.Source.jsonData(WEB_UI_FILES.config, config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
      role,
      logGroup,
    });
    onceAtSynth(this, () => this.addLateFiles());
    this.acknowledgeDeploymentHandler(this.deployment);
  }

  /**
   * aws-cdk-lib's BucketDeployment runs a singleton function of the stack
   * with grants it writes itself. Each acknowledgement names exactly one of
   * the grants this site needs (this bucket, this key, the CDK asset bucket,
   * the invalidation), so a grant added for another deployment that shares
   * the singleton is still reported.
   */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment): void {
    const stack = Stack.of(this);
    const role = deployment.handlerRole;
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment') && c instanceof lambda.Function);
    const logicalId = (c: IConstruct) => stack.resolve(stack.getLogicalId(c.node.defaultChild as CfnElement)) as string;
    const bucket = logicalId(this.bucket);
    const key = logicalId(this.bucket.encryptionKey!);
    const sync = 'aws-cdk-lib\'s BucketDeployment copies the built portal UI from the CDK asset bucket into the site bucket';
    const acks: Array<[string, string]> = [
      ['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        `${sync}: it reads the asset objects it deploys (s3:GetObject*, s3:GetBucket*, s3:List*) from the bootstrap asset bucket.`],
      [`AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*]`, `${sync}: it writes and prunes the site's objects in this bucket only.`],
      ['AwsSolutions-IAM5[Action::s3:GetObject*]', `${sync}: object reads, on the asset bucket and the site bucket only.`],
      ['AwsSolutions-IAM5[Action::s3:GetBucket*]', `${sync}: bucket reads, on the asset bucket and the site bucket only.`],
      ['AwsSolutions-IAM5[Action::s3:List*]', `${sync}: listings, on the asset bucket and the site bucket only.`],
      ['AwsSolutions-IAM5[Action::s3:DeleteObject*]', `${sync}: it deletes files of earlier versions of the UI, in the site bucket only.`],
      ['AwsSolutions-IAM5[Action::s3:Abort*]', `${sync}: it aborts its own failed multipart uploads, in the site bucket only.`],
      ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', `${sync}: the site bucket is encrypted with its own key (<${key}.Arn>), the only key granted.`],
      ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', `${sync}: the site bucket is encrypted with its own key (<${key}.Arn>), the only key granted.`],
    ];
    for (const [id, reason] of acks) acknowledgeRule(role, id, reason);
    if (handler) {
      acknowledgeRule(handler, 'AwsSolutions-L1',
        'The runtime of aws-cdk-lib\'s BucketDeployment function is chosen by aws-cdk-lib (it runs the AWS CLI from its own layer) and follows aws-cdk-lib upgrades; it is not configurable.');
      const deployOnly = 'aws-cdk-lib\'s BucketDeployment function runs only while CloudFormation deploys this stack, as its custom resource';
      acknowledgeInPacks(handler, 'LambdaConcurrency',
        `${deployOnly}: one invocation per deployment of the site, so it needs no reserved capacity (and BucketDeployment offers none).`);
      acknowledgeInPacks(handler, 'LambdaDLQ',
        `${deployOnly}: a failed invocation fails the deployment, which CloudFormation rolls back; there is no event a dead-letter queue could keep for a retry.`);
      acknowledgeInPacks(handler, 'LambdaInsideVPC',
        `${deployOnly}, and calls only S3 (the CDK asset bucket, the site bucket) and CloudFront's API over TLS with IAM; it reaches no private resource.`);
    }
  }

  /**
   * Adds files rendered at synth time (after every construct is declared).
   *
   * @internal
   */
  public _addFiles(render: () => s3deploy.ISource[]): void {
    this.files.push(render);
  }

  private addLateFiles(): void {
    for (const render of this.files.splice(0)) {
      for (const source of render()) this.deployment!.addSource(source);
    }
  }
}

/**
 * The deployment function's role: BucketDeployment grants the CloudFront
 * invalidation actions on every distribution (`*`); this role receives them
 * on the site's distribution only.
 */
class DeploymentRole extends ManagedPolicyRole {
  constructor(scope: Construct, id: string, props: iam.RoleProps, private readonly distribution: cloudfront.IDistribution) {
    super(scope, id, props);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const invalidation = statement.actions.length > 0 && statement.actions.every((a) => a.startsWith('cloudfront:')) && statement.resources.includes('*');
    if (!invalidation) return super.addToPrincipalPolicy(statement);
    return super.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: statement.effect,
      actions: statement.actions,
      resources: [this.distribution.distributionArn],
    }));
  }
}
