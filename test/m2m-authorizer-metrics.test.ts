/**
 * TenantAwareAuthorizer: found on its API, and its metric methods name the
 * namespace, metric, dimensions and statistic the handler writes
 * (lib/private/authorizer-metrics.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { mockIntegration, poolStack } from './fixtures';
import { DenyReason, M2mAuthorizer, ScopedRestApi, TenantAwareAuthorizer } from '../lib';
import { DENY_REASONS } from '../lib/private/contracts/authorizer-metrics';

function apiWithMethod(authorizer?: M2mAuthorizer) {
  const env = poolStack();
  const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
  return { ...env, api };
}

/** The function's logical id, as the metrics' dimension refers to it. */
function functionRef(stack: Stack, a: TenantAwareAuthorizer) {
  return stack.resolve(a.handler.functionName);
}

describe('TenantAwareAuthorizer.of', () => {
  test('returns the construct that holds the function API Gateway invokes', () => {
    // GIVEN
    const { stack, api } = apiWithMethod();
    // WHEN
    const a = TenantAwareAuthorizer.of(api);
    // THEN
    expect(a.node.path).toBe('Test/Api/TenantAuthorizer');
    expect(a.handler).toBe(api.authorizerFunction);
    // API Gateway invokes this very function.
    const fnId = functionRef(stack, a).Ref;
    const authorizers = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Authorizer'));
    expect(authorizers).toHaveLength(1);
    expect(JSON.stringify(authorizers[0].Properties.AuthorizerUri)).toContain(`"Fn::GetAtt":["${fnId}","Arn"]`);
    expect(stack.resolve(a.logGroup.logGroupName)).toEqual({ Ref: expect.stringMatching(/^ApiTenantAuthorizerLogs/) });
  });

  test('an API without a scoped method has no authorizer yet', () => {
    const { stack, pool } = poolStack();
    const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
    api.addPublicMethod(api.root, 'GET', mockIntegration(), { reason: 'Health check, returns no data' });
    expect(() => TenantAwareAuthorizer.of(api)).toThrow(
      '[Test/Api] TenantAwareAuthorizer.of(api): "Test/Api" is invalid: the API has no tenant-aware Lambda authorizer: it is created with the first scoped method');
  });

  test('an API with the Cognito authorizer has none', () => {
    const { api } = apiWithMethod(M2mAuthorizer.cognito());
    expect(() => TenantAwareAuthorizer.of(api)).toThrow(/TenantAwareAuthorizer\.of\(api\): "Test\/Api" is invalid: the API has no tenant-aware Lambda authorizer/);
  });

  test('a plain RestApi has none', () => {
    const { stack } = poolStack();
    const api = new apigateway.RestApi(stack, 'Plain');
    api.root.addMethod('GET', mockIntegration());
    expect(() => TenantAwareAuthorizer.of(api)).toThrow(/the API has no tenant-aware Lambda authorizer/);
  });
});

describe('metric methods', () => {
  test('metricAllowed and metricDenied: namespace CdkCognitoM2m, dimension functionName, sum over 5 minutes', () => {
    const { stack, api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    for (const [metric, name] of [[a.metricAllowed(), 'Allowed'], [a.metricDenied(), 'Denied']] as const) {
      expect(metric.namespace).toBe('CdkCognitoM2m');
      expect(metric.metricName).toBe(name);
      expect(metric.statistic).toBe('Sum');
      expect(metric.period.toSeconds()).toBe(300);
      expect(stack.resolve(metric.dimensions)).toEqual({ functionName: { Ref: expect.stringMatching(/^ApiTenantAuthorizerFunction/) } });
    }
  });

  test('metricDeniedFor adds the reason dimension and a label naming it', () => {
    const { stack, api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    const m = a.metricDeniedFor(DenyReason.EXPIRED);
    expect(m.metricName).toBe('Denied');
    expect(stack.resolve(m.dimensions)).toEqual({ functionName: functionRef(stack, a), reason: 'expired' });
    expect(m.label).toBe('Denied: expired');
    expect(m.statistic).toBe('Sum');
  });

  test('metricUntrustedDirectoryParameters: the count of parameters under the directory path the library did not create', () => {
    const { stack, api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    const m = a.metricUntrustedDirectoryParameters();
    expect([m.namespace, m.metricName, m.statistic, m.period.toSeconds(), m.label])
      .toEqual(['CdkCognitoM2m', 'UntrustedDirectoryParameters', 'Sum', 300, 'Untrusted directory parameters']);
    expect(stack.resolve(m.dimensions)).toEqual({ functionName: functionRef(stack, a) });
  });

  test('metricConfigErrors is the denials for config_error', () => {
    const { stack, api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    const m = a.metricConfigErrors();
    expect([m.namespace, m.metricName, m.statistic]).toEqual(['CdkCognitoM2m', 'Denied', 'Sum']);
    expect(stack.resolve(m.dimensions)).toEqual({ functionName: functionRef(stack, a), reason: 'config_error' });
  });

  test('options override the defaults; dimensionsMap adds to functionName', () => {
    const { stack, api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    const m = a.metric('Denied', { statistic: 'SampleCount', period: Duration.minutes(1), dimensionsMap: { reason: 'no_scope' } });
    expect(m.statistic).toBe('SampleCount');
    expect(m.period.toMinutes()).toBe(1);
    expect(stack.resolve(m.dimensions)).toEqual({ functionName: functionRef(stack, a), reason: 'no_scope' });
  });

  test('metricDeniedFor refuses a value that is not a DenyReason, naming it and the allowed values', () => {
    const { api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    expect(() => a.metricDeniedFor('tenant-globex' as DenyReason)).toThrow(
      '[Test/Api/TenantAuthorizer] metricDeniedFor(reason): "tenant-globex" is invalid: must be a DenyReason: one of missing_header, bad_scheme,');
  });

  test('metricFailures: Lambda Errors minus the Unauthorized denials, plus Throttles', () => {
    const { stack, api } = apiWithMethod();
    const a = TenantAwareAuthorizer.of(api);
    const m = a.metricFailures();
    expect(m.expression).toBe('FILL(errors, 0) - FILL(denied, 0) + FILL(denyPolicy0, 0) + FILL(throttles, 0)');
    expect(m.period.toSeconds()).toBe(300);
    const using = m.usingMetrics as Record<string, cloudwatch.Metric>;
    expect(Object.keys(using).sort()).toEqual(['denied', 'denyPolicy0', 'errors', 'throttles']);
    expect([using.errors.namespace, using.errors.metricName, using.errors.statistic]).toEqual(['AWS/Lambda', 'Errors', 'Sum']);
    expect([using.throttles.namespace, using.throttles.metricName, using.throttles.statistic]).toEqual(['AWS/Lambda', 'Throttles', 'Sum']);
    expect(stack.resolve(using.errors.dimensions)).toEqual({ FunctionName: functionRef(stack, a) });
    expect([using.denied.namespace, using.denied.metricName]).toEqual(['CdkCognitoM2m', 'Denied']);
    expect(stack.resolve(using.denyPolicy0.dimensions)).toEqual({ functionName: functionRef(stack, a), reason: 'no_scope' });
  });
});

test('DenyReason lists exactly the reasons of the metrics contract (which the handler\'s reasons must be among)', () => {
  expect(Object.values(DenyReason).sort()).toEqual([...DENY_REASONS].sort());
});
