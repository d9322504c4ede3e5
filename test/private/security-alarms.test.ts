/**
 * The secret-lifecycle audit: which CloudTrail events of the pool's client
 * secrets and app clients raise the alarm. The rule's event pattern is
 * evaluated against CloudTrail-shaped events by `matches` below, which
 * implements the EventBridge pattern operators the rules use (exact values,
 * `prefix`, `anything-but` with a list or a prefix, `exists`, `$or`, arrays
 * in the event) as documented in
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { M2mUserPool } from '../../lib';
import { poolStack } from '../fixtures';

type Pattern = Record<string, unknown>;
const POOL_ID = 'us-east-1_Pool1';

function matchesValue(rules: unknown[], value: unknown): boolean {
  // An array in the event matches when any of its elements does.
  if (Array.isArray(value)) return value.some((v) => matchesValue(rules, v));
  return rules.some((rule) => {
    if (typeof rule !== 'object' || rule === null) return value === rule;
    const r = rule as Record<string, any>;
    if ('exists' in r) return r.exists === (value !== undefined);
    if (value === undefined) return false;
    if ('anything-but' in r) {
      const but = r['anything-but'];
      if (Array.isArray(but)) return !but.includes(value);
      if (but.prefix !== undefined) return typeof value === 'string' && !value.startsWith(but.prefix);
    }
    if ('prefix' in r) return typeof value === 'string' && value.startsWith(r.prefix);
    throw new Error(`operator not implemented in the test: ${JSON.stringify(rule)}`);
  });
}

/** Whether an event matches an EventBridge pattern. */
function matches(pattern: Pattern, event: Record<string, any> | undefined): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return (rule as Pattern[]).some((branch) => matches(branch, event));
    const value = event?.[key];
    if (Array.isArray(rule)) return matchesValue(rule, value);
    return matches(rule as Pattern, value && typeof value === 'object' ? value : undefined);
  });
}

function auditRule(): { pattern: Pattern; directoryPattern: Pattern; poolRef: unknown; rolePath: string } {
  const { stack, pool, orders } = poolStack();
  pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
  const template = Template.fromStack(stack);
  const [rule] = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('PoolSecretLifecycleAuditRule')).map(([, r]) => r);
  const [directoryRule] = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('PoolSecretLifecycleAuditDirectoryRule')).map(([, r]) => r);
  const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('PoolClientSecretRotation24hRole')).map(([, r]) => r);
  // Resolve the partition and account the way CloudFormation would.
  const pattern = JSON.parse(JSON.stringify(rule.Properties.EventPattern, (_k, v) => {
    if (v && v['Fn::Join']) return v['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'aws')).join('');
    if (v && typeof v.Ref === 'string' && v.Ref.startsWith('Pool')) return POOL_ID;
    return v;
  }));
  return { pattern, directoryPattern: directoryRule.Properties.EventPattern, poolRef: POOL_ID, rolePath: role.Properties.Path };
}

function cloudTrailEvent(eventName: string, userIdentity: Record<string, unknown>, userPoolId: unknown): Record<string, unknown> {
  return {
    'source': 'aws.cognito-idp',
    'detail-type': 'AWS API Call via CloudTrail',
    'detail': { eventSource: 'cognito-idp.amazonaws.com', eventName, userIdentity, requestParameters: { userPoolId, clientId: 'abc' } },
  };
}

const role = (arn: string, extra: Record<string, unknown> = {}) => ({ type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role', arn } }, ...extra });

describe('the secret-lifecycle alarm', () => {
  const { pattern, directoryPattern, poolRef, rolePath } = auditRule();
  const library = `arn:aws:iam::111111111111:role${rolePath}PoolClientSecretRotation24hRole-ABC`;

  test.each([
    ['an ordinary role adding a secret to a client', 'AddUserPoolClientSecret', role('arn:aws:iam::111111111111:role/ci-deployer')],
    ['an IAM user adding a secret', 'AddUserPoolClientSecret', { type: 'IAMUser', arn: 'arn:aws:iam::111111111111:user/mallory' }],
    ['the root user deleting a secret', 'DeleteUserPoolClientSecret', { type: 'Root', arn: 'arn:aws:iam::111111111111:root' }],
    ['a role under another path changing a client', 'UpdateUserPoolClient', role('arn:aws:iam::111111111111:role/cdk-cognito-m2m-fake/x')],
    ['a role deleting a client outside CloudFormation', 'DeleteUserPoolClient', role('arn:aws:iam::111111111111:role/ops')],
    ['a role claiming CloudFormation but adding a secret', 'AddUserPoolClientSecret', role('arn:aws:iam::111111111111:role/ops', { invokedBy: 'cloudformation.amazonaws.com' })],
  ])('fires for %s', (_, eventName, identity) => {
    expect(matches(pattern, cloudTrailEvent(eventName, identity, poolRef))).toBe(true);
  });

  test.each([
    ['the library\'s rotation function adding a secret', 'AddUserPoolClientSecret', role(library)],
    ['the library\'s rotation function deleting a secret', 'DeleteUserPoolClientSecret', role(library)],
    ['a CloudFormation deployment changing a client', 'UpdateUserPoolClient', role('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role', { invokedBy: 'cloudformation.amazonaws.com' })],
    ['a CloudFormation deployment deleting a client', 'DeleteUserPoolClient', role('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role', { invokedBy: 'cloudformation.amazonaws.com' })],
    ['anyone reading clients', 'DescribeUserPoolClient', role('arn:aws:iam::111111111111:role/ops')],
  ])('stays quiet for %s', (_, eventName, identity) => {
    expect(matches(pattern, cloudTrailEvent(eventName, identity, poolRef))).toBe(false);
  });

  test('stays quiet for another pool\'s clients', () => {
    expect(matches(pattern, cloudTrailEvent('AddUserPoolClientSecret', role('arn:aws:iam::111111111111:role/ops'), 'us-east-1_Other'))).toBe(false);
  });

  function ssmEvent(eventName: string, requestParameters: Record<string, unknown>, userIdentity: Record<string, unknown>): Record<string, unknown> {
    return { 'source': 'aws.ssm', 'detail-type': 'AWS API Call via CloudTrail', 'detail': { eventSource: 'ssm.amazonaws.com', eventName, userIdentity, requestParameters } };
  }

  test.each([
    ['a role writing a parameter under the client directory', 'PutParameter', { name: '/cdk-cognito-m2m/clients/Api/S-2', overwrite: true }, role('arn:aws:iam::111111111111:role/dev')],
    ['a user deleting directory parameters in a batch', 'DeleteParameters', { names: ['/other/x', '/cdk-cognito-m2m/clients/Api/S-0'] }, { type: 'IAMUser' }],
  ])('fires for %s', (_, eventName, params, identity) => {
    expect(matches(directoryPattern, ssmEvent(eventName, params, identity))).toBe(true);
  });

  test.each([
    ['CloudFormation writing a directory parameter', 'PutParameter', { name: '/cdk-cognito-m2m/clients/Api/S-0' }, role('arn:aws:iam::1:role/cfn-exec', { invokedBy: 'cloudformation.amazonaws.com' })],
    ['a role writing another parameter', 'PutParameter', { name: '/app/config' }, role('arn:aws:iam::111111111111:role/dev')],
    ['a role reading the directory', 'GetParametersByPath', { path: '/cdk-cognito-m2m/clients/Api' }, role('arn:aws:iam::111111111111:role/dev')],
  ])('stays quiet for %s', (_, eventName, params, identity) => {
    expect(matches(directoryPattern, ssmEvent(eventName, params, identity))).toBe(false);
  });

  test('can be turned off', () => {
    const stack = new Stack(new App(), 'Test');
    new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-test', secretLifecycleAlarm: false });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::Events::Rule'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toEqual([]);
  });
});
