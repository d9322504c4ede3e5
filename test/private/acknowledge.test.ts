import { App, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeRule, MIN_AWS_CDK_LIB } from '../../lib/private/acknowledge';
import { MIN_ACKNOWLEDGEMENT_REASON } from '../../lib/private/validation';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifest = require('../../package.json') as { peerDependencies: Record<string, string> };

function acknowledged(scope: Construct): Record<string, string> {
  const entries = scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  return (entries.pop()?.data ?? {}) as Record<string, string>;
}

describe('acknowledgeRule', () => {
  test('the floor the code checks is the peer dependency floor npm enforces', () => {
    expect(manifest.peerDependencies['aws-cdk-lib']).toBe(`^${MIN_AWS_CDK_LIB}`);
  });

  test('records the reason under the rule id, and keeps earlier acknowledgements', () => {
    const scope = new Construct(new Stack(new App(), 'S'), 'Thing');
    acknowledgeRule(scope, 'AwsSolutions-L1', 'runtime pinned on purpose');
    acknowledgeRule(scope, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/X]', 'managed policy X is the documented one');
    expect(acknowledged(scope)).toEqual({
      // acknowledge() files a plain rule id under its default source, 'annotation'.
      'annotation::AwsSolutions-L1': 'runtime pinned on purpose',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/X]': 'managed policy X is the documented one',
    });
  });

  test('an aws-cdk-lib older than the floor gets an error that names the floor and the construct, not a TypeError', () => {
    jest.isolateModules(() => {
      jest.doMock('aws-cdk-lib', () => ({ ...jest.requireActual('aws-cdk-lib'), Validations: undefined }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { acknowledgeRule: withoutValidations } = require('../../lib/private/acknowledge') as typeof import('../../lib/private/acknowledge');
      const scope = new Construct(new Stack(new App(), 'Old'), 'Thing');
      expect(() => withoutValidations(scope, 'AwsSolutions-L1', 'r'))
        .toThrow(`cdk-cognito-m2m needs aws-cdk-lib ${MIN_AWS_CDK_LIB} or later (Validations.acknowledge, used at Old/Thing)`);
    });
    jest.dontMock('aws-cdk-lib');
  });
});

describe('every acknowledgement carries a reason', () => {
  const thing = () => new Construct(new Stack(new App(), 'S'), 'Thing');

  test.each([
    ['an empty reason', ''],
    ['a reason of spaces and newlines only', ' \n\t  '],
    ['a reason shorter than the minimum', 'n/a'],
    ['a reason just below the minimum once trimmed', `   ${'x'.repeat(MIN_ACKNOWLEDGEMENT_REASON - 1)}   `],
    ['the rule id as its own reason', 'AwsSolutions-IAM5[Resource::*]'],
  ])('%s is refused, naming the rule, the construct and the rule for reasons', (_name, reason) => {
    const scope = thing();
    expect(() => acknowledgeRule(scope, 'AwsSolutions-IAM5[Resource::*]', reason)).toThrow(
      new RegExp(`acknowledgement of "AwsSolutions-IAM5\\[Resource::\\*\\]" at S/Thing: the reason .* is invalid \\(\\d+ characters after trimming\\): it must say, in at least ${MIN_ACKNOWLEDGEMENT_REASON} characters`));
    // Nothing was recorded.
    expect(acknowledged(scope)).toEqual({});
  });

  test('a reason of exactly the minimum length is accepted, also for ids with several "::"', () => {
    const scope = thing();
    const reason = 'y'.repeat(MIN_ACKNOWLEDGEMENT_REASON);
    acknowledgeRule(scope, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/X]', reason);
    expect(acknowledged(scope)).toEqual({ 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/X]': reason });
  });

  test('an empty rule id is refused', () => {
    expect(() => acknowledgeRule(thing(), '  ', 'a reason that is long enough to read')).toThrow(/the rule id is empty/);
  });
});
