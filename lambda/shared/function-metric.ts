/**
 * An Embedded Metric Format metric of one of the library's functions
 * (namespace and dimension: lib/private/contracts/authorizer-metrics.ts):
 * the members a log line carries so that CloudWatch Logs extracts the metric
 * from it, with no SDK call.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { EmfMembers } from './log';
import { FUNCTION_DIMENSION, METRICS_NAMESPACE } from '../../lib/private/contracts/authorizer-metrics';

/**
 * @param dimensions the dimension sets; each names `functionName` and, besides it, only fields the line holds anyway
 * @param unit left out, CloudWatch records `None` (sums, graphs and alarms are the same)
 */
export function functionMetric(functionName: string, metric: string, value: number, dimensions: string[][], timestamp: number,
  unit?: 'Count'): EmfMembers {
  return {
    [FUNCTION_DIMENSION]: functionName,
    [metric]: value,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: METRICS_NAMESPACE, Dimensions: dimensions, Metrics: [unit ? { Name: metric, Unit: unit } : { Name: metric }],
      }],
    },
  };
}
