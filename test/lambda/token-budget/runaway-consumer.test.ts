/**
 * examples/runaway-consumer.ts, run on local servers from its synthesized
 * template: the authorizer as the example stages it (its asset: the registry
 * build and its routes.json) with the variables the template gives it, the
 * budget function (test harness, dynalite with transactions) with the
 * budgets of the template's TOKEN_BUDGETS, and the tenants' services
 * (examples/consumer/orders-caller.ts) with the variables their functions
 * get, against a loopback server that stands in for Secrets Manager (the
 * tenants' secrets as the template writes them), Cognito's token endpoint
 * and API Gateway (each request through the authorizer). globex's service
 * asks for a new token before every call; initech's reuses one. Nothing is
 * denied within the budget; after the token that crosses it is counted,
 * globex's client is denied `token_budget` within the cache TTL while
 * initech keeps working, and the alarm topic hears of it once, naming
 * tenant and client.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUDGET_TABLE, Harness, startHarness } from './harness';
import type { BudgetConfig } from '../../../lib/private/contracts/token-budget';
import { API_PREFIX, claims, jwksOf, makeKey, sign, USER_POOL_ID } from '../authorizer/helpers';

const START = Date.UTC(2030, 0, 1, 10, 5);
const STACK = 'CognitoM2mExampleRunawayConsumer';
const key = makeKey();
let h: Harness;
let outdir: string;
let bundleDir: string;
let handler: (event: unknown) => Promise<{ principalId: string }>;
let ttlMs: number;
let clientTenants: Record<string, string>;
/** The client id each app client's logical id stands for, as CloudFormation would give it. */
const clientIds = new Map<string, string>();
const stdout: string[] = [];
/** The tenants' services as the example deploys them: the handler of examples/consumer/orders-caller.ts with its function's variables. */
const callers: Record<string, (event: unknown) => Promise<{ calls: number; statuses: Record<string, number> }>> = {};
/** Token requests the local token endpoint answered, by client id. */
const tokenRequests = new Map<string, number>();
let server: http.Server;
const realNow = Date.now;
const realWrite = process.stdout.write.bind(process.stdout);
let saved: NodeJS.ProcessEnv;

/** A template value with each Ref of an app client replaced by its client id (of the pool and the budget table: the local ones). */
function deployed(template: any, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((p) => deployed(template, p)).join(v['Fn::Join'][0]);
  const type = template.Resources[v.Ref]?.Type;
  if (v.Ref === 'AWS::Region') return 'us-east-1';
  if (v['Fn::GetAtt']?.[1] === 'ClientSecret') return `secret-of-${v['Fn::GetAtt'][0]}`;
  if (type === 'AWS::Cognito::UserPool') return USER_POOL_ID;
  if (type === 'AWS::Cognito::UserPoolDomain') return template.Resources[v.Ref].Properties.Domain;
  if (type === 'AWS::Cognito::UserPoolResourceServer') return template.Resources[v.Ref].Properties.Identifier;
  if (type === 'AWS::SecretsManager::Secret') return v.Ref;
  if (type === 'AWS::DynamoDB::Table') return BUDGET_TABLE;
  if (type === 'AWS::Cognito::UserPoolClient') {
    if (!clientIds.has(v.Ref)) clientIds.set(v.Ref, `client${clientIds.size + 1}${v.Ref.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20)}`);
    return clientIds.get(v.Ref)!;
  }
  throw new Error(`no deployed value for ${JSON.stringify(value)}`);
}

function fnByDescription(template: any, prefix: string): any {
  const found = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0];
}

beforeAll(async () => {
  // Synthesize the example with this repository's library (lib/) in place of the package it imports, which
  // resolves to out/index.js through examples/node_modules (the module only has to exist: its exports are lib's).
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'runaway-consumer-'));
  saved = { ...process.env };
  process.env.CDK_OUTDIR = outdir;
  jest.doMock('../../../out/index', () => jest.requireActual('../../../lib'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jest.isolateModules(() => { require('../../../examples/runaway-consumer'); });
  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8'));

  const authorizer = fnByDescription(template, 'Verifies Cognito M2M access tokens');
  const authorizerEnv = Object.fromEntries(Object.entries(authorizer.Properties.Environment.Variables).map(([k, v]) => [k, deployed(template, v)]));
  const budgetEnv = fnByDescription(template, 'Counts the tokens').Properties.Environment.Variables;
  const budgets = JSON.parse(deployed(template, budgetEnv.TOKEN_BUDGETS)) as BudgetConfig;
  ttlMs = Number(authorizerEnv.BUDGET_CACHE_TTL_SECONDS) * 1000;
  clientTenants = JSON.parse(authorizerEnv.CLIENT_TENANTS);

  h = await startHarness(budgets, START);
  Date.now = () => h.clock;
  // The authorizer's asset as staged: the bundle and its routes.json.
  const assets = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.assets.json`), 'utf8')).files as Record<string, { source: { path: string } }>;
  const assetDir = Object.values(assets).map((a) => path.join(outdir, a.source.path)).find((d) => fs.existsSync(path.join(d, 'routes.json')))!;
  const jwksPath = path.join(outdir, 'jwks.json');
  fs.writeFileSync(jwksPath, JSON.stringify(jwksOf(key)));
  // Inside the repository, so the bundle finds the DynamoDB client in node_modules as it does in the Lambda runtime.
  bundleDir = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache', path.basename(outdir));
  fs.cpSync(assetDir, bundleDir, { recursive: true });
  Object.assign(process.env, authorizerEnv, {
    JWKS_PATH: jwksPath,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_DYNAMODB: h.server.endpoint,
  });
  process.stdout.write = ((chunk: string) => {
    for (const l of String(chunk).split('\n').filter(Boolean)) (l.includes('"_aws"') && l.includes('"Service"') ? emf : stdout).push(l);
    return true;
  }) as typeof process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(path.join(bundleDir, 'index.js')).handler;

  // The tenants' secrets as the template writes them, with the token endpoint on loopback.
  server = http.createServer((req, res) => { void serve(req, res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const [id, r] of Object.entries(template.Resources as Record<string, any>)) {
    if (r.Type !== 'AWS::SecretsManager::Secret') continue;
    secrets.set(id, JSON.stringify({ ...JSON.parse(deployed(template, r.Properties.SecretString)), tokenEndpoint: `${local}/oauth2/token` }));
  }
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = local;
  // The services, each with its function's variables (the API's URL: its stage on the local server).
  for (const tenant of ['globex', 'initech']) {
    const fn = fnByDescription(template, `${tenant}'s orders caller`);
    const vars = fn.Properties.Environment.Variables;
    const stage = template.Resources[vars.ORDERS_API_URL['Fn::Join'][1].find((p: any) => template.Resources[p.Ref]?.Type === 'AWS::ApiGateway::Stage').Ref].Properties.StageName;
    const { ORDERS_API_URL: _url, ...rest } = vars;
    const env = { ...process.env, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, deployed(template, v)])), ORDERS_API_URL: `${local}/${stage}/` };
    jest.isolateModules(() => {
      const before = process.env;
      process.env = env;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        callers[tenant] = require('../../../examples/consumer/orders-caller').handler;
      } finally {
        process.env = before;
      }
    });
    callerEnv.set(tenant, env);
  }
}, 120_000);

const secrets = new Map<string, string>();
const callerEnv = new Map<string, NodeJS.ProcessEnv>();

/** Secrets Manager's GetSecretValue, Cognito's token endpoint and API Gateway (GET /<stage>/orders through the authorizer). */
async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const send = (status: number, value: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type }).end(JSON.stringify(value));
  };
  if (req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
    const id = JSON.parse(body).SecretId as string;
    const value = secrets.get(id);
    return value === undefined
      ? send(400, { __type: 'ResourceNotFoundException', message: 'Secrets Manager can\'t find the specified secret.' }, 'application/x-amz-json-1.1')
      : send(200, { ARN: id, Name: id, SecretString: value }, 'application/x-amz-json-1.1');
  }
  if (req.method === 'POST' && req.url === '/oauth2/token') {
    // client_secret_basic: the form-encoded client id and secret (RFC 6749 2.3.1).
    const [id, secret] = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString('utf8').split(':').map(decodeURIComponent);
    const known = [...secrets.values()].map((v) => JSON.parse(v)).find((c) => c.clientId === id && c.clientSecret === secret);
    if (!known) return send(400, { error: 'invalid_client' });
    tokenRequests.set(id, (tokenRequests.get(id) ?? 0) + 1);
    const scope = new URLSearchParams(body).get('scope') ?? known.scope;
    return send(200, { access_token: sign(key, claims({ client_id: id, sub: id, scope })), expires_in: 3600, token_type: 'Bearer' });
  }
  const route = /^\/([^/]+)\/orders$/.exec(req.url ?? '');
  if (req.method === 'GET' && route) {
    const answer = await call(String(req.headers.authorization ?? '').replace(/^Bearer /, ''), `${API_PREFIX}/${route[1]}/GET/orders`);
    return answer === 'allowed' ? send(200, { orders: [] }) : answer === 'Unauthorized' ? send(401, { message: 'Unauthorized' }) : send(403, { message: 'Forbidden' });
  }
  send(404, { message: 'not found' });
}
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  process.env = saved;
  process.stdout.write = realWrite;
  Date.now = realNow;
  await h?.close();
  fs.rmSync(outdir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

/**
 * One authorizer invocation: the answer, once the turn is over. The authorizer writes its lines then
 * (lambda/shared/log.ts `afterTurn`), as in Lambda, where the runtime asks for the next event only after the turn.
 */
const call = (token: string, methodArn: string) => handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn })
  .then((r: any) => (r.policyDocument.Statement.some((st: any) => st.Effect === 'Allow') ? 'allowed' : 'denied'), (e: Error) => e.message)
  .then((answer) => new Promise<string>((resolve) => setImmediate(() => resolve(answer))));
/** The client of a tenant, as the authorizer's CLIENT_TENANTS maps them. */
const clientOf = (tenantId: string) => Object.entries(clientTenants).find(([, t]) => t === tenantId)![0];
/** The subscription filter's delivery: every first-seen line since the last one, in one batch. */
async function shipLogs(): Promise<void> {
  const lines = stdout.splice(0).filter((l) => l.includes('"token first seen"'));
  if (lines.length > 0) await h.deliver(lines);
}
/** Invokes a tenant's service (aws lambda invoke --payload '{"calls":n}'), with its function's variables. */
async function invoke(tenant: string, calls: number) {
  const before = process.env;
  process.env = callerEnv.get(tenant)!;
  try {
    return await callers[tenant]({ calls });
  } finally {
    process.env = before;
  }
}
/** The services' EMF lines so far: TokenFetched and TokenCacheHit summed by Service. */
function reported(): Record<string, { fetched: number; cacheHits: number }> {
  const out: Record<string, { fetched: number; cacheHits: number }> = {};
  for (const l of emf) {
    const o = JSON.parse(l);
    const r = (out[o.Service] ??= { fetched: 0, cacheHits: 0 });
    r.fetched += o.TokenFetched ?? 0;
    r.cacheHits += o.TokenCacheHit ?? 0;
  }
  return out;
}
const emf: string[] = [];

test('globex\'s runaway service is suspended after its hourly budget; initech\'s keeps working', async () => {
  // GIVEN the example's budgets: 120 new tokens an hour per client, suspended 30 minutes past it
  const budget = 120;
  // WHEN each service is invoked 6 times with 20 calls, the logs delivered after each pair of invocations
  for (let i = 0; i < budget / 20; i++) {
    expect(await invoke('globex', 20)).toEqual({ calls: 20, statuses: { 200: 20 } });
    expect(await invoke('initech', 20)).toEqual({ calls: 20, statuses: { 200: 20 } });
    await shipLogs();
    h.clock += 5_000;
  }
  // THEN globex asked for a token per call, initech for one; nothing was denied and nobody alarmed
  expect(Object.fromEntries(tokenRequests)).toEqual({ [clientOf('globex')]: 120, [clientOf('initech')]: 1 });
  expect(h.published).toEqual([]);
  expect(await h.items('SUSPENSION#')).toEqual([]);

  // WHEN globex's next call uses its 121st token and the token is counted
  expect(await invoke('globex', 1)).toEqual({ calls: 1, statuses: { 200: 1 } });
  await shipLogs();
  // THEN the topic hears once, naming tenant, client, budget, window and count; the client is suspended for 30 minutes
  expect(h.published).toEqual([expect.objectContaining({
    kind: 'TokenBudgetExceeded',
    subject: 'client',
    tenantId: 'globex',
    clientId: clientOf('globex'),
    window: 'hour',
    budget: 120,
    count: 121,
    suspendedUntil: new Date(Math.floor(h.clock / 1000) * 1000 + 30 * 60_000).toISOString(),
  })]);
  // AND after the authorizer's cache TTL globex's calls are answered 401 (token_budget), while initech's are answered 200
  h.clock += ttlMs;
  expect(await invoke('globex', 3)).toEqual({ calls: 3, statuses: { 401: 3 } });
  expect(JSON.parse([...stdout].reverse().find((l) => l.includes('"denied"'))!)).toMatchObject({ reason: 'token_budget', clientId: clientOf('globex') });
  expect(await invoke('initech', 3)).toEqual({ calls: 3, statuses: { 200: 3 } });
  await shipLogs();
  expect(h.published).toHaveLength(1);
  // AND what the services reported (their EMF lines) shows the bug: globex fetched a token per call (and one more
  // after each 401), never from its cache; initech fetched one and served the rest from its cache
  expect(reported()).toEqual({
    'globex-orders-caller': { fetched: 121 + 3 * 2, cacheHits: 0 },
    'initech-orders-caller': { fetched: 1, cacheHits: 120 + 3 - 1 },
  });
});
