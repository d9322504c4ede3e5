import { Annotations, Aspects, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** The permission that lets a principal mint a working secret for any app client of a pool. */
export const ADD_CLIENT_SECRET = 'cognito-idp:AddUserPoolClientSecret';
/** The IAM path of the library's own roles (lib/private/security-alarms.ts `libraryRolePath`). */
const LIBRARY_ROLE_PATH = '/cdk-cognito-m2m/';
/** The id of the warning, for `Annotations.acknowledgeWarning`. */
export const CLIENT_SECRET_GRANT_WARNING = 'cdk-cognito-m2m:clientSecretGrant';
/** AWS managed policies that include the permission. */
const BROAD_MANAGED_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'AmazonCognitoPowerUser'];

interface StackRoles {
  /** Logical ids of the roles under the library's path. */
  readonly library: Set<string>;
  /** For each managed policy's logical id, the roles whose ManagedPolicyArns name it. */
  readonly byManagedPolicy: Map<string, string[]>;
}

/** The logical id of a resolved `{ Ref: <id> }`, else undefined. */
function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

type Statement = { Effect?: string; Action?: unknown; NotAction?: unknown; Resource?: unknown };

/** Whether an IAM action pattern (`*`, `?` wildcards, case-insensitive) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return regex.test(action);
}

function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The action pattern through which the statement allows `action`, if it does (on any resource that may be a user pool). */
export function grantingPattern(statement: Statement, action: string): string | undefined {
  if (statement.Effect !== 'Allow') return undefined;
  const resources = list(statement.Resource);
  const mayBePool = resources.length === 0 || resources.some((r) => typeof r !== 'string' || r === '*' || /userpool|^arn:[^:]*:cognito-idp:[^:]*:[^:]*:\*$/i.test(r));
  if (!mayBePool) return undefined;
  if (statement.NotAction !== undefined) {
    const excluded = list(statement.NotAction).some((p) => typeof p === 'string' && actionCovers(p, action));
    return excluded ? undefined : `NotAction ${JSON.stringify(statement.NotAction)}`;
  }
  return list(statement.Action).find((p): p is string => typeof p === 'string' && actionCovers(p, action));
}

/**
 * Warns, naming the construct, when an IAM policy or role anywhere in the app
 * allows `cognito-idp:AddUserPoolClientSecret` (or a wildcard that includes
 * it) to anything but the library's own roles: a principal with it can mint
 * a working secret for any app client of the pool.
 */
export class ClientSecretGrantCheck implements IAspect {
  /** Adds the check to the app of `scope`, once. */
  public static addTo(scope: IConstruct): void {
    const root = scope.node.root;
    if (!Aspects.of(root).all.some((a) => a instanceof ClientSecretGrantCheck)) Aspects.of(root).add(new ClientSecretGrantCheck());
  }

  private readonly rolesByStack = new Map<Stack, StackRoles>();

  public visit(node: IConstruct): void {
    if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
      const stack = Stack.of(node);
      const roles = this.stackRoles(stack);
      // The roles the policy reaches: those it names, and (a managed policy) those that name it.
      const attached = new Set(list(stack.resolve(node.roles)).map(refOf));
      const logicalId = stack.resolve(node.logicalId) as string;
      for (const role of roles.byManagedPolicy.get(logicalId) ?? []) attached.add(role);
      const others = list(stack.resolve(node.users)).length + list(stack.resolve(node.groups)).length;
      // A policy that reaches only the library's roles (or nothing in this stack) grants nothing to anyone else.
      if (others === 0 && [...attached].every((r) => r !== undefined && roles.library.has(r))) return;
      this.check(node, stack.resolve(node.policyDocument));
    } else if (node instanceof iam.CfnRole) {
      const stack = Stack.of(node);
      if (this.stackRoles(stack).library.has(stack.resolve(node.logicalId) as string)) return;
      for (const p of list(stack.resolve(node.policies)) as Array<{ policyDocument?: unknown; PolicyDocument?: unknown }>) {
        this.check(node, p.PolicyDocument ?? p.policyDocument);
      }
      for (const arn of list(stack.resolve(node.managedPolicyArns))) {
        const name = BROAD_MANAGED_POLICIES.find((n) => JSON.stringify(arn).includes(`:policy/${n}"`));
        if (name) this.warn(node, `the AWS managed policy ${name}`);
      }
    }
  }

  /** The stack's roles under the library's path, and which roles name each managed policy of the stack (found once per stack). */
  private stackRoles(stack: Stack): StackRoles {
    let found = this.rolesByStack.get(stack);
    if (!found) {
      found = { library: new Set(), byManagedPolicy: new Map() };
      for (const role of stack.node.findAll().filter((c): c is iam.CfnRole => c instanceof iam.CfnRole)) {
        const id = stack.resolve(role.logicalId) as string;
        const path = stack.resolve(role.path);
        if (typeof path === 'string' && !Token.isUnresolved(path) && path.startsWith(LIBRARY_ROLE_PATH)) found.library.add(id);
        for (const policy of list(stack.resolve(role.managedPolicyArns)).map(refOf)) {
          if (policy !== undefined) found.byManagedPolicy.set(policy, [...(found.byManagedPolicy.get(policy) ?? []), id]);
        }
      }
      this.rolesByStack.set(stack, found);
    }
    return found;
  }

  private check(node: CfnResource, document: unknown): void {
    const statements = list((document as { Statement?: unknown } | undefined)?.Statement) as Statement[];
    for (const s of statements) {
      const pattern = grantingPattern(s, ADD_CLIENT_SECRET);
      if (pattern) {
        this.warn(node, pattern === ADD_CLIENT_SECRET ? ADD_CLIENT_SECRET : `"${pattern}"`);
        return;
      }
    }
  }

  private warn(node: CfnResource, through: string): void {
    Annotations.of(node).addWarningV2(CLIENT_SECRET_GRANT_WARNING,
      `${node.node.path} allows ${ADD_CLIENT_SECRET} (through ${through}) to a principal that is not the library's rotation function or developer portal: `
      + 'it can mint a working secret for any app client of a user pool and get tokens with GetClientToken. Remove it, or scope it to pools this app does not use; '
      + 'the M2mUserPool\'s secret-lifecycle alarm fires when anyone but the library calls it (docs/security.md, Security model).');
  }
}
