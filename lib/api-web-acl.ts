import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { logsEncryptionKey } from './private/compliance';
import { propError } from './private/validation';

/**
 * Properties of an `ApiWebAcl`.
 */
export interface ApiWebAclProps {
  /**
   * The most requests one IP address may make in 5 minutes; more are blocked
   * until its rate falls (AWS WAF rate-based rule, 10 to 2,000,000,000).
   *
   * @default 1000
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
   */
  readonly requestsPerIpPer5Minutes?: number;

  /**
   * How long the web ACL's request logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A regional AWS WAF web ACL for `ScopedRestApi` and `DeveloperPortal`
 * stages (their `webAclArn` prop; HIPAA, NIST 800-53 and PCI DSS
 * `APIGWAssociatedWithWAF`): AWS managed common and known-bad-input rules,
 * a rate limit per IP address, CloudWatch metrics, and every request logged
 * (Authorization header redacted) to a retained log group encrypted with the
 * stack's logs key (`WAFv2LoggingEnabled`). One web ACL can protect several
 * APIs of its Region.
 *
 * Cost: $5 a month for the web ACL, $1 a month per rule (three), $0.60 per
 * million requests, plus CloudWatch Logs ingestion and storage.
 *
 * @see https://aws.amazon.com/waf/pricing/
 */
export class ApiWebAcl extends Construct {
  /** The web ACL's ARN, for a `webAclArn` prop. */
  public readonly webAclArn: string;

  /** The log group of the web ACL's requests. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: ApiWebAclProps = {}) {
    super(scope, id);
    const limit = props.requestsPerIpPer5Minutes ?? 1000;
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
      throw propError(this, 'requestsPerIpPer5Minutes', limit, 'must be a whole number from 10 to 2,000,000,000 (AWS WAF rate-based rule limit)');
    }
    const metric = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: metric(name),
    });
    const acl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric(`${Stack.of(this).stackName}-${id}`.replace(/[^\w-]/g, '-').slice(0, 128)),
      rules: [
        managed('AWSManagedRulesCommonRuleSet', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        {
          name: 'RatePerIp',
          priority: 2,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit, evaluationWindowSec: 300 } },
          visibilityConfig: metric('RatePerIp'),
        },
      ],
    });
    this.webAclArn = acl.attrArn;

    // WAF logs only to log groups whose name starts with aws-waf-logs-.
    const stack = Stack.of(this);
    const logGroupName = `aws-waf-logs-${stack.stackName}-${this.node.addr.slice(0, 8)}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: logsEncryptionKey(this),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup = logGroup;
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: acl.attrArn,
      // The log group's ARN without the :* that Fn::GetAtt adds, as WAF requires.
      logDestinationConfigs: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      // Bearer tokens are never logged.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(logGroup);
  }
}
