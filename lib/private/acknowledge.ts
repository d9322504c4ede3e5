import { Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { MIN_ACKNOWLEDGEMENT_REASON, show } from './validation';

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
  checkAcknowledgement(scope, id, reason);
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const previous = scope.node.metadata.filter((m) => m.type === key).pop()?.data ?? {};
  scope.node.addMetadata(key, { ...previous, [id]: reason });
}

/**
 * Refuses an acknowledgement without a rule id or without a reason a reviewer
 * can act on: empty, only whitespace, shorter than MIN_ACKNOWLEDGEMENT_REASON
 * characters, or the rule id again.
 */
export function checkAcknowledgement(scope: IConstruct, id: string, reason: string): void {
  const where = `acknowledgement of ${show(id)} at ${scope.node.path || '(app)'}`;
  if (typeof id !== 'string' || id.trim() === '') {
    throw new Error(`${where}: the rule id is empty; name the rule, e.g. AwsSolutions-IAM5[Resource::*]`);
  }
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < MIN_ACKNOWLEDGEMENT_REASON || text === id.trim()) {
    throw new Error(`${where}: the reason ${show(reason)} is invalid (${text.length} characters after trimming): it must say, in at least ${MIN_ACKNOWLEDGEMENT_REASON} characters `
      + '(spaces at either end not counted) and in other words than the rule id, why the rule does not apply here; reviewers read it in the compliance report');
  }
}

const HIPAA_NIST = ['HIPAA.Security', 'NIST.800.53.R5'];
const HIPAA_NIST_PCI = [...HIPAA_NIST, 'PCI.DSS.321'];

/**
 * The cdk-nag packs for regulated teams that have each rule the library
 * acknowledges (a rule id is `<pack>-<rule>`).
 */
const RULE_PACKS = {
  APIGWCacheEnabledAndEncrypted: HIPAA_NIST_PCI,
  APIGWSSLEnabled: HIPAA_NIST_PCI,
  DynamoDBInBackupPlan: HIPAA_NIST,
  LambdaConcurrency: HIPAA_NIST,
  LambdaDLQ: HIPAA_NIST,
  LambdaInsideVPC: HIPAA_NIST_PCI,
  S3BucketReplicationEnabled: HIPAA_NIST_PCI,
} as const;

/** Acknowledges a rule, with one reason, in every HIPAA, NIST 800-53 and PCI DSS pack that has it. */
export function acknowledgeInPacks(scope: IConstruct, rule: keyof typeof RULE_PACKS, reason: string): void {
  for (const pack of RULE_PACKS[rule]) acknowledgeRule(scope, `${pack}-${rule}`, reason);
}

/** A value as cdk-nag writes it in a finding's id: itself, or a placeholder for a token (e.g. `<AWS::Region>`). */
export function nagShown(value: string, placeholder: string): string {
  return Token.isUnresolved(value) ? placeholder : value;
}
