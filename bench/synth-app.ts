/**
 * One synth of the synth benchmark (bench/synth.bench.ts runs it in fresh
 * processes): builds an API of N scoped methods and synthesizes it, then
 * prints one JSON line with the process's CPU time and peak RSS.
 *
 *   node synth-app.js <library|plain> <methods> <outdir>
 *
 * library: a ScopedRestApi behind the default (tenant-aware Lambda)
 * authorizer. plain: the same resources and methods in aws-cdk-lib alone
 * (apigateway.RestApi, a Cognito user pool authorizer with the same scopes).
 * Both use the same Lambda integrations (one function per service).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { M2mUserPool, ResourceServer, ScopedRestApi } from '../lib';

/** A method of the benchmark API: path parts from the root, verb, and the service scope it needs. */
export interface BenchMethod {
  readonly service: number;
  readonly parts: readonly string[];
  readonly verb: string;
  readonly scope: 'read' | 'write';
}

/** Services per resource server: two scopes each, within Cognito's 100 scopes per server. */
const SERVICES_PER_SERVER = 50;
/** One service in this many also forwards `ANY /svcN/legacy/{proxy+}` to its function. */
const PROXY_EVERY = 20;

/**
 * The first `n` methods of an API shaped like a platform's: per service
 * `/svcN/items`, `/svcN/items/{itemId}`, `/svcN/items/{itemId}/notes`,
 * `/svcN/items/{itemId}/notes/{noteId}`, `/svcN/search` with GET, POST, PUT,
 * PATCH and DELETE, read and write scopes per service, and a few proxies.
 */
export function benchMethods(n: number): BenchMethod[] {
  const out: BenchMethod[] = [];
  for (let k = 0; out.length < n; k++) {
    const svc = `svc${k}`;
    const service: BenchMethod[] = [
      { service: k, parts: [svc, 'items'], verb: 'GET', scope: 'read' },
      { service: k, parts: [svc, 'items'], verb: 'POST', scope: 'write' },
      { service: k, parts: [svc, 'items', '{itemId}'], verb: 'GET', scope: 'read' },
      { service: k, parts: [svc, 'items', '{itemId}'], verb: 'PUT', scope: 'write' },
      { service: k, parts: [svc, 'items', '{itemId}'], verb: 'PATCH', scope: 'write' },
      { service: k, parts: [svc, 'items', '{itemId}'], verb: 'DELETE', scope: 'write' },
      { service: k, parts: [svc, 'items', '{itemId}', 'notes'], verb: 'GET', scope: 'read' },
      { service: k, parts: [svc, 'items', '{itemId}', 'notes'], verb: 'POST', scope: 'write' },
      { service: k, parts: [svc, 'items', '{itemId}', 'notes', '{noteId}'], verb: 'GET', scope: 'read' },
      { service: k, parts: [svc, 'items', '{itemId}', 'notes', '{noteId}'], verb: 'DELETE', scope: 'write' },
      { service: k, parts: [svc, 'search'], verb: 'GET', scope: 'read' },
    ];
    if (k % PROXY_EVERY === PROXY_EVERY - 1) service.push({ service: k, parts: [svc, 'legacy', '{proxy+}'], verb: 'ANY', scope: 'write' });
    out.push(...service.slice(0, n - out.length));
  }
  return out;
}

/** The scope names of a service, as declared on its resource server. */
function scopeNames(service: number): { read: string; write: string } {
  return { read: `svc${service}-read`, write: `svc${service}-write` };
}

function serverIdentifier(server: number): string {
  return `https://api.acme.example/part${server}`;
}

/** The resources and one function per service, shared by both apps. */
class Backend {
  private readonly resources = new Map<string, apigateway.IResource>();
  private readonly integrations = new Map<number, apigateway.LambdaIntegration>();

  constructor(private readonly scope: Construct, private readonly root: apigateway.IResource) {}

  public resource(parts: readonly string[]): apigateway.IResource {
    let node = this.root;
    for (let i = 0; i < parts.length; i++) {
      const key = parts.slice(0, i + 1).join('/');
      let next = this.resources.get(key);
      if (!next) {
        next = node.addResource(parts[i]);
        this.resources.set(key, next);
      }
      node = next;
    }
    return node;
  }

  public integration(service: number): apigateway.LambdaIntegration {
    let integration = this.integrations.get(service);
    if (!integration) {
      const fn = new lambda.Function(this.scope, `Svc${service}`, {
        runtime: lambda.Runtime.NODEJS_20_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
        timeout: Duration.seconds(10),
      });
      integration = new apigateway.LambdaIntegration(fn);
      this.integrations.set(service, integration);
    }
    return integration;
  }
}

function servicesOf(methods: readonly BenchMethod[]): number {
  return methods.reduce((max, m) => Math.max(max, m.service + 1), 0);
}

/** A ScopedRestApi behind the library's default authorizer. */
export function libraryApp(stack: Stack, methods: readonly BenchMethod[]): void {
  const services = servicesOf(methods);
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-bench' });
  const servers: ResourceServer[] = [];
  for (let s = 0; s * SERVICES_PER_SERVER < services; s++) {
    const scopes = [];
    for (let k = s * SERVICES_PER_SERVER; k < Math.min(services, (s + 1) * SERVICES_PER_SERVER); k++) {
      const names = scopeNames(k);
      scopes.push({ name: names.read, description: `Read svc${k}` }, { name: names.write, description: `Write svc${k}` });
    }
    servers.push(pool.addResourceServer(`Part${s}`, { identifier: serverIdentifier(s), scopes }));
  }
  const api = new ScopedRestApi(stack, 'Api', { userPool: pool });
  const backend = new Backend(stack, api.root);
  for (const m of methods) {
    const server = servers[Math.floor(m.service / SERVICES_PER_SERVER)];
    api.addScopedMethod(backend.resource(m.parts), m.verb, backend.integration(m.service), {
      scopes: [server.scope(scopeNames(m.service)[m.scope])],
    });
  }
}

/** The same resources and methods in aws-cdk-lib alone: RestApi + Cognito user pool authorizer. */
export function plainApp(stack: Stack, methods: readonly BenchMethod[]): void {
  const services = servicesOf(methods);
  const pool = new cognito.UserPool(stack, 'Pool');
  pool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'acme-bench' } });
  for (let s = 0; s * SERVICES_PER_SERVER < services; s++) {
    const scopes = [];
    for (let k = s * SERVICES_PER_SERVER; k < Math.min(services, (s + 1) * SERVICES_PER_SERVER); k++) {
      const names = scopeNames(k);
      scopes.push(
        new cognito.ResourceServerScope({ scopeName: names.read, scopeDescription: `Read svc${k}` }),
        new cognito.ResourceServerScope({ scopeName: names.write, scopeDescription: `Write svc${k}` }),
      );
    }
    pool.addResourceServer(`Part${s}`, { identifier: serverIdentifier(s), scopes });
  }
  const api = new apigateway.RestApi(stack, 'Api');
  const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Authorizer', { cognitoUserPools: [pool] });
  const backend = new Backend(stack, api.root);
  for (const m of methods) {
    const server = Math.floor(m.service / SERVICES_PER_SERVER);
    backend.resource(m.parts).addMethod(m.verb, backend.integration(m.service), {
      authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizationScopes: [`${serverIdentifier(server)}/${scopeNames(m.service)[m.scope]}`],
    });
  }
}

/** The line a run prints: CPU of the whole process (start-up, loading, build, synth) and of build + synth alone. */
export interface SynthRun {
  readonly cpuMs: number;
  readonly synthCpuMs: number;
  readonly peakRssMb: number;
  readonly resources: number;
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function main(): void {
  const [kind, n, outdir] = process.argv.slice(2);
  const count = Number(n);
  if ((kind !== 'library' && kind !== 'plain') || !Number.isInteger(count) || count < 1 || !outdir) {
    throw new Error(`usage: synth-app <library|plain> <methods> <outdir> (got ${process.argv.slice(2).join(' ')})`);
  }
  const start = process.cpuUsage();
  // Large APIs pass CloudFormation's 500-resource stack limit: a synth measurement, not a deployable stack.
  const app = new App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench', { env: { account: '111111111111', region: 'us-east-1' } });
  (kind === 'library' ? libraryApp : plainApp)(stack, benchMethods(count));
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, unknown> };
  const run: SynthRun = {
    cpuMs: cpuMs(process.cpuUsage()),
    synthCpuMs: cpuMs(process.cpuUsage(start)),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    resources: Object.keys(template.Resources).length,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

if (require.main === module) main();
