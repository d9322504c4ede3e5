import { functionMetric } from '../../../lambda/shared/function-metric';

describe('functionMetric', () => {
  test('the function name as dimension value, the metric as member, one directive in the library namespace', () => {
    expect(functionMetric('fn-1', 'Denied', 3, [['functionName'], ['functionName', 'reason']], 1_800_000_000_000)).toEqual({
      functionName: 'fn-1',
      Denied: 3,
      _aws: {
        Timestamp: 1_800_000_000_000,
        CloudWatchMetrics: [{ Namespace: 'CdkCognitoM2m', Dimensions: [['functionName'], ['functionName', 'reason']], Metrics: [{ Name: 'Denied' }] }],
      },
    });
  });

  test('a unit is written only when given', () => {
    const m = functionMetric('fn-1', 'TokenBudgetExceeded', 1, [['functionName']], 0, 'Count') as { _aws: { CloudWatchMetrics: Array<{ Metrics: unknown[] }> } };
    expect(m._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'TokenBudgetExceeded', Unit: 'Count' }]);
  });
});
