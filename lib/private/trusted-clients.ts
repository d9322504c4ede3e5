import { ArnFormat, IAspect, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeRule, nagShown } from './acknowledge';
import { DIRECTORY_ENV, DIRECTORY_PATH_PREFIX, directoryParameterName, formatDirectoryParameters } from './contracts/client-directory';
import { clientKey } from './contracts/trusted-pools';
import { chunkEntries, entryChars, GENERATED_CLIENT_ID_CHARS, INLINE_BUDGET_CHARS, mappingChars, MAX_USER_POOL_ID_CHARS } from './directory-budget';
import { propError } from './validation';

/** A client the authorizer trusts, with its tenant. */
export interface TrustedClient extends IConstruct {
  readonly tenantId: string;
  readonly userPoolClientId: string;
}

/** A client of an additional user pool: keyed with its pool (lib/private/contracts/trusted-pools.ts). */
export interface PoolClient {
  readonly client: TrustedClient;
  readonly userPoolId: string;
}

type Entry = TrustedClient | PoolClient;
const clientOf = (e: Entry): TrustedClient => ('client' in e ? e.client : e);
const keyOf = (e: Entry): string => ('client' in e ? clientKey(e.userPoolId, e.client.userPoolClientId) : e.userPoolClientId);

/** Characters the key takes in the mapping (generated ids and the longest pool id, unless they are literals). */
function entrySize(e: Entry): number {
  const c = clientOf(e);
  const id = Token.isUnresolved(c.userPoolClientId) ? GENERATED_CLIENT_ID_CHARS : c.userPoolClientId.length;
  const pool = 'client' in e ? (Token.isUnresolved(e.userPoolId) ? MAX_USER_POOL_ID_CHARS : e.userPoolId.length) + 1 : 0;
  return entryChars(pool + id, c.tenantId);
}

/** How an authorizer received its trusted clients: the build it ships depends on the mode (lib/authorizers/tenant-aware-binding.ts). */
export interface TrustedClientsWiring {
  readonly mode: 'inline' | 'directory';
  /** The directory's path, ending with `/`. */
  readonly path?: string;
  readonly parameters: ssm.StringParameter[];
  /** The value of CLIENT_TENANTS_PARAMETERS: the only parameters the function trusts. */
  readonly trusted?: string;
}

/** How a function takes its mapping. */
export interface WireTrustedClientsOptions {
  /**
   * Whether the mapping may go inline (CLIENT_TENANTS). A user pool's trigger
   * may not: the pool refers to the function, so a function referring to the
   * pool's client ids would be a circular dependency.
   * @default true
   */
  readonly inline?: boolean;
  /** What reads the mapping, as parameter descriptions and errors name it. @default 'authorizer' */
  readonly reader?: string;
}

/**
 * Hands the trusted client → tenant mapping to a function (the authorizer,
 * or the pre-token-generation trigger) when the app is synthesized (every
 * tenant is declared by then), as lib/private/contracts/client-directory.ts describes:
 * inline when allowed, every client is in the function's stack and the
 * mapping fits, otherwise as SSM parameters in the clients' own stacks, which
 * the function may read (and nothing else).
 */
export class WireTrustedClients implements IAspect {
  #wiring?: TrustedClientsWiring;

  constructor(private readonly owner: Construct, private readonly fn: lambda.Function, private readonly clients: () => Entry[],
    private readonly options: WireTrustedClientsOptions = {}) {}

  /** What the aspect did (undefined before synthesis). */
  public get wiring(): TrustedClientsWiring | undefined { return this.#wiring; }

  public visit(node: IConstruct): void {
    if (node !== this.owner || this.#wiring) return;
    this.#wiring = this.#wire();
  }

  #wire(): TrustedClientsWiring {
    const clients = this.clients();
    const fnStack = Stack.of(this.fn);
    const local = clients.every((e) => Stack.of(clientOf(e)) === fnStack);
    if (this.options.inline !== false && local && mappingChars(clients.map(entrySize)) <= INLINE_BUDGET_CHARS) {
      const mapping = Object.fromEntries(clients.map((e) => [keyOf(e), clientOf(e).tenantId]));
      this.fn.addEnvironment(DIRECTORY_ENV.clientTenants, fnStack.toJsonString(mapping));
      return { mode: 'inline', parameters: [] };
    }

    const reader = this.options.reader ?? 'authorizer';
    const name = Names.uniqueResourceName(this.owner, { maxLength: 100 });
    const path = `${DIRECTORY_PATH_PREFIX}${name}/`;
    const byStack = new Map<Stack, Entry[]>();
    for (const e of clients) {
      const stack = Stack.of(clientOf(e));
      checkSameEnvironment(this.owner, fnStack, stack, clientOf(e), reader);
      byStack.set(stack, [...(byStack.get(stack) ?? []), e]);
    }
    const parameters: ssm.StringParameter[] = [];
    const counts: [string, number][] = [];
    for (const [stack, list] of byStack) {
      // One container per authorizer in each stack that holds its clients.
      const container = stack === fnStack ? new Construct(this.owner, 'ClientDirectory')
        : new Construct(stack, `M2mClientDirectory-${Names.uniqueId(this.owner)}`);
      const stackName = Names.uniqueId(stack);
      const chunks = chunkEntries(list, entrySize);
      counts.push([stackName, chunks.length]);
      chunks.forEach((chunk, i) => {
        parameters.push(new ssm.StringParameter(container, `Clients${i}`, {
          parameterName: directoryParameterName(path, stackName, i),
          description: `cdk-cognito-m2m: trusted app clients and their tenants for the ${reader} ${this.owner.node.path} (${chunk.length} of ${clients.length})`,
          stringValue: stack.toJsonString(Object.fromEntries(chunk.map((e) => [keyOf(e), clientOf(e).tenantId]))),
          tier: ssm.ParameterTier.STANDARD,
        }));
      });
    }
    // The exact parameters created above: the function ignores anything else under the path.
    const trusted = formatDirectoryParameters(counts);
    if (trusted.length > INLINE_BUDGET_CHARS) {
      throw propError(this.owner, 'trusted clients', `${counts.length} stacks`,
        `the list of the ${reader}'s directory parameters (${trusted.length} characters, about 4 plus the stack's id per stack holding clients) must fit ${INLINE_BUDGET_CHARS} characters of the function's environment: put the clients in fewer stacks, or give the stacks shorter ids`);
    }
    this.fn.addEnvironment(DIRECTORY_ENV.path, path);
    this.fn.addEnvironment(DIRECTORY_ENV.parameters, trusted);
    // GetParametersByPath is authorized on the path, not per parameter, so this cannot name the parameters;
    // reading the path is also what lets the function see (and report) a parameter the library did not create.
    const statement = new iam.PolicyStatement({
      sid: 'ReadClientDirectory',
      actions: ['ssm:GetParametersByPath'],
      resources: [fnStack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: path.slice(1, -1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    });
    this.fn.addToRolePolicy(statement);
    // The first load reads the library's parameters by name (GetParameters, 10 a call, in parallel): the same
    // parameters the path already lets it read, so no new data; the by-path listing runs in the background.
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadClientDirectoryParameters',
      actions: ['ssm:GetParameters'],
      resources: [fnStack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${path.slice(1)}*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    }));
    acknowledgeRule(this.fn.role!,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${nagShown(fnStack.region, '<AWS::Region>')}:${nagShown(fnStack.account, '<AWS::AccountId>')}:parameter${path}*]`,
      `ssm:GetParameters on the parameters under the ${reader}'s client directory path, which ssm:GetParametersByPath on that path already lets it read: `
      + 'the parameters are created in the stacks that hold the clients, as many as they need, so they cannot be listed here without a cross-stack reference each; '
      + 'the function reads only the names it receives in its environment.');
    return { mode: 'directory', path, parameters, trusted };
  }
}

/** Directory parameters are read in the function's account and Region: clients elsewhere cannot be trusted this way. */
function checkSameEnvironment(owner: IConstruct, fnStack: Stack, stack: Stack, client: TrustedClient, reader: string): void {
  for (const key of ['account', 'region'] as const) {
    const a = fnStack[key];
    const b = stack[key];
    if (!Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b) {
      throw propError(owner, 'trusted clients', client.node.path,
        `the client is in ${key} ${b} and the ${reader} in ${a}: the ${reader} reads its clients from SSM in its own account and Region`);
    }
  }
}
