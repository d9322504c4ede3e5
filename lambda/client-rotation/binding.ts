/**
 * Which app client a secret may be rotated for, from CloudFormation's record
 * of the stacks that declared it, never from the secret's value.
 *
 * Secrets Manager invokes the function for any secret whose rotation names
 * it, and anyone allowed to create a secret can name it. So before any
 * Cognito call the function establishes, with the secret's tags as hints:
 * 1. the tags name a stack in TRUSTED_STACKS and a logical id;
 * 2. CloudFormation reports that resource of that stack as an
 *    `AWS::SecretsManager::Secret` whose physical id is this secret's ARN
 *    (a tag copied onto another secret fails here);
 * 3. the resource's Metadata names the logical id of an app client in the
 *    same stack, which CloudFormation reports as an
 *    `AWS::Cognito::UserPoolClient`: its physical id is the only client id
 *    the secret may hold.
 * Stack resources and their Metadata change only with a stack update.
 */
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { SecretNotBoundError } from './errors';
import { BINDING_CLIENT_METADATA, BINDING_LOGICAL_ID_TAG, BINDING_STACK_TAG } from '../../lib/private/contracts/client-rotation';

/** What CloudFormation reports of one stack resource. */
export interface StackResource {
  readonly resourceType: string;
  readonly physicalId?: string;
  /** The resource's Metadata, as JSON text. */
  readonly metadata?: string;
}

/** Reads one resource of a stack; undefined when the stack or the resource does not exist. */
export type StackResourceReader = (stackName: string, logicalId: string) => Promise<StackResource | undefined>;

/** The secret as Secrets Manager describes it (DescribeSecret or ListSecrets). */
export interface DescribedSecret {
  readonly ARN?: string;
  readonly Tags?: ReadonlyArray<{ readonly Key?: string; readonly Value?: string }>;
}

const SECRET_TYPE = 'AWS::SecretsManager::Secret';
const CLIENT_TYPE = 'AWS::Cognito::UserPoolClient';

export class SecretBindings {
  readonly #trustedStacks: ReadonlySet<string>;
  readonly #read: StackResourceReader;

  constructor(trustedStacks: readonly string[], read: StackResourceReader) {
    this.#trustedStacks = new Set(trustedStacks);
    this.#read = read;
  }

  /** The client id the secret was declared for; throws SecretNotBoundError otherwise. */
  public async clientIdOf(secret: DescribedSecret): Promise<string> {
    const arn = secret.ARN;
    if (!arn) throw new SecretNotBoundError('Secrets Manager reported no ARN for the secret');
    const tag = (key: string) => secret.Tags?.find((t) => t.Key === key)?.Value;
    const stackName = tag(BINDING_STACK_TAG);
    const logicalId = tag(BINDING_LOGICAL_ID_TAG);
    if (!stackName || !logicalId) {
      throw new SecretNotBoundError(`secret ${arn} has no ${BINDING_STACK_TAG} and ${BINDING_LOGICAL_ID_TAG} tags: `
        + 'only the secret of a TenantAppClient with rotationSchedule may name this rotation function');
    }
    if (!this.#trustedStacks.has(stackName)) {
      throw new SecretNotBoundError(`secret ${arn} names stack ${JSON.stringify(stackName)}, which declares no tenant rotated by this function `
        + `(trusted: ${[...this.#trustedStacks].join(', ') || 'none'})`);
    }
    const resource = await this.#read(stackName, logicalId);
    if (resource?.resourceType !== SECRET_TYPE || resource.physicalId !== arn) {
      throw new SecretNotBoundError(`secret ${arn} is not the resource ${JSON.stringify(logicalId)} of stack ${stackName} `
        + `(CloudFormation reports ${resource ? `${resource.resourceType} ${resource.physicalId ?? 'without a physical id'}` : 'no such resource'})`);
    }
    const clientLogicalId = metadataValue(resource.metadata);
    if (!clientLogicalId) {
      throw new SecretNotBoundError(`resource ${logicalId} of stack ${stackName} declares no app client (Metadata ${BINDING_CLIENT_METADATA})`);
    }
    const client = await this.#read(stackName, clientLogicalId);
    if (client?.resourceType !== CLIENT_TYPE || !client.physicalId) {
      throw new SecretNotBoundError(`the app client ${JSON.stringify(clientLogicalId)} declared for secret ${arn} is not an ${CLIENT_TYPE} of stack ${stackName}`);
    }
    return client.physicalId;
  }
}

function metadataValue(metadata: string | undefined): string | undefined {
  if (!metadata) return undefined;
  try {
    const value: unknown = (JSON.parse(metadata) as Record<string, unknown> | null)?.[BINDING_CLIENT_METADATA];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The reader the Lambda uses: DescribeStackResource (a missing stack or resource is a ValidationError). */
export function cloudFormationReader(cfn: CloudFormationClient): StackResourceReader {
  return async (stackName, logicalId) => {
    try {
      const out = await cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
      const d = out.StackResourceDetail;
      return d?.ResourceType ? { resourceType: d.ResourceType, physicalId: d.PhysicalResourceId, metadata: d.Metadata } : undefined;
    } catch (err) {
      if ((err as { name?: string } | undefined)?.name === 'ValidationError') return undefined;
      throw err;
    }
  };
}
