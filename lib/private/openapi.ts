/**
 * The OpenAPI 3.0.3 document of a `ScopedRestApi` and the catalog entry the
 * developer portal publishes for it: pure functions over the API's routes
 * (in the catalog's `CatalogRoute` shape), plus a structural check of the
 * document against the OpenAPI rules that need no network.
 *
 * @see https://spec.openapis.org/oas/v3.0.3
 */
import { CatalogApi, CatalogRoute, WEB_UI_FILES } from './contracts/web-ui';

export const OPENAPI_VERSION = '3.0.3';

/** Name of the OAuth 2.0 client-credentials security scheme in `components.securitySchemes`. */
export const SECURITY_SCHEME = 'm2m';

/** The operations `ANY` stands for, in the order OpenAPI lists a path item's operations. */
export const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
type OperationMethod = typeof OPERATION_METHODS[number];

/** Catalog API names, which also name `openapi/<name>.json` in the portal's site. */
export const CATALOG_API_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** What the document and the catalog entry are built from. */
export interface ApiDescriptionInput {
  /** `info.title`: the API's name. */
  readonly title: string;
  /** `info.description`. */
  readonly description?: string;
  /** The stage URL; without one the document has no `servers` and the API cannot be catalogued. */
  readonly url?: string;
  /** The user pool's token endpoint. */
  readonly tokenUrl: string;
  /** Every declared method, in declaration order. */
  readonly routes: readonly CatalogRoute[];
  /** Description of each full scope; a used scope missing here is listed with an empty description. */
  readonly scopeDescriptions: ReadonlyMap<string, string>;
}

export interface ParameterObject {
  readonly name: string;
  readonly in: 'path';
  readonly required: true;
  readonly description?: string;
  readonly schema: { readonly type: 'string' };
}

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Record<string, { readonly description: string; readonly schema: { readonly type: 'string' } }>;
}

/** One requirement object: all its schemes (and their scopes) together; the array of them is an OR. */
export type SecurityRequirement = Record<string, string[]>;

export interface OperationObject {
  readonly 'operationId': string;
  readonly 'description': string;
  readonly 'security': SecurityRequirement[];
  readonly 'responses': Record<string, ResponseObject>;
  /** Which authorizer guards the operation and why (`api.routes`' `authorizer` and `authorizerReason`). */
  readonly 'x-m2m-authorizer'?: { readonly kind: string; readonly reason: string };
}

export type PathItemObject = { parameters?: ParameterObject[] } & { [method in OperationMethod]?: OperationObject };

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly servers?: Array<{ readonly url: string }>;
  readonly paths: Record<string, PathItemObject>;
  readonly components: {
    readonly securitySchemes: Record<string, {
      readonly type: 'oauth2';
      readonly description: string;
      readonly flows: { readonly clientCredentials: { readonly tokenUrl: string; readonly scopes: Record<string, string> } };
    }>;
  };
}

/** Fresh objects per operation, so that editing one operation of a returned document changes no other. */
function responses(scoped: boolean): Record<string, ResponseObject> {
  const ok = { 200: { description: 'Success' } };
  if (!scoped) return ok;
  const challenge = () => ({
    'WWW-Authenticate': { description: 'RFC 6750 challenge, e.g. `Bearer error="insufficient_scope"`', schema: { type: 'string' as const } },
  });
  return {
    ...ok,
    401: {
      description: 'Unauthorized: the access token is missing, malformed, expired, not issued for this API, or its client is no longer accepted (RFC 6750 invalid_token)',
      headers: challenge(),
    },
    403: {
      description: 'Forbidden: the access token lacks the scopes this operation requires (RFC 6750 insufficient_scope)',
      headers: challenge(),
    },
  };
}

/**
 * The OpenAPI 3.0.3 document of an API: one operation per method (`ANY`
 * expands to every operation not declared explicitly on the same path, as
 * API Gateway prefers an explicit method over `ANY`), paths sorted, operations
 * in OpenAPI's order, security from each route's scopes.
 */
export function openApiDocument(input: ApiDescriptionInput): OpenApiDocument {
  const byPath = new Map<string, { resourcePath: string; ops: Map<OperationMethod, CatalogRoute> }>();
  const anyRoutes: CatalogRoute[] = [];
  for (const route of input.routes) {
    const method = route.method.toLowerCase();
    if (method === 'any') {
      anyRoutes.push(route);
      continue;
    }
    if (!isOperationMethod(method)) {
      throw new Error(`${route.method} ${route.path}: HTTP method "${route.method}" has no OpenAPI operation; use one of ${[...OPERATION_METHODS, 'any'].map((m) => m.toUpperCase()).join(', ')}`);
    }
    addOperation(byPath, route, method);
  }
  for (const route of anyRoutes) {
    for (const method of OPERATION_METHODS) {
      if (!byPath.get(openApiPath(route.path))?.ops.has(method)) addOperation(byPath, route, method);
    }
  }

  const usedScopes = new Set(input.routes.filter((r) => !r.isPublic).flatMap((r) => r.scopes));
  const takenIds = new Set<string>();
  const paths: Record<string, PathItemObject> = {};
  for (const path of [...byPath.keys()].sort(compare)) {
    const { resourcePath, ops } = byPath.get(path)!;
    const item: PathItemObject = {};
    const parameters = pathParameters(resourcePath);
    if (parameters.length > 0) item.parameters = parameters;
    for (const method of OPERATION_METHODS) {
      const route = ops.get(method);
      if (route) item[method] = operation(route, uniqueId(takenIds, operationId(method, resourcePath)));
    }
    paths[path] = item;
  }

  return {
    openapi: OPENAPI_VERSION,
    info: { title: input.title, version: '1', ...(input.description !== undefined ? { description: input.description } : {}) },
    // OpenAPI appends each path to the server URL: a trailing slash would double the slash.
    ...(input.url !== undefined ? { servers: [{ url: input.url.replace(/\/+$/, '') }] } : {}),
    paths,
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'oauth2',
          description: 'OAuth 2.0 client credentials: POST grant_type=client_credentials to the token URL with the client id and secret '
            + '(HTTP Basic), then send the access token as `Authorization: Bearer <token>`. Reuse a token until shortly before it expires.',
          flows: {
            clientCredentials: {
              tokenUrl: input.tokenUrl,
              scopes: Object.fromEntries([...usedScopes].sort(compare).map((s) => [s, input.scopeDescriptions.get(s) ?? ''])),
            },
          },
        },
      },
    },
  };
}

/**
 * The catalog entry of an API: its name, URL, routes and where the portal
 * serves its OpenAPI document (`openapi/<name>.json`).
 *
 * @param name unique in the catalog, `[A-Za-z0-9_-]{1,64}`
 */
export function catalogApi(name: string, input: ApiDescriptionInput): CatalogApi {
  if (typeof name !== 'string' || !CATALOG_API_NAME.test(name)) {
    throw new Error(`catalog API name ${JSON.stringify(name)} is invalid: it must be 1 to 64 letters, digits, "_" or "-" `
      + `(pattern ${CATALOG_API_NAME.source}), as it names ${WEB_UI_FILES.openApiDir}/<name>.json in the portal's site`);
  }
  if (input.url === undefined) {
    throw new Error(`catalog API "${name}" has no URL: the REST API "${input.title}" has no deployment stage; keep deploy: true or set deploymentStage`);
  }
  return {
    name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    url: input.url,
    openApiPath: `${WEB_UI_FILES.openApiDir}/${name}.json`,
    routes: input.routes.map((r) => ({
      method: r.method,
      path: r.path,
      scopes: [...r.scopes],
      scopeMatch: r.scopeMatch,
      isPublic: r.isPublic,
      ...(r.authorizer !== undefined ? { authorizer: r.authorizer, authorizerReason: r.authorizerReason } : {}),
    })),
  };
}

/** An API Gateway resource path in OpenAPI form: the greedy `{proxy+}` becomes `{proxy}`. */
export function openApiPath(resourcePath: string): string {
  return resourcePath.replace(/\{([^{}/]+)\+\}/g, '{$1}');
}

/** `get /orders/{id}/items` → `getOrdersByIdItems`; `/` is `Root`. Not unique by itself: see `uniqueId`. */
export function operationId(method: string, resourcePath: string): string {
  const segments = resourcePath.split('/').filter((s) => s.length > 0);
  const words = segments.map((s) => {
    const param = /^\{([^{}]+?)\+?\}$/.exec(s);
    return param ? `By${pascal(param[1])}` : pascal(s);
  });
  return method.toLowerCase() + (words.length > 0 ? words.join('') : 'Root');
}

/**
 * Problems of an OpenAPI 3.0.x document that can be found without network:
 * required fields, path templates against their path parameters, operation
 * ids, responses, and security requirements against the declared schemes and
 * scopes. Empty when none is found.
 */
export function checkOpenApiDocument(doc: unknown): string[] {
  const problems: string[] = [];
  const d = doc;
  if (!isObject(d)) return ['the document must be an object'];
  if (typeof d.openapi !== 'string' || !/^3\.0\.\d+$/.test(d.openapi)) problems.push(`openapi must be "3.0.x", got ${JSON.stringify(d.openapi)}`);
  if (!isObject(d.info) || typeof d.info.title !== 'string' || typeof d.info.version !== 'string') problems.push('info.title and info.version must be strings');
  if (d.servers !== undefined && (!Array.isArray(d.servers) || !d.servers.every((s: unknown) => isObject(s) && typeof s.url === 'string'))) {
    problems.push('servers must be an array of objects with a url string');
  }

  const schemes = isObject(d.components) && isObject(d.components.securitySchemes) ? d.components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme) || !['apiKey', 'http', 'oauth2', 'openIdConnect'].includes(scheme.type)) {
      problems.push(`components.securitySchemes.${name}.type must be apiKey, http, oauth2 or openIdConnect`);
    } else if (scheme.type === 'oauth2') {
      const flows = isObject(scheme.flows) ? Object.entries(scheme.flows) : [];
      if (flows.length === 0) problems.push(`components.securitySchemes.${name}.flows must declare at least one flow`);
      for (const [flowName, flow] of flows) {
        const where = `components.securitySchemes.${name}.flows.${flowName}`;
        if (!isObject(flow) || !isObject(flow.scopes) || !Object.values(flow.scopes).every((v) => typeof v === 'string')) {
          problems.push(`${where}.scopes must map scope names to description strings`);
        }
        if (['clientCredentials', 'password', 'authorizationCode'].includes(flowName) && typeof (flow as { tokenUrl?: unknown })?.tokenUrl !== 'string') {
          problems.push(`${where}.tokenUrl must be a string`);
        }
      }
    }
  }
  const declaredScopes = (name: string): Set<string> => {
    const flows = isObject(schemes[name]?.flows) ? Object.values(schemes[name].flows) : [];
    return new Set(flows.flatMap((f) => (isObject(f) && isObject(f.scopes) ? Object.keys(f.scopes) : [])));
  };

  if (!isObject(d.paths)) return [...problems, 'paths must be an object'];
  const ids = new Map<string, string>();
  const shapes = new Map<string, string>();
  for (const [path, item] of Object.entries(d.paths)) {
    if (!path.startsWith('/')) problems.push(`path "${path}" must start with "/"`);
    const shape = path.replace(/\{[^{}]*\}/g, '{}');
    if (shapes.has(shape)) problems.push(`paths "${shapes.get(shape)}" and "${path}" differ only in parameter names`);
    shapes.set(shape, path);
    const templated = [...path.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
    if (templated.some((n) => !/^[^{}/+]+$/.test(n))) problems.push(`path "${path}" has a template expression that is not a plain name`);
    if (!isObject(item)) {
      problems.push(`paths["${path}"] must be an object`);
      continue;
    }
    const common = parameterList(problems, `paths["${path}"].parameters`, item.parameters);
    for (const [key, op] of Object.entries(item)) {
      if (key === 'parameters' || key === '$ref' || key === 'summary' || key === 'description' || key === 'servers' || key.startsWith('x-')) continue;
      const where = `${key.toUpperCase()} ${path}`;
      if (![...OPERATION_METHODS, 'trace'].includes(key)) {
        problems.push(`paths["${path}"] has "${key}", which is no operation`);
        continue;
      }
      if (!isObject(op)) {
        problems.push(`${where} must be an object`);
        continue;
      }
      // Operation parameters override the path item's of the same name and location.
      const params = new Map(common);
      for (const [k, p] of parameterList(problems, `${where} parameters`, op.parameters)) params.set(k, p);
      for (const name of templated) {
        const p = params.get(`path:${name}`);
        if (!p) problems.push(`${where}: path parameter "${name}" is not declared`);
        else if (p.required !== true) problems.push(`${where}: path parameter "${name}" must have required: true`);
      }
      for (const [k, p] of params) {
        if (p.in === 'path' && !templated.includes(p.name)) problems.push(`${where}: path parameter "${k.slice(5)}" is not in the path`);
      }
      if (op.operationId !== undefined) {
        if (typeof op.operationId !== 'string') problems.push(`${where}: operationId must be a string`);
        else if (ids.has(op.operationId)) problems.push(`${where}: operationId "${op.operationId}" is also used by ${ids.get(op.operationId)}`);
        else ids.set(op.operationId, where);
      }
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        problems.push(`${where}: responses must hold at least one response`);
      } else {
        for (const [code, response] of Object.entries(op.responses)) {
          if (!/^(default|[1-5](\d\d|XX))$/.test(code)) problems.push(`${where}: response key "${code}" is no status code`);
          if (!isObject(response) || typeof response.description !== 'string') problems.push(`${where}: response ${code} needs a description`);
        }
      }
      if (op.security !== undefined) {
        if (!Array.isArray(op.security)) {
          problems.push(`${where}: security must be an array`);
          continue;
        }
        op.security.forEach((requirement: unknown, i: number) => {
          if (!isObject(requirement)) {
            problems.push(`${where}: security[${i}] must be an object`);
            return;
          }
          for (const [scheme, scopes] of Object.entries(requirement)) {
            if (!(scheme in schemes)) {
              problems.push(`${where}: security[${i}] names scheme "${scheme}", which components.securitySchemes does not declare`);
              continue;
            }
            if (!Array.isArray(scopes)) {
              problems.push(`${where}: security[${i}].${scheme} must be an array`);
              continue;
            }
            const declared = declaredScopes(scheme);
            for (const s of scopes) {
              if (schemes[scheme].type === 'oauth2' && !declared.has(s)) {
                problems.push(`${where}: security[${i}].${scheme} names scope "${s}", which the scheme's flows do not declare`);
              }
            }
          }
        });
      }
    }
  }
  return problems;
}

function addOperation(
  byPath: Map<string, { resourcePath: string; ops: Map<OperationMethod, CatalogRoute> }>, route: CatalogRoute, method: OperationMethod,
): void {
  const path = openApiPath(route.path);
  let entry = byPath.get(path);
  if (!entry) {
    entry = { resourcePath: route.path, ops: new Map() };
    byPath.set(path, entry);
  }
  if (entry.ops.has(method)) {
    throw new Error(`${method.toUpperCase()} ${path} is declared twice (as ${entry.resourcePath} and ${route.path}); declare each method once`);
  }
  entry.ops.set(method, route);
}

function operation(route: CatalogRoute, id: string): OperationObject {
  if (route.isPublic) {
    return { operationId: id, description: 'Public: needs no access token.', security: [], responses: responses(false) };
  }
  const allOf = route.scopeMatch === 'ALL_OF';
  return {
    operationId: id,
    description: `Needs an access token with ${allOf ? 'all' : 'any one'} of these scopes: ${route.scopes.join(', ')}.`,
    // A security array is an OR of requirement objects; the scopes inside one object are an AND.
    security: allOf ? [{ [SECURITY_SCHEME]: [...route.scopes] }] : route.scopes.map((s) => ({ [SECURITY_SCHEME]: [s] })),
    responses: responses(true),
    ...(route.authorizer !== undefined ? { 'x-m2m-authorizer': { kind: route.authorizer, reason: route.authorizerReason ?? '' } } : {}),
  };
}

function pathParameters(resourcePath: string): ParameterObject[] {
  return [...resourcePath.matchAll(/\{([^{}/]+?)(\+?)\}/g)].map(([, name, greedy]) => ({
    name,
    in: 'path' as const,
    required: true as const,
    ...(greedy ? { description: 'The rest of the path; may contain "/"' } : {}),
    schema: { type: 'string' as const },
  }));
}

function uniqueId(taken: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

function pascal(segment: string): string {
  return segment.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function isOperationMethod(m: string): m is OperationMethod {
  return (OPERATION_METHODS as readonly string[]).includes(m);
}

/** Code-unit order, the same in every locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A parameter list keyed `in:name`, reporting duplicates and parameters without a schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parameterList(problems: string[], where: string, list: unknown): Map<string, Record<string, any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out = new Map<string, Record<string, any>>();
  if (list === undefined) return out;
  if (!Array.isArray(list)) {
    problems.push(`${where} must be an array`);
    return out;
  }
  for (const p of list) {
    if (!isObject(p) || typeof p.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(p.in)) {
      problems.push(`${where}: each parameter needs a name and in: path, query, header or cookie`);
      continue;
    }
    const key = `${p.in}:${p.name}`;
    if (out.has(key)) problems.push(`${where}: parameter "${p.name}" (in ${p.in}) is listed twice`);
    if (p.schema === undefined && p.content === undefined) problems.push(`${where}: parameter "${p.name}" needs a schema or content`);
    out.set(key, p);
  }
  return out;
}
