/**
 * The files the developer portal's web UI reads, written by the constructs at
 * deploy time (`config.json`) and synth time (`catalog.json`): their shapes,
 * versions and shape checks, in one module the constructs and the web UI
 * (web/portal) both import.
 */
import { SCOPE_MATCH_NAMES, ScopeMatchName } from './route-table';

/** Version of `config.json`; the UI refuses any other. */
export const WEB_UI_CONFIG_VERSION = 1;
/** Version of `catalog.json`; the UI refuses any other. */
export const CATALOG_VERSION = 1;

/** Where the files sit in the site's bucket (and so under the site's URL). */
export const WEB_UI_FILES = {
  config: 'config.json',
  catalog: 'catalog.json',
  /** `openapi/<api name>.json`, one OpenAPI 3 document per catalogued API. */
  openApiDir: 'openapi',
} as const;

/** A scope the portal may give to the clients it registers. */
export interface GrantableScope {
  /** The full scope, as tokens carry it (`<resource server>/<scope>`). */
  readonly name: string;
  readonly description: string;
}

/** How people sign in: the OAuth 2.0 authorization-code grant with PKCE on a public client. */
export interface SignInConfig {
  /** `https://<domain>/oauth2/authorize` */
  readonly authorizeUrl: string;
  /**
   * `https://<domain>/oauth2/token`. The revoke endpoint sits beside it
   * (revokeUrlOf), on the same origin, so the `connect-src` entry that lets
   * the UI reach the token endpoint lets it revoke too.
   */
  readonly tokenUrl: string;
  /** `https://<domain>/logout` (Cognito's form: `?client_id=…&logout_uri=…`). */
  readonly logoutUrl: string;
  /** The public SPA client (no secret). */
  readonly clientId: string;
  /** Scopes the UI asks for, e.g. `openid email profile`. */
  readonly scopes: string[];
}

/**
 * The revoke endpoint (RFC 7009) of the sign-in domain: `revoke` beside the
 * token endpoint, `https://<domain>/oauth2/revoke` for Cognito.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
 */
export function revokeUrlOf(signIn: Pick<SignInConfig, 'tokenUrl'>): string {
  return new URL('revoke', signIn.tokenUrl).toString();
}

/** `config.json`: everything the UI needs to know about its deployment. */
export interface WebUiConfig {
  readonly version: number;
  /** The portal API's base URL, without a trailing slash. */
  readonly apiUrl: string;
  /** The token endpoint of the M2M pool, shown in the "get a token" panel. */
  readonly tokenEndpoint: string;
  readonly signIn: SignInConfig;
  readonly grantableScopes: GrantableScope[];
  /** How long both secrets stay valid after a rotation. */
  readonly rotationGraceHours: number;
  /** Access-token validity of a client registered without one. */
  readonly defaultAccessTokenValidityMinutes: number;
}

/** One method of a catalogued API. */
export interface CatalogRoute {
  /** Upper case; `ANY` for any method. */
  readonly method: string;
  /** e.g. `/orders/{id}` */
  readonly path: string;
  /** Full scopes; empty for a public method. */
  readonly scopes: string[];
  readonly scopeMatch: ScopeMatchName;
  readonly isPublic: boolean;
  /** The kind of authorizer that guards the method (`jwt`, `lambda`, `cognito`); absent for a public method. */
  readonly authorizer?: string;
  /** Why that authorizer guards it. */
  readonly authorizerReason?: string;
}

/** One API of the catalog. */
export interface CatalogApi {
  /** Unique in the catalog: `[A-Za-z0-9_-]{1,64}`. */
  readonly name: string;
  readonly description?: string;
  /** The API's base URL (its stage URL). */
  readonly url: string;
  /** Path of its OpenAPI document in the site, e.g. `openapi/orders.json`. */
  readonly openApiPath: string;
  readonly routes: CatalogRoute[];
}

/** `catalog.json`: the APIs tenants may call and the scopes that reach each method. */
export interface Catalog {
  readonly version: number;
  readonly apis: CatalogApi[];
}

/** Whether a client holding `granted` scopes may call `route`. */
export function routeReachedBy(route: CatalogRoute, granted: readonly string[]): boolean {
  if (route.isPublic) return true;
  if (route.scopes.length === 0) return false;
  const held = new Set(granted);
  return route.scopeMatch === 'ALL_OF' ? route.scopes.every((s) => held.has(s)) : route.scopes.some((s) => held.has(s));
}

function fail(file: string, field: string, rule: string): never {
  throw new Error(`${file}: ${field} ${rule}`);
}

function str(file: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) fail(file, field, 'must be a non-empty string');
  return v;
}

function strings(file: string, field: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(file, field, 'must be an array of strings');
  return v;
}

function num(file: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(file, field, 'must be a positive number');
  return v;
}

function obj(file: string, field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, field, 'must be an object');
  return v as Record<string, unknown>;
}

/** Checks a parsed `config.json`; throws an Error naming the field and the rule. */
export function checkWebUiConfig(doc: unknown): WebUiConfig {
  const f = WEB_UI_FILES.config;
  const c = obj(f, 'the document', doc);
  if (c.version !== WEB_UI_CONFIG_VERSION) fail(f, 'version', `must be ${WEB_UI_CONFIG_VERSION}, got ${JSON.stringify(c.version)}`);
  str(f, 'apiUrl', c.apiUrl);
  str(f, 'tokenEndpoint', c.tokenEndpoint);
  const s = obj(f, 'signIn', c.signIn);
  for (const k of ['authorizeUrl', 'tokenUrl', 'logoutUrl', 'clientId'] as const) str(f, `signIn.${k}`, s[k]);
  strings(f, 'signIn.scopes', s.scopes);
  if (!Array.isArray(c.grantableScopes)) fail(f, 'grantableScopes', 'must be an array');
  c.grantableScopes.forEach((g, i) => {
    const o = obj(f, `grantableScopes[${i}]`, g);
    str(f, `grantableScopes[${i}].name`, o.name);
    if (typeof o.description !== 'string') fail(f, `grantableScopes[${i}].description`, 'must be a string');
  });
  num(f, 'rotationGraceHours', c.rotationGraceHours);
  num(f, 'defaultAccessTokenValidityMinutes', c.defaultAccessTokenValidityMinutes);
  return c as unknown as WebUiConfig;
}

/** Checks a parsed `catalog.json`; throws an Error naming the field and the rule. */
export function checkCatalog(doc: unknown): Catalog {
  const f = WEB_UI_FILES.catalog;
  const c = obj(f, 'the document', doc);
  if (c.version !== CATALOG_VERSION) fail(f, 'version', `must be ${CATALOG_VERSION}, got ${JSON.stringify(c.version)}`);
  if (!Array.isArray(c.apis)) fail(f, 'apis', 'must be an array');
  c.apis.forEach((a, i) => {
    const api = obj(f, `apis[${i}]`, a);
    str(f, `apis[${i}].name`, api.name);
    str(f, `apis[${i}].url`, api.url);
    str(f, `apis[${i}].openApiPath`, api.openApiPath);
    if (!Array.isArray(api.routes)) fail(f, `apis[${i}].routes`, 'must be an array');
    api.routes.forEach((r, j) => {
      const route = obj(f, `apis[${i}].routes[${j}]`, r);
      str(f, `apis[${i}].routes[${j}].method`, route.method);
      str(f, `apis[${i}].routes[${j}].path`, route.path);
      strings(f, `apis[${i}].routes[${j}].scopes`, route.scopes);
      if (!(SCOPE_MATCH_NAMES as readonly unknown[]).includes(route.scopeMatch)) fail(f, `apis[${i}].routes[${j}].scopeMatch`, `must be ${SCOPE_MATCH_NAMES.join(' or ')}`);
      if (typeof route.isPublic !== 'boolean') fail(f, `apis[${i}].routes[${j}].isPublic`, 'must be a boolean');
      for (const k of ['authorizer', 'authorizerReason'] as const) {
        if (route[k] !== undefined && typeof route[k] !== 'string') fail(f, `apis[${i}].routes[${j}].${k}`, 'must be a string when present');
      }
    });
  });
  return c as unknown as Catalog;
}
