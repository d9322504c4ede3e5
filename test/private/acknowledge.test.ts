import { App, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeRule, MIN_AWS_CDK_LIB } from '../../lib/private/acknowledge';
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
