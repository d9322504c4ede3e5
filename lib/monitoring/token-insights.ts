import { Aws, Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TOKEN_FIRST_SEEN_FIELDS, TOKEN_FIRST_SEEN_MESSAGE } from '../private/contracts/token-usage';

/**
 * Token traffic per client and tenant without a metric per client: two
 * CloudWatch Contributor Insights rules over the tenant-aware authorizer's
 * first-sighting lines (lib/private/contracts/token-usage.ts), and the saved
 * Logs Insights queries that count distinct tokens.
 *
 * A rule ranks contributors (here: client and tenant, or tenant) by the log
 * events it matches; CloudWatch bills the rule per month and the matched
 * events per million, never per contributor, so a new tenant adds nothing.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 * @see https://aws.amazon.com/cloudwatch/pricing/
 */

/** The JSON body of a Contributor Insights rule on CloudWatch Logs (schema CloudWatchLogRule, version 1). */
export interface InsightRuleBody {
  readonly Schema: { readonly Name: 'CloudWatchLogRule'; readonly Version: 1 };
  readonly LogGroupNames: string[];
  readonly LogFormat: 'JSON';
  readonly Contribution: {
    readonly Keys: string[];
    readonly Filters: { readonly Match: string; readonly In: string[] }[];
  };
  readonly AggregateOn: 'Count';
}

/** A log field of the first-sighting line in the rule syntax's JSON property notation. */
const field = (name: keyof typeof TOKEN_FIRST_SEEN_FIELDS | 'msg'): string => `$.${name === 'msg' ? 'msg' : TOKEN_FIRST_SEEN_FIELDS[name]}`;

/**
 * The body of a rule that counts the authorizer's first sightings of tokens
 * by the given keys: every matched line is a token the authorizer verified
 * for the first time in an execution environment.
 */
export function firstSeenRuleBody(logGroupName: string, keys: readonly (keyof typeof TOKEN_FIRST_SEEN_FIELDS)[]): InsightRuleBody {
  return {
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: [logGroupName],
    LogFormat: 'JSON',
    Contribution: {
      Keys: keys.map(field),
      Filters: [{ Match: field('msg'), In: [TOKEN_FIRST_SEEN_MESSAGE] }],
    },
    AggregateOn: 'Count',
  };
}

/** The two rules of token traffic. */
export interface TokenInsightRules {
  /** Contributors: client and tenant, ranked by new tokens. */
  readonly topClients: cloudwatch.CfnInsightRule;
  /** Contributors: tenants, ranked by new tokens. */
  readonly topTenants: cloudwatch.CfnInsightRule;
}

/** Creates the rules on the authorizer's log group, named after the scope's path (rule names are unique per account and Region). */
export function tokenInsightRules(scope: Construct, logGroup: logs.ILogGroup): TokenInsightRules {
  const stack = Stack.of(scope);
  const base = Names.uniqueResourceName(scope, { maxLength: 96, separator: '-' });
  const rule = (id: string, suffix: string, keys: readonly (keyof typeof TOKEN_FIRST_SEEN_FIELDS)[]) => new cloudwatch.CfnInsightRule(scope, id, {
    ruleName: `${base}-${suffix}`,
    ruleState: 'ENABLED',
    ruleBody: stack.toJsonString(firstSeenRuleBody(logGroup.logGroupName, keys)),
  });
  return {
    topClients: rule('TopClientsByNewTokensRule', 'TopClientsByNewTokens', ['clientId', 'tenantId']),
    topTenants: rule('TopTenantsByNewTokensRule', 'TopTenantsByNewTokens', ['tenantId']),
  };
}

/** Properties of a Contributor Insights graph on a dashboard. */
export interface ContributorInsightsWidgetProps {
  readonly title: string;
  readonly rule: cloudwatch.CfnInsightRule;
  readonly period: Duration;
  /** @default 10 */
  readonly maxContributorCount?: number;
  /** @default 12 */
  readonly width?: number;
  /** @default 6 */
  readonly height?: number;
}

/**
 * A dashboard graph of a Contributor Insights rule's top contributors
 * (aws-cdk-lib has no widget for it): a metric widget whose `insightRule`
 * names the rule, as the dashboard body structure describes.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
export class ContributorInsightsWidget extends cloudwatch.ConcreteWidget {
  constructor(private readonly props: ContributorInsightsWidgetProps) {
    super(props.width ?? 12, props.height ?? 6);
  }

  public toJson(): any[] {
    return [{
      type: 'metric',
      width: this.width,
      height: this.height,
      x: this.x,
      y: this.y,
      properties: {
        title: this.props.title,
        region: Aws.REGION,
        view: 'timeSeries',
        stacked: false,
        period: this.props.period.toSeconds(),
        legend: { position: 'bottom' },
        insightRule: { maxContributorCount: this.props.maxContributorCount ?? 10, orderBy: 'Sum', ruleName: this.props.rule.attrRuleName },
      },
    }];
  }
}

/** The saved queries of token traffic on the authorizer's log group: name and query. */
export function tokenTrafficQueries(): { readonly id: string; readonly name: string; readonly query: logs.QueryString }[] {
  const seen = `msg = "${TOKEN_FIRST_SEEN_MESSAGE}"`;
  const { clientId, tenantId, tokenId } = TOKEN_FIRST_SEEN_FIELDS;
  return [
    {
      id: 'NewTokensQuery',
      name: 'New tokens per client and tenant',
      query: new logs.QueryString({
        filterStatements: [seen],
        // tokens: distinct token ids (each environment that meets a token writes a line); sightings: the lines.
        statsStatements: [`count_distinct(${tokenId}) as tokens, count(*) as sightings by ${clientId}, ${tenantId}`],
        sort: 'tokens desc',
        limit: 100,
      }),
    },
    {
      id: 'TokenPerCallQuery',
      name: 'Token per call suspects (new tokens per client in 5 minutes)',
      query: new logs.QueryString({
        filterStatements: [seen],
        statsStatements: [`count_distinct(${tokenId}) as tokens, count(*) as sightings by bin(5m), ${clientId}, ${tenantId}`],
        sort: 'tokens desc',
        limit: 50,
      }),
    },
  ];
}
