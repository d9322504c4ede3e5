/**
 * A synthesized REST API, run locally to see what its Lambda backends receive.
 * Everything comes from the template and the cloud assembly, nothing from the
 * library's constants:
 * - "Cognito": each user pool's OIDC discovery document and JWKS on 127.0.0.1
 *   (the issuers' host is sent there by the fetch transport);
 * - "API Gateway": routes requests to the template's methods; runs each
 *   method's authorizer as the template declares it (TOKEN: the real
 *   tenant-aware authorizer, built from its function's environment and the
 *   routes.json its asset ships, its policy enforced as API Gateway does; JWT:
 *   the authorizer's `JwtConfiguration` checked with aws-jwt-verify against
 *   the pool's JWKS); evaluates the integration's `RequestParameters`
 *   (`evaluateMapping`) and calls Invoke with the proxy event;
 * - "Lambda": the Invoke API (`POST /2015-03-31/functions/<fn>/invocations`),
 *   recording the `X-Amz-Tenant-Id` lines and the event of every call, and
 *   refusing a call without a tenant to a function in tenant isolation mode.
 * Not emulated (and failing loudly when a template needs it): path
 * parameters, request validation, mapping templates, other intrinsics.
 * The TOKEN authorizer's result cache is not emulated: each request runs it.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { fakeClientId } from './client-directory';
import { Authorizer, createAuthorizer } from '../../lambda/authorizer/authorizer';
import { configFromEnv } from '../../lambda/authorizer/config';
import { httpsGet, Transport } from '../../lambda/authorizer/https-get';
import { Logger } from '../../lambda/shared/log';
import { evaluatePolicy } from '../lambda/authorizer/iam-eval';

type Resource = { readonly Type: string; readonly Properties?: any };
/** A request's headers as the client sent them: name and value, in order, repeats kept. */
export type RawHeaders = ReadonlyArray<readonly [string, string]>;

const alnum = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
const lastHeader = (headers: RawHeaders, name: string) =>
  headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v).pop();

/** A template's resources with the physical ids a deployment would give them (stand-ins of the right shape). */
export class DeployedTemplate {
  public readonly resources: Record<string, Resource>;
  constructor(template: { Resources: Record<string, Resource> }, readonly region: string, readonly account: string) {
    this.resources = template.Resources;
  }

  public resource(id: string): Resource {
    const r = this.resources[id];
    if (!r) throw new Error(`the template has no resource ${id}`);
    return r;
  }

  public ofType(type: string): Array<[string, Resource]> {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** `Ref`: a pool id, a client id, an API id of the right shape; the logical id for other resources. */
  public ref(id: string): string {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Region': this.region, 'AWS::AccountId': this.account };
    if (pseudo[id]) return pseudo[id];
    switch (this.resource(id).Type) {
      case 'AWS::Cognito::UserPool': return `${this.region}_${alnum(id)}`;
      case 'AWS::Cognito::UserPoolClient': return fakeClientId(id);
      case 'AWS::ApiGateway::RestApi': return alnum(id).slice(0, 10).toLowerCase();
      default: return id;
    }
  }

  public getAtt(id: string, attribute: string): string {
    const type = this.resource(id).Type;
    if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${this.region}:${this.account}:function:${id}`;
    if (type === 'AWS::ApiGateway::RestApi' && attribute === 'RootResourceId') return `${id}/`;
    throw new Error(`Fn::GetAtt ${id}.${attribute} (${type}) is not emulated`);
  }

  /** A property value with Ref, Fn::GetAtt, Fn::Join, Fn::Select and Fn::Split resolved; any other intrinsic throws. */
  public resolve(v: any): any {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (typeof v !== 'object' || v === null) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const arg = v[keys[0]];
      switch (keys[0]) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(arg[0], arg[1]);
        case 'Fn::Join': return (this.resolve(arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(arg[0])];
        case 'Fn::Split': return (this.resolve(arg[1]) as string).split(arg[0]);
        default: throw new Error(`intrinsic ${keys[0]} is not emulated`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(v[k])]));
  }

  /** The client id of the app client named `clientName` (a TenantAppClient's name is its tenant). */
  public clientIdOf(clientName: string): string {
    const found = this.ofType('AWS::Cognito::UserPoolClient').filter(([, r]) => r.Properties.ClientName === clientName);
    if (found.length !== 1) throw new Error(`expected one app client named ${clientName}, found ${found.length}`);
    return this.ref(found[0][0]);
  }

  /** The one user pool's issuer (ORIGINAL format). */
  public issuer(): string {
    const pools = this.ofType('AWS::Cognito::UserPool');
    if (pools.length !== 1) throw new Error(`expected one user pool, found ${pools.length}`);
    return `https://cognito-idp.${this.region}.amazonaws.com/${this.ref(pools[0][0])}`;
  }

  /** The path of an `AWS::ApiGateway::Resource` (or of the API's root). */
  public pathOf(resourceId: string): string {
    if (resourceId.endsWith('/')) return '';
    const props = this.resource(resourceId).Properties;
    if (/[{}]/.test(props.PathPart)) throw new Error(`path parameters (${props.PathPart}) are not emulated`);
    return `${this.pathOf(this.resolve(props.ParentId))}/${props.PathPart}`;
  }
}

/** What the mapping expressions of an integration request read (API Gateway's names). */
export interface MappingSources {
  /** The caller's headers (`method.request.header.<name>`). */
  readonly headers: RawHeaders;
  /** The method's declared request parameters: API Gateway maps only those (`Method.RequestParameters`). */
  readonly declared: Readonly<Record<string, boolean>>;
  /** `context.authorizer`: a Lambda authorizer's context, or `{ claims }` for a JWT or Cognito authorizer. */
  readonly authorizer: Readonly<Record<string, unknown>>;
}

/**
 * One parameter-mapping expression, as API Gateway documents them for REST APIs
 * ("Parameter mapping source reference"): a static value `'…'`,
 * `context.authorizer.claims.<claim>`, `context.authorizer.<key>`, or a declared
 * `method.request.header.<name>` (its last value). Undefined when the source is
 * absent. Any other expression is not emulated and throws.
 */
export function evaluateMapping(expression: string, sources: MappingSources): string | undefined {
  const text = (v: unknown, what: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new Error(`${what} is ${JSON.stringify(v)}: mapping a non-scalar is not emulated`);
  };
  let m = /^'(.*)'$/s.exec(expression);
  if (m) return m[1];
  m = /^context\.authorizer\.claims\.([A-Za-z0-9_:$-]+)$/.exec(expression);
  if (m) {
    const claims = sources.authorizer.claims;
    return typeof claims === 'object' && claims !== null ? text((claims as Record<string, unknown>)[m[1]], expression) : undefined;
  }
  m = /^context\.authorizer\.([A-Za-z0-9_$]+)$/.exec(expression);
  if (m && m[1] !== 'claims') return text(sources.authorizer[m[1]], expression);
  m = /^method\.request\.header\.([A-Za-z0-9._$-]+)$/.exec(expression);
  if (m) {
    if (!(expression in sources.declared)) {
      throw new Error(`${expression} is mapped but the method does not declare it in RequestParameters: API Gateway refuses the integration`);
    }
    return lastHeader(sources.headers, m[1]);
  }
  throw new Error(`mapping expression ${JSON.stringify(expression)} is not emulated`);
}

/** The integration request's headers from `Integration.RequestParameters` (other targets throw); absent sources send nothing. */
export function integrationHeaders(requestParameters: Record<string, string>, sources: MappingSources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [target, expression] of Object.entries(requestParameters)) {
    const m = /^integration\.request\.header\.([A-Za-z0-9._$-]+)$/.exec(target);
    if (!m) throw new Error(`mapping target ${target} is not emulated`);
    const value = evaluateMapping(expression, sources);
    if (value !== undefined) out[m[1]] = value;
  }
  return out;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

/** An HTTP server on 127.0.0.1; an emulation failure answers 599 with its message (a test expecting a status then fails). */
async function listen(handler: (req: http.IncomingMessage, body: string) => Promise<Reply>) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let reply: Reply;
      try {
        reply = await handler(req, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        reply = { status: 599, body: { emulatorError: (err as Error).message } };
      }
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const pairs = (raw: string[]): Array<[string, string]> => raw.flatMap((v, i) => (i % 2 === 0 ? [[v, raw[i + 1]] as [string, string]] : []));

export interface LocalCognito {
  /** https.request's form, sending `https://cognito-idp.<region>.amazonaws.com/…` to the stand-in (anything else throws). */
  readonly transport: Transport;
  close(): Promise<void>;
}

/** Each user pool's discovery document and JWKS (`keys`), on loopback. */
export async function startLocalCognito(t: DeployedTemplate, keys: readonly object[]): Promise<LocalCognito> {
  const host = `cognito-idp.${t.region}.amazonaws.com`;
  const pools = new Set(t.ofType('AWS::Cognito::UserPool').map(([id]) => t.ref(id)));
  const server = await listen(async (req) => {
    const m = /^\/([^/]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m || !pools.has(m[1])) return { status: 404, body: { message: 'not found' } };
    const issuer = `https://${host}/${m[1]}`;
    return { status: 200, body: m[2] === 'jwks.json' ? { keys } : { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` } };
  });
  const { port } = new URL(server.url);
  const transport: Transport = (uri, options, callback) => {
    const u = new URL(uri);
    if (u.protocol !== 'https:' || u.host !== host) throw new Error(`unexpected fetch of ${uri}`);
    return http.request({ ...options, host: '127.0.0.1', port: Number(port), path: u.pathname }, callback);
  };
  return { transport, close: server.close };
}

/** One call of the Invoke API, as the Lambda stand-in received it. */
export interface Invocation {
  readonly functionArn: string;
  /** Every `X-Amz-Tenant-Id` line of the Invoke request (any case), in order. */
  readonly tenantIds: string[];
  /** The Invoke request's headers. */
  readonly headers: RawHeaders;
  /** The proxy event (the request body). */
  readonly event: any;
  /** 200, or 400 for a function in tenant isolation mode called without exactly one non-empty tenant. */
  readonly status: number;
}

export interface LocalLambda {
  readonly url: string;
  readonly invocations: Invocation[];
  close(): Promise<void>;
}

/** Lambda's Invoke API for the template's functions; each answers a proxy result naming the tenant it ran for. */
export async function startLocalLambda(t: DeployedTemplate): Promise<LocalLambda> {
  const functions = new Map(t.ofType('AWS::Lambda::Function').map(([id, r]) => [t.getAtt(id, 'Arn'), r.Properties]));
  const invocations: Invocation[] = [];
  const server = await listen(async (req, body) => {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
    const fn = m && functions.get(decodeURIComponent(m[1]));
    if (req.method !== 'POST' || !m || !fn) return { status: 404, body: { Type: 'User', message: `Function not found: ${req.url}` } };
    const headers = pairs(req.rawHeaders);
    const tenantIds = headers.filter(([n]) => n.toLowerCase() === 'x-amz-tenant-id').map(([, v]) => v);
    const isolated = fn.TenancyConfig?.TenantIsolationMode === 'PER_TENANT';
    const status = isolated && (tenantIds.length !== 1 || tenantIds[0] === '') ? 400 : 200;
    invocations.push({ functionArn: decodeURIComponent(m[1]), tenantIds, headers, event: JSON.parse(body), status });
    if (status !== 200) return { status, body: { Type: 'User', message: 'a function in tenant isolation mode needs X-Amz-Tenant-Id' } };
    const tenantId = isolated ? tenantIds[0] : null;
    return { status, body: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId }) } };
  });
  return { url: server.url, invocations, close: server.close };
}

type Outcome = { ok: true; authorizer: Record<string, unknown> } | { ok: false; status: number };
type MethodAuthorizerRun = (identity: string | undefined, methodArn: string, scopes: readonly string[]) => Promise<Outcome>;
const UNAUTHORIZED = { ok: false, status: 401 } as const;

/** The header a `method.request.header.<name>` identity source reads. */
function identityHeader(source: string): string {
  const m = /^method\.request\.header\.([A-Za-z0-9._$-]+)$/.exec(source);
  if (!m) throw new Error(`identity source ${source} is not emulated`);
  return m[1];
}

/** A TOKEN authorizer: the tenant-aware authorizer built from its function's environment and shipped routes.json. */
function tokenAuthorizer(t: DeployedTemplate, props: any, assemblyDir: string, cognito: LocalCognito, logs: string[]): MethodAuthorizerRun {
  const fnArn = /\/functions\/(arn:[^/]+)\/invocations$/.exec(t.resolve(props.AuthorizerUri))?.[1];
  const fn = t.ofType('AWS::Lambda::Function').find(([id]) => t.getAtt(id, 'Arn') === fnArn);
  if (!fn) throw new Error(`no function for the TOKEN authorizer's URI (${fnArn})`);
  const assetDir = path.join(assemblyDir, `asset.${(fn[1].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  const env = t.resolve(fn[1].Properties.Environment.Variables) as Record<string, string>;
  const authorizer: Authorizer = createAuthorizer(configFromEnv(env, assetDir), {
    jwksTransport: cognito.transport, logger: new Logger('info', (line) => { logs.push(line); }),
  });
  const validation = props.IdentityValidationExpression ? new RegExp(props.IdentityValidationExpression) : undefined;
  return async (identity, methodArn) => {
    if (!identity || (validation && !validation.test(identity))) return UNAUTHORIZED;
    let answer;
    try {
      answer = await authorizer.handle({ type: 'TOKEN', authorizationToken: identity, methodArn });
    } catch {
      return UNAUTHORIZED;
    }
    if (evaluatePolicy(answer.policyDocument, methodArn) !== 'Allow') return { ok: false, status: 403 };
    // API Gateway passes the context's values stringified.
    const context = Object.fromEntries(Object.entries(answer.context).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return { ok: true, authorizer: { principalId: answer.principalId, ...context } };
  };
}

/**
 * A JWT authorizer: its `JwtConfiguration` checked with aws-jwt-verify against
 * keys found through each issuer's discovery document. `aud`, or `client_id`
 * when `aud` is absent (as HTTP APIs document), must be one of the issuer's
 * audiences; each additional claim as declared; any one of the method's scopes.
 */
async function jwtAuthorizer(t: DeployedTemplate, props: any, cognito: LocalCognito): Promise<MethodAuthorizerRun> {
  const { DefaultAlgorithms: algorithms, Issuers: issuers, ...rest } = t.resolve(props.JwtConfiguration);
  if (Object.keys(rest).length > 0) throw new Error(`JwtConfiguration fields ${Object.keys(rest)} are not emulated`);
  const fetcher = { fetch: (uri: string) => httpsGet(uri, 1500, cognito.transport) };
  const configs = await Promise.all((issuers as any[]).map(async ({ Issuer: issuer, Audiences: audiences, AdditionalClaims: claims = [] }) => {
    const discovery = JSON.parse(Buffer.from(await fetcher.fetch(`${issuer}/.well-known/openid-configuration`)).toString('utf8'));
    if (discovery.issuer !== issuer) throw new Error(`the discovery document of ${issuer} names ${discovery.issuer}`);
    const customJwtCheck = ({ header, payload }: { header: { alg?: string }; payload: JwtPayload }) => {
      if (!algorithms.includes(header.alg)) throw new Error(`alg ${header.alg} is not allowed`);
      const aud = payload.aud ?? payload.client_id;
      if (![aud].flat().some((a) => audiences.includes(a))) throw new Error('audience not accepted');
      for (const { ClaimName: name, Format: format, ExpectedValues: expected, Required: required, ...other } of claims) {
        if (format !== 'SINGLE_STRING' || Object.keys(other).length > 0) throw new Error(`additional claim ${JSON.stringify(other)} (${format}) is not emulated`);
        const value = payload[name];
        if (value === undefined) {
          if (required) throw new Error(`claim ${name} is required`);
        } else if (typeof value !== 'string' || (expected && !expected.includes(value))) {
          throw new Error(`claim ${name} has an unexpected value`);
        }
      }
    };
    return { issuer, jwksUri: discovery.jwks_uri as string, audience: null, customJwtCheck };
  }));
  const verifier = JwtVerifier.create(configs, { jwksCache: new SimpleJwksCache({ fetcher }) });
  return async (identity, _methodArn, scopes) => {
    if (!identity) return UNAUTHORIZED;
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(identity.replace(/^Bearer /, ''));
    } catch {
      return UNAUTHORIZED;
    }
    const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (scopes.length > 0 && !scopes.some((s) => granted.includes(s))) return { ok: false, status: 403 };
    return { ok: true, authorizer: { claims: payload } };
  };
}

export interface LocalApiGateway {
  readonly url: string;
  readonly stage: string;
  /** The tenant-aware authorizer's log lines. */
  readonly authorizerLogs: string[];
  close(): Promise<void>;
}

/** The template's one REST API and stage, on loopback, calling `lambda` for its AWS_PROXY integrations. */
export async function startLocalApiGateway(
  t: DeployedTemplate, assemblyDir: string, cognito: LocalCognito, lambda: LocalLambda,
): Promise<LocalApiGateway> {
  const [[apiLogicalId]] = t.ofType('AWS::ApiGateway::RestApi');
  const stages = t.ofType('AWS::ApiGateway::Stage');
  if (stages.length !== 1) throw new Error(`expected one stage, found ${stages.length}`);
  const stage: string = stages[0][1].Properties.StageName;
  const apiPrefix = `arn:aws:execute-api:${t.region}:${t.account}:${t.ref(apiLogicalId)}`;
  const authorizerLogs: string[] = [];
  const authorizers = new Map<string, { header: string; run: MethodAuthorizerRun }>();
  for (const [id, { Properties: props }] of t.ofType('AWS::ApiGateway::Authorizer')) {
    const run = props.Type === 'TOKEN' ? tokenAuthorizer(t, props, assemblyDir, cognito, authorizerLogs)
      : props.Type === 'JWT' ? await jwtAuthorizer(t, props, cognito)
        : undefined;
    if (!run) throw new Error(`authorizer type ${props.Type} is not emulated`);
    authorizers.set(id, { header: identityHeader(props.IdentitySource), run });
  }
  const methods = t.ofType('AWS::ApiGateway::Method').map(([, r]) => t.resolve(r.Properties)).map((m) => ({ ...m, path: t.pathOf(m.ResourceId) || '/' }));

  const server = await listen(async (req, body) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = methods.find((m) => m.HttpMethod === req.method && m.path === url.pathname);
    if (!method) return { status: 403, body: { message: 'Missing Authentication Token' } };
    const integration = method.Integration;
    if (integration.Type !== 'AWS_PROXY' || integration.IntegrationHttpMethod !== 'POST' || integration.RequestTemplates) {
      throw new Error(`integration ${integration.Type} ${integration.IntegrationHttpMethod} is not emulated`);
    }
    const headers = pairs(req.rawHeaders);
    const methodArn = `${apiPrefix}/${stage}/${req.method}${url.pathname}`;
    let authorizer: Record<string, unknown> = {};
    if (method.AuthorizationType !== 'NONE') {
      const auth = authorizers.get(method.AuthorizerId);
      if (!auth) throw new Error(`authorization ${method.AuthorizationType} without an emulated authorizer`);
      const outcome = await auth.run(lastHeader(headers, auth.header), methodArn, method.AuthorizationScopes ?? []);
      if (!outcome.ok) return { status: outcome.status, body: { message: outcome.status === 401 ? 'Unauthorized' : 'Forbidden' } };
      authorizer = outcome.authorizer;
    }
    const invokeHeaders = integrationHeaders(integration.RequestParameters ?? {}, { headers, declared: method.RequestParameters ?? {}, authorizer });
    const event = {
      resource: method.path,
      path: url.pathname,
      httpMethod: req.method,
      // REST API proxy events: the last value of each header, and every value in multiValueHeaders.
      headers: Object.fromEntries(headers),
      multiValueHeaders: headers.reduce<Record<string, string[]>>((acc, [n, v]) => ({ ...acc, [n]: [...(acc[n] ?? []), v] }), {}),
      queryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: {
        accountId: t.account,
        apiId: t.ref(apiLogicalId),
        stage,
        resourcePath: method.path,
        httpMethod: req.method,
        requestId: randomUUID(),
        authorizer,
      },
      body: body || null,
      isBase64Encoded: false,
    };
    const invokePath = /:lambda:path(\/2015-03-31\/functions\/.+\/invocations)$/.exec(integration.Uri)?.[1];
    if (!invokePath) throw new Error(`integration URI ${integration.Uri} is not a Lambda Invoke`);
    const invoked = await request(`${lambda.url}${invokePath}`, 'POST', { 'content-type': 'application/json', ...invokeHeaders }, JSON.stringify(event));
    if (invoked.status !== 200) return { status: 500, body: { message: 'Internal server error' } };
    const result = JSON.parse(invoked.body);
    return { status: result.statusCode, headers: result.headers, body: result.body ?? '' };
  });
  return { url: server.url, stage, authorizerLogs, close: server.close };
}

/** An HTTP request on loopback; a header given an array is sent once per value. */
export function request(
  url: string, method: string, headers: Record<string, string | string[]>, body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
