import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { FUNCTION_DIMENSION, METRICS_NAMESPACE } from './contracts/authorizer-metrics';

/**
 * A metric one of the library's functions writes in Embedded Metric Format
 * (namespace `CdkCognitoM2m`, dimension `functionName`): sum over 5 minutes
 * unless `props` says otherwise; `props.dimensionsMap` adds to the function's
 * dimension. Attached to `scope`'s stack.
 */
export function functionMetric(scope: IConstruct, functionName: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    ...props,
    dimensionsMap: { [FUNCTION_DIMENSION]: functionName, ...props?.dimensionsMap },
  }).attachTo(scope);
}
