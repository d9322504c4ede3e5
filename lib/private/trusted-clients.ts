import { ArnFormat, IAspect, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import {
  chunkEntries, CLIENT_TENANTS_ENV, CLIENT_TENANTS_PATH_ENV, DIRECTORY_PATH_PREFIX, entryChars, GENERATED_CLIENT_ID_CHARS,
  INLINE_BUDGET_CHARS, mappingChars,
} from './client-directory';
import { propError } from './validation';

/** A client the authorizer trusts, with its tenant. */
export interface TrustedClient extends IConstruct {
  readonly tenantId: string;
  readonly userPoolClientId: string;
}

/** Characters the client id takes in the mapping (a generated id, unless the id is a literal). */
function entrySize(c: TrustedClient): number {
  return entryChars(Token.isUnresolved(c.userPoolClientId) ? GENERATED_CLIENT_ID_CHARS : c.userPoolClientId.length, c.tenantId);
}

/** How an authorizer received its trusted clients (for tests and docs). */
export interface TrustedClientsWiring {
  readonly mode: 'inline' | 'directory';
  /** The directory's path, ending with `/`. */
  readonly path?: string;
  readonly parameters: ssm.StringParameter[];
}

/**
 * Hands the trusted client → tenant mapping to the authorizer function when
 * the app is synthesized (every tenant is declared by then), as
 * lib/private/client-directory.ts describes: inline when every client is in
 * the function's stack and the mapping fits, otherwise as SSM parameters in
 * the clients' own stacks, which the function may read (and nothing else).
 */
export class WireTrustedClients implements IAspect {
  #wiring?: TrustedClientsWiring;

  constructor(private readonly owner: Construct, private readonly fn: lambda.Function, private readonly clients: () => TrustedClient[]) {}

  /** What the aspect did (undefined before synthesis). */
  public get wiring(): TrustedClientsWiring | undefined { return this.#wiring; }

  public visit(node: IConstruct): void {
    if (node !== this.owner || this.#wiring) return;
    this.#wiring = this.#wire();
  }

  #wire(): TrustedClientsWiring {
    const clients = this.clients();
    const fnStack = Stack.of(this.fn);
    const local = clients.every((c) => Stack.of(c) === fnStack);
    if (local && mappingChars(clients.map(entrySize)) <= INLINE_BUDGET_CHARS) {
      this.fn.addEnvironment(CLIENT_TENANTS_ENV, fnStack.toJsonString(Object.fromEntries(clients.map((c) => [c.userPoolClientId, c.tenantId]))));
      return { mode: 'inline', parameters: [] };
    }

    const name = Names.uniqueResourceName(this.owner, { maxLength: 100 });
    const path = `${DIRECTORY_PATH_PREFIX}${name}/`;
    const byStack = new Map<Stack, TrustedClient[]>();
    for (const c of clients) {
      const stack = Stack.of(c);
      checkSameEnvironment(this.owner, fnStack, stack, c);
      byStack.set(stack, [...(byStack.get(stack) ?? []), c]);
    }
    const parameters: ssm.StringParameter[] = [];
    for (const [stack, list] of byStack) {
      // One container per authorizer in each stack that holds its clients.
      const container = stack === fnStack ? new Construct(this.owner, 'ClientDirectory')
        : new Construct(stack, `M2mClientDirectory-${Names.uniqueId(this.owner)}`);
      const stackName = Names.uniqueId(stack);
      chunkEntries(list, entrySize).forEach((chunk, i) => {
        parameters.push(new ssm.StringParameter(container, `Clients${i}`, {
          parameterName: `${path}${stackName}-${i}`,
          description: `cdk-cognito-m2m: trusted app clients and their tenants for the authorizer ${this.owner.node.path} (${chunk.length} of ${clients.length})`,
          stringValue: stack.toJsonString(Object.fromEntries(chunk.map((c) => [c.userPoolClientId, c.tenantId]))),
          tier: ssm.ParameterTier.STANDARD,
        }));
      });
    }
    this.fn.addEnvironment(CLIENT_TENANTS_PATH_ENV, path);
    const statement = new iam.PolicyStatement({
      sid: 'ReadClientDirectory',
      actions: ['ssm:GetParametersByPath'],
      resources: [fnStack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: path.slice(1, -1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    });
    this.fn.addToRolePolicy(statement);
    return { mode: 'directory', path, parameters };
  }
}

/** Directory parameters are read in the function's account and Region: clients elsewhere cannot be trusted this way. */
function checkSameEnvironment(owner: IConstruct, fnStack: Stack, stack: Stack, client: TrustedClient): void {
  for (const key of ['account', 'region'] as const) {
    const a = fnStack[key];
    const b = stack[key];
    if (!Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b) {
      throw propError(owner, 'trusted clients', client.node.path,
        `the client is in ${key} ${b} and the authorizer in ${a}: the authorizer reads its clients from SSM in its own account and Region`);
    }
  }
}
