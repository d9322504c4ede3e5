import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The lowest aws-cdk-lib the package accepts (its peer dependency floor): the first with `Validations.acknowledge`. */
export const MIN_AWS_CDK_LIB = '2.252.0';

/**
 * Acknowledges a compliance rule (e.g. a cdk-nag AwsSolutions finding) on a
 * construct, with the reason a reviewer reads.
 *
 * `Validations.acknowledge` refuses ids holding more than one `::`, but some
 * cdk-nag finding ids have them (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:…]`);
 * those are recorded in the same metadata entry `acknowledge` writes.
 */
export function acknowledgeRule(scope: IConstruct, id: string, reason: string): void {
  // aws-cdk-lib releases before the package's peer floor have no `Validations.acknowledge`.
  const validations: Partial<typeof Validations> | undefined = Validations;
  if (typeof validations?.of !== 'function' || typeof validations.of(scope).acknowledge !== 'function') {
    throw new Error(`cdk-cognito-m2m needs aws-cdk-lib ${MIN_AWS_CDK_LIB} or later (Validations.acknowledge, used at ${scope.node.path}); this app loads an older aws-cdk-lib: upgrade it to ${MIN_AWS_CDK_LIB} or later`);
  }
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const previous = scope.node.metadata.filter((m) => m.type === key).pop()?.data ?? {};
  scope.node.addMetadata(key, { ...previous, [id]: reason });
}
