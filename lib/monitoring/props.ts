import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { TokenBudgets } from '../token-budgets';
import type { M2mPrices } from './prices';

/**
 * What `M2mMonitoring` shows of machine-to-machine spend: token traffic per
 * client and tenant, the account's token-request quota, and what M2M costs.
 */
export interface M2mSpendMonitoringProps {
  /**
   * Whether to create the two CloudWatch Contributor Insights rules over the
   * authorizer's first sightings of tokens (top clients and top tenants by
   * new tokens), graphed on the dashboard. Each rule is billed per month,
   * and per million log events it matches (one per new token per execution
   * environment), never per client or tenant.
   *
   * @default true
   * @see https://aws.amazon.com/cloudwatch/pricing/
   */
  readonly createContributorInsightsRules?: boolean;

  /**
   * The account's quota of machine-to-machine token requests per second in
   * the Region: Cognito's `ClientAuthentication` category (the token
   * endpoint's client credentials grant and `GetClientToken`), which every
   * user pool of the account and Region shares. Set the value Service Quotas
   * shows as "Rate of ClientAuthentication requests" if it was raised.
   *
   * @default 150
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
   */
  readonly tokenRequestQuotaPerSecond?: number;

  /**
   * The share of `tokenRequestQuotaPerSecond`, in percent, at which the token
   * quota alarm fires: token requests per second averaged over a minute
   * (more than 0, less than 100).
   *
   * @default 80
   */
  readonly tokenQuotaAlarmPercent?: number;

  /**
   * Token requests Cognito throttled in one minute (the account's quota was
   * exceeded: every tenant's token requests may fail) that raise the alarm.
   *
   * @default 1
   */
  readonly tokenThrottleThreshold?: number;

  /**
   * Whether to create the alarms on the account's token requests (quota and
   * throttling), when alarms are created at all (`createAlarms`). The
   * metrics are the account's and Region's: with several `M2mMonitoring`
   * in one account and Region, keep them in one.
   *
   * @default true
   */
  readonly createTokenQuotaAlarms?: boolean;

  /**
   * The prices the cost panels use.
   *
   * @default - the defaults of `M2mPrices`: first tiers in US East (N. Virginia), read 2026-12-05
   */
  readonly prices?: M2mPrices;

  /**
   * A metric of the number of M2M app clients, for the app-client cost line,
   * e.g. `portal.metricPoolClients()` of a `DeveloperPortal` on the API's
   * user pool (its hourly count of every client of the pool).
   *
   * @default - the TenantAppClients of the API's user pool declared in this app
   */
  readonly appClientCount?: cloudwatch.IMetric;

  /**
   * The token budgets of the API's clients and tenants: the dashboard graphs
   * their crossings (one per client or tenant and window crossed) next to
   * the status of their alarms. The alarms notify `TokenBudgets`' own
   * `alarmTopic`, whose messages name the tenant and the client.
   *
   * @default - no budget widgets
   */
  readonly tokenBudgets?: TokenBudgets;
}
