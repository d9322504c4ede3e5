import { NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { PublicMethodOptions, ScopedMethodOptions } from './method-options';
import type { ScopedRestApi } from './scoped-rest-api';
import { propError } from '../private/validation';

/**
 * Settings of a part of a `ScopedRestApi`.
 */
export interface ScopedRestApiPartOptions {
  /**
   * A description of the part's nested stack, shown in the CloudFormation
   * console: 1 to 1024 characters.
   *
   * @default - "Resources and methods of <the API's construct path>, part <id>"
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-nested-stacks.html
   */
  readonly description?: string;
}

/**
 * Properties of a `ScopedRestApiPart`.
 */
export interface ScopedRestApiPartProps extends ScopedRestApiPartOptions {
  /**
   * The API whose resources and methods the part holds. The part must be
   * created in the API's stack (`api.addPart(id)` does that).
   */
  readonly api: ScopedRestApi;
}

/** API Gateway path parts: a literal, `{param}` or a greedy `{proxy+}`. */
const PATH_PART = /^(?:[A-Za-z0-9:._-]+|\{[A-Za-z0-9:._-]+\+?\})$/;

/**
 * A nested stack holding some of a `ScopedRestApi`'s resources and methods,
 * for APIs too large for one CloudFormation stack (500 resources: 300 API
 * resources with a method each already make 600).
 *
 * The resources and methods belong to the same REST API: every method in a
 * part is declared with `addScopedMethod`, `addPublicMethod` or
 * `api.declarePublic` like any other (an undeclared one fails synthesis), is
 * gated by the API's one authorizer, is in the tenant-aware authorizer's route
 * table, the OpenAPI document and the portal's catalog, and is deployed by the
 * API's deployment, which depends on the part's nested stack and whose
 * logical id changes when a method of the part changes.
 *
 * A part's resources hang from `api.root`, from other resources in the
 * API's stack, or from resources of the same part; resources added under a
 * part's resource (`resource.addResource`) are in the part too.
 *
 * @example
 * declare const api: ScopedRestApi;
 * declare const orders: ResourceServer;
 * declare const integration: apigateway.Integration;
 * const part = api.addPart('Orders');
 * const res = part.addResource(api.root, 'orders');
 * part.addScopedMethod(res, 'GET', integration, { scopes: [orders.scope('read')] });
 */
export class ScopedRestApiPart extends Construct {
  /**
   * The API whose resources and methods the part holds.
   */
  public readonly api: ScopedRestApi;

  /**
   * The nested stack that holds the part's resources and methods.
   */
  public readonly nestedStack: NestedStack;

  constructor(scope: Construct, id: string, props: ScopedRestApiPartProps) {
    super(scope, id);
    const apiStack = Stack.of(props.api);
    if (Stack.of(scope) !== apiStack) {
      throw propError(this, 'scope', Stack.of(scope).node.path,
        `a part must be created in the stack of its API (${apiStack.node.path}): its nested stack takes the API's ids as parameters and the API's deployment depends on it; use api.addPart(id)`);
    }
    const description = props.description;
    if (description !== undefined && !Token.isUnresolved(description) && (description.length < 1 || description.length > 1024)) {
      throw propError(this, 'description', description, `a template description has 1 to 1024 characters (got ${description.length})`);
    }
    this.api = props.api;
    this.nestedStack = new NestedStack(this, 'Resource', {
      description: description ?? `Resources and methods of ${props.api.node.path}, part ${id}`,
    });
  }

  /**
   * Adds a resource to the API, in this part.
   *
   * @param parent the parent resource: `api.root`, another resource in the
   * API's stack, or a resource of this part (not of another part: parts stay
   * independent of each other)
   * @param pathPart the path part, e.g. `orders`, `{orderId}` or `{proxy+}`
   * @returns the new resource; resources added under it with
   * `resource.addResource` are in this part too
   */
  public addResource(parent: apigateway.IResource, pathPart: string): apigateway.Resource {
    this.checkApi(parent, 'addResource: parent');
    const home = Stack.of(parent);
    if (home !== this.nestedStack && home !== Stack.of(this.api)) {
      throw propError(this, 'addResource: parent', parent.path,
        `is in ${where(home)}; a part's resources hang from api.root, other resources in the API's stack, or resources of this part: add this one with the part that holds its parent`);
    }
    if (!PATH_PART.test(pathPart)) {
      throw propError(this, 'addResource: pathPart', pathPart,
        'must be one path segment: letters, digits, ":", ".", "_" and "-", or a {parameter}, or a greedy {proxy+} (no "/")');
    }
    const existing = parent.getResource(pathPart);
    if (existing) {
      throw propError(this, 'addResource: pathPart', pathPart,
        `${joinPath(parent.path, pathPart)} already exists (in ${where(Stack.of(existing))}); a path is added once per API`);
    }
    if (home === this.nestedStack) return parent.addResource(pathPart);
    // The construct id is the path, unique in the API; '/' becomes '--' in construct ids.
    return new apigateway.Resource(this.nestedStack, joinPath(parent.path, pathPart).slice(1), { parent, pathPart });
  }

  /**
   * Adds a method that only tokens holding the given scopes may call, to a
   * resource of this part (`api.addScopedMethod` with a check that the
   * resource is in this part).
   *
   * @param resource a resource of this part
   * @param httpMethod the HTTP method, e.g. `GET` (or `ANY`)
   * @param integration the backend integration
   * @param options the scopes and any other method options
   */
  public addScopedMethod(
    resource: apigateway.IResource, httpMethod: string, integration: apigateway.Integration, options: ScopedMethodOptions,
  ): apigateway.Method {
    this.checkOwnResource(resource, httpMethod);
    return this.api.addScopedMethod(resource, httpMethod, integration, options);
  }

  /**
   * Adds a method that anybody may call, with the reason it is public, to a
   * resource of this part (`api.addPublicMethod` with a check that the
   * resource is in this part).
   *
   * @param resource a resource of this part
   * @param httpMethod the HTTP method, e.g. `GET`
   * @param integration the backend integration
   * @param options the reason and any other method options
   */
  public addPublicMethod(
    resource: apigateway.IResource, httpMethod: string, integration: apigateway.Integration, options: PublicMethodOptions,
  ): apigateway.Method {
    this.checkOwnResource(resource, httpMethod);
    return this.api.addPublicMethod(resource, httpMethod, integration, options);
  }

  private checkOwnResource(resource: apigateway.IResource, httpMethod: string): void {
    const label = `${httpMethod.toUpperCase()} ${resource.path}: resource`;
    this.checkApi(resource, label);
    const home = Stack.of(resource);
    if (home !== this.nestedStack) {
      throw propError(this, label, resource.path,
        `is in ${where(home)}, not in this part; a method lives in its resource's stack: add it with that part, or with api.addScopedMethod / api.addPublicMethod`);
    }
  }

  private checkApi(resource: apigateway.IResource, prop: string): void {
    if (resource.api !== this.api) {
      throw propError(this, prop, resource.path, `belongs to another REST API (${resource.api.node.path}); a part holds resources of ${this.api.node.path} only`);
    }
  }
}

/** Names a stack for an error: the part it holds, or the stack's path. */
function where(stack: Stack): string {
  const part = stack.node.scope;
  return part instanceof ScopedRestApiPart && part.nestedStack === stack ? `part ${part.node.path}` : `stack ${stack.node.path}`;
}

function joinPath(parentPath: string, pathPart: string): string {
  return `${parentPath.endsWith('/') ? parentPath : `${parentPath}/`}${pathPart}`;
}
