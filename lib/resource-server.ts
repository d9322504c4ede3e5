import { Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { IM2mUserPool } from './m2m-user-pool';
import { registerScope, registerServer } from './private/pool-state';
import {
  checkString, duplicates, LIMITS, pendingConstruct, propError, RESOURCE_SERVER_IDENTIFIER, RESOURCE_SERVER_NAME, SCOPE_DESCRIPTION, SCOPE_NAME,
} from './private/validation';

/**
 * A custom scope of a resource server.
 */
export interface ScopeDefinition {
  /**
   * The scope name, e.g. `read`. Access tokens carry it as `<identifier>/<name>`.
   *
   * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerScopeType.html
   */
  readonly name: string;

  /**
   * What the scope lets a client do, shown in the Cognito console.
   */
  readonly description: string;
}

/**
 * Settings of a resource server.
 */
export interface ResourceServerOptions {
  /**
   * A unique identifier of the resource server in the user pool, usually the
   * API's URL (e.g. `https://api.example.com/orders`). It prefixes every scope
   * of this server in access tokens.
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
   */
  readonly identifier: string;

  /**
   * A friendly name of the resource server.
   *
   * Amazon Cognito accepts only letters, digits, spaces and `+=,.@-_` here, so a
   * URL identifier cannot double as the name.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The custom scopes this server defines (at least one, at most 100).
   */
  readonly scopes: ScopeDefinition[];
}

/**
 * Properties of a `ResourceServer`.
 */
export interface ResourceServerProps extends ResourceServerOptions {
  /**
   * The user pool the resource server belongs to.
   */
  readonly userPool: IM2mUserPool;
}

/**
 * An OAuth 2.0 resource server of an `M2mUserPool`, with its custom scopes.
 *
 * Use `scope(name)` to get a scope for an app client or an API method: the
 * returned `OAuthScope` refers to this resource server, so whatever uses it is
 * deployed after the server and its scopes exist.
 *
 * @example
 * declare const pool: M2mUserPool;
 * const orders = pool.addResourceServer('Orders', {
 *   identifier: 'https://api.example.com/orders',
 *   scopes: [{ name: 'read', description: 'Read orders' }],
 * });
 * const read = orders.scope('read');
 */
export class ResourceServer extends cognito.UserPoolResourceServer {
  /**
   * The resource server's identifier, as given.
   */
  public readonly resourceServerIdentifier: string;

  /**
   * The name of every scope this server defines, in declaration order.
   */
  public readonly scopeNames: string[];

  /**
   * The user pool the resource server belongs to.
   */
  public readonly m2mUserPool: IM2mUserPool;

  private readonly scopeByName = new Map<string, cognito.OAuthScope>();

  constructor(scope: Construct, id: string, props: ResourceServerProps) {
    super(scope, id, {
      userPool: props.userPool.userPool,
      identifier: props.identifier,
      userPoolResourceServerName: props.name ?? id,
      scopes: validateScopes(scope, id, props).map((s) => new cognito.ResourceServerScope({
        scopeName: s.name,
        scopeDescription: s.description,
      })),
    });
    this.resourceServerIdentifier = props.identifier;
    this.scopeNames = props.scopes.map((s) => s.name);
    this.m2mUserPool = props.userPool;
    registerServer(props.userPool, this);

    for (const s of props.scopes) {
      const oauth = cognito.OAuthScope.resourceServer(this, new cognito.ResourceServerScope({
        scopeName: s.name,
        scopeDescription: s.description,
      }));
      registerScope(oauth, { fullName: `${this.resourceServerIdentifier}/${s.name}`, scopeName: s.name, server: this, pool: props.userPool });
      this.scopeByName.set(s.name, oauth);
    }
  }

  /**
   * Returns the scope with the given name, for `TenantAppClient` scopes and
   * `ScopedRestApi` methods.
   *
   * @param name the scope name as declared in `scopes` (without the identifier)
   * @throws if this server defines no scope of that name
   */
  public scope(name: string): cognito.OAuthScope {
    const found = this.scopeByName.get(name);
    if (!found) {
      throw propError(this, 'scope(name)', name,
        `resource server "${this.resourceServerIdentifier}" defines no such scope; known scopes: ${this.scopeNames.map((n) => `"${n}"`).join(', ')}`);
    }
    return found;
  }

  /**
   * Every scope of this server, in declaration order.
   */
  public get scopes(): cognito.OAuthScope[] {
    return this.scopeNames.map((n) => this.scopeByName.get(n)!);
  }

  /**
   * The full name of a scope, `<identifier>/<name>`, as access tokens carry it.
   *
   * @param name the scope name as declared in `scopes`
   */
  public scopeFullName(name: string): string {
    this.scope(name);
    return `${this.resourceServerIdentifier}/${name}`;
  }
}

/** Validates the props before the resource is created; errors name `<path>/<id>`. */
function validateScopes(parent: Construct, id: string, props: ResourceServerProps): ScopeDefinition[] {
  const owner = pendingConstruct(parent, id);
  checkString(owner, 'identifier', props.identifier, RESOURCE_SERVER_IDENTIFIER);
  const name = props.name ?? id;
  if (!Token.isUnresolved(name) && !(RESOURCE_SERVER_NAME.pattern.test(name) && name.length <= RESOURCE_SERVER_NAME.maxLength)) {
    throw propError(owner, props.name === undefined ? 'name (defaulted to the construct id)' : 'name', name,
      `must be ${RESOURCE_SERVER_NAME.describe} (pattern ${RESOURCE_SERVER_NAME.pattern.source}); a URL identifier cannot be the name, set name explicitly`);
  }
  if (!props.scopes || props.scopes.length === 0) {
    throw propError(owner, 'scopes', '[]', 'a resource server needs at least one scope; methods and clients can only use scopes it defines');
  }
  if (props.scopes.length > LIMITS.scopesPerResourceServer) {
    throw propError(owner, 'scopes', `${props.scopes.length} scopes`, `a resource server defines at most ${LIMITS.scopesPerResourceServer} scopes`);
  }
  props.scopes.forEach((s, i) => {
    checkString(owner, `scopes[${i}].name`, s.name, SCOPE_NAME);
    checkString(owner, `scopes[${i}].description`, s.description, SCOPE_DESCRIPTION);
  });
  const dup = duplicates(props.scopes.map((s) => s.name));
  if (dup.length) {
    throw propError(owner, 'scopes', dup[0], 'scope names must be unique within a resource server');
  }
  return props.scopes;
}
