import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a compliance rule (e.g. a cdk-nag AwsSolutions finding) on a
 * construct, with the reason a reviewer reads.
 *
 * `Validations.acknowledge` refuses ids holding more than one `::`, but some
 * cdk-nag finding ids have them (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:…]`);
 * those are recorded in the same metadata entry `acknowledge` writes.
 */
export function acknowledgeRule(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const previous = scope.node.metadata.filter((m) => m.type === key).pop()?.data ?? {};
  scope.node.addMetadata(key, { ...previous, [id]: reason });
}
