import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import type { HandlerNetwork } from './handler-function';
import { existingState, ownedState } from './owned-state';
import { duplicates, LIMITS, propError } from './validation';

/**
 * What the library knows about a scope it created with `ResourceServer.scope()`.
 * `OAuthScope.scopeName` of such a scope is a deploy-time token (it refers to
 * the resource server so that clients depend on it); `fullName` is the same
 * scope as a literal string, known at synth time.
 */
export interface ScopeInfo {
  /** `identifier/name`, as it appears in access tokens. */
  readonly fullName: string;
  readonly scopeName: string;
  readonly server: RegisteredServer;
  /** The user pool of the server. */
  readonly pool: object;
}

/** A resource server as the registry sees it. */
export interface RegisteredServer extends IConstruct {
  readonly resourceServerIdentifier: string;
  readonly scopeNames: string[];
}

/** A tenant app client as the registry sees it. */
export interface RegisteredTenant extends IConstruct {
  readonly tenantId: string;
  readonly userPoolClientId: string;
}

/**
 * What the app declares in a user pool, kept on the pool: its resource
 * servers, its tenants (the app clients of TenantAppClient, by tenant id),
 * its quotas and where its rotation functions run.
 */
export interface PoolState {
  readonly servers: RegisteredServer[];
  readonly tenants: Map<string, RegisteredTenant>;
  /** True for a pool imported with `fromUserPoolAttributes`: it may hold servers this app cannot see. */
  readonly imported: boolean;
  readonly resourceServerQuota: number;
  readonly appClientQuota: number;
  /** Where the pool's rotation functions run (M2mUserPool `secretRotation`, set by its constructor). */
  rotationPlacement?: RotationPlacement;
  /** Every `iss` the pool's tokens may carry: one per issuer format. */
  readonly issuers: readonly string[];
  /** The claim a `TenantClaim` of this app adds to the pool's client-credentials tokens, if any. */
  tenantClaimName?: string;
}

const POOL_STATE = 'PoolState';
const SCOPE_INFO = 'ScopeInfo';
const STACK_SIZE_WATCHED = 'StackSizeWatched';

/** Scopes of the standard OpenID Connect and Cognito sets, never granted to client-credentials clients. */
const BUILT_IN_SCOPES = new Set([
  cognito.OAuthScope.OPENID.scopeName,
  cognito.OAuthScope.EMAIL.scopeName,
  cognito.OAuthScope.PHONE.scopeName,
  cognito.OAuthScope.PROFILE.scopeName,
  cognito.OAuthScope.COGNITO_ADMIN.scopeName,
]);

/** Where a pool's rotation function runs (M2mUserPool `secretRotation`, checked there). */
export interface RotationPlacement {
  readonly network?: HandlerNetwork;
  readonly reservedConcurrentExecutions?: number;
  /** The runtime the user chose (checked); none: the newest Node.js runtime when the function is created. */
  readonly runtime?: lambda.Runtime;
}

/** How a pool's constructor describes the pool. */
export interface PoolDescription {
  readonly imported: boolean;
  readonly resourceServerQuota?: number;
  readonly appClientQuota?: number;
  /** Every `iss` the pool's tokens may carry. */
  readonly issuers: readonly string[];
}

/** Called once by the pool's constructor (M2mUserPool, or its import). */
export function registerPool(pool: object, description: PoolDescription): void {
  if (existingState(pool, POOL_STATE)) throw new Error(`user pool ${(pool as Partial<IConstruct>).node?.path ?? ''} is registered twice`);
  ownedState<PoolState>(pool, POOL_STATE, () => ({
    servers: [],
    tenants: new Map(),
    imported: description.imported,
    resourceServerQuota: description.resourceServerQuota ?? LIMITS.resourceServersDefault,
    appClientQuota: description.appClientQuota ?? LIMITS.appClientsDefault,
    issuers: description.issuers,
  }));
}

export function poolState(pool: object): PoolState {
  // A pool nobody registered: a user implemented IM2mUserPool themselves; treat it like an imported pool.
  return existingState<PoolState>(pool, POOL_STATE) ?? ownedState<PoolState>(pool, POOL_STATE, () => ({
    servers: [],
    tenants: new Map(),
    imported: true,
    resourceServerQuota: LIMITS.resourceServersDefault,
    appClientQuota: LIMITS.appClientsDefault,
    issuers: [(pool as { issuer: string }).issuer],
  }));
}

/** Records a resource server on its pool, enforcing the quota and unique identifiers. */
export function registerServer(pool: object, server: RegisteredServer): void {
  const state = poolState(pool);
  if (!Token.isUnresolved(server.resourceServerIdentifier)) {
    const clash = state.servers.find((s) => s.resourceServerIdentifier === server.resourceServerIdentifier);
    if (clash) {
      throw propError(server, 'identifier', server.resourceServerIdentifier, `must be unique in the user pool; resource server ${clash.node.path} already uses it`);
    }
  }
  if (state.servers.length + 1 > state.resourceServerQuota) {
    throw propError(server, 'resource servers in the user pool', state.servers.length + 1,
      `a user pool holds at most ${state.resourceServerQuota} resource servers (the quota set by resourceServerQuota; Amazon Cognito's default is ${LIMITS.resourceServersDefault}, raisable to ${LIMITS.resourceServersMax})`);
  }
  state.servers.push(server);
}

/** CloudFormation's ceiling on resources per stack. */
export const STACK_RESOURCE_LIMIT = 500;

/**
 * Adds, once per stack holding tenants, a validation that names the ceiling of
 * 500 resources and what to do before CloudFormation (or the CDK) refuses it.
 */
function watchStackSize(stack: Stack): void {
  const watch = ownedState(stack, STACK_SIZE_WATCHED, () => ({ added: false }));
  if (watch.added) return;
  watch.added = true;
  stack.node.addValidation({
    validate: () => {
      const resources = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack);
      if (resources.length <= STACK_RESOURCE_LIMIT) return [];
      const clients = resources.filter((r) => (r as CfnResource).cfnResourceType === 'AWS::Cognito::UserPoolClient').length;
      return [`stack ${stack.node.path} holds ${resources.length} resources and CloudFormation allows ${STACK_RESOURCE_LIMIT}; `
        + `${clients} of them are app clients (a TenantAppClient is an app client and a secret): put tenants in stacks of their own, `
        + 'e.g. new TenantAppClient(new Stack(app, \'Tenants1\', { env }), tenantId, { userPool, tenantId, scopes }), '
        + 'and put a large API\'s resources and methods in nested stacks (ScopedRestApi.addPart)'];
    },
  });
}

/** Records a tenant on its pool; a tenant id may be used once per pool. */
export function registerTenant(pool: object, tenant: RegisteredTenant): void {
  const state = poolState(pool);
  const existing = state.tenants.get(tenant.tenantId);
  if (existing) {
    throw propError(tenant, 'tenantId', tenant.tenantId, `must be unique in the user pool; ${existing.node.path} already serves this tenant`);
  }
  if (state.tenants.size + 1 > state.appClientQuota) {
    throw propError(tenant, 'app clients in the user pool', state.tenants.size + 1,
      `a user pool holds at most ${state.appClientQuota} app clients (the quota set by appClientQuota; Amazon Cognito's default is `
      + `${LIMITS.appClientsDefault}, raisable to ${LIMITS.appClientsMax} in Service Quotas): raise the quota and set appClientQuota, `
      + 'or keep further tenants in a second M2mUserPool');
  }
  state.tenants.set(tenant.tenantId, tenant);
  watchStackSize(Stack.of(tenant));
}

export function registerScope(scope: cognito.OAuthScope, info: ScopeInfo): void {
  ownedState(scope, SCOPE_INFO, () => info);
}

/** A scope resolved against a pool: its literal name and, where known, the server that defines it. */
export interface ResolvedScope {
  readonly name: string;
  readonly server?: RegisteredServer;
}

/**
 * Checks that every scope belongs to one of the pool's resource servers and
 * returns the scopes' literal names with the servers that define them.
 * `owner` and `prop` name the construct and prop in error messages.
 */
export function resolveScopes(owner: IConstruct, prop: string, pool: object, list: readonly cognito.OAuthScope[]): ResolvedScope[] {
  const state = poolState(pool);
  const known = () => {
    const names = state.servers.flatMap((s) => s.scopeNames.map((n) => `${s.resourceServerIdentifier}/${n}`));
    return names.length ? names.map((n) => `"${n}"`).join(', ') : '(none: add a resource server with pool.addResourceServer first)';
  };
  const out: ResolvedScope[] = [];
  for (const scope of list) {
    const info = existingState<ScopeInfo>(scope, SCOPE_INFO);
    if (info) {
      if (info.pool !== pool) {
        throw propError(owner, prop, info.fullName,
          `scope belongs to resource server ${info.server.node.path}, which is in another user pool; use a scope of this pool's resource servers: ${known()}`);
      }
      out.push({ name: info.fullName, server: info.server });
      continue;
    }
    const name = scope.scopeName;
    if (Token.isUnresolved(name)) {
      out.push({ name });
      continue;
    }
    if (BUILT_IN_SCOPES.has(name)) {
      throw propError(owner, prop, name, `is a built-in OpenID Connect/Cognito scope, which the client-credentials grant never issues; use a custom scope of this pool's resource servers: ${known()}`);
    }
    const server = state.servers.find((s) => s.scopeNames.some((n) => `${s.resourceServerIdentifier}/${n}` === name));
    if (server) {
      out.push({ name, server });
    } else if (state.imported) {
      // The pool existed before this app: it may define servers we cannot see.
      out.push({ name });
    } else {
      throw propError(owner, prop, name, `is not a scope of this user pool's resource servers; known scopes: ${known()}`);
    }
  }
  const dup = duplicates(out.map((s) => s.name));
  if (dup.length) {
    throw propError(owner, prop, dup[0], 'is listed more than once; list each scope once');
  }
  return out;
}

/**
 * The description of every scope of the pool's resource servers declared in
 * this app, keyed by the full scope as tokens carry it. aws-cdk-lib keeps the
 * descriptions only on the servers' CloudFormation resources, so they are
 * read from there.
 */
export function scopeDescriptions(pool: object): Map<string, string> {
  const out = new Map<string, string>();
  for (const server of poolState(pool).servers) {
    const cfn = server.node.defaultChild;
    if (!(cfn instanceof cognito.CfnUserPoolResourceServer) || !Array.isArray(cfn.scopes)) continue;
    for (const scope of cfn.scopes as Array<Partial<cognito.CfnUserPoolResourceServer.ResourceServerScopeTypeProperty>>) {
      if (typeof scope?.scopeName === 'string' && typeof scope.scopeDescription === 'string') {
        out.set(`${server.resourceServerIdentifier}/${scope.scopeName}`, scope.scopeDescription);
      }
    }
  }
  return out;
}
