/**
 * examples/runaway-consumer.ts, run on local servers from its synthesized
 * template: the authorizer as the example stages it (its asset: the registry
 * build and its routes.json) with the variables the template gives it, and
 * the budget function (test harness, dynalite with transactions) with the
 * budgets of the template's TOKEN_BUDGETS. globex's consumer asks for a new
 * token before every call; initech's reuses one. Nothing is denied within
 * the budget; after the token that crosses it is counted, globex's client is
 * denied `token_budget` within the cache TTL while initech keeps working,
 * and the alarm topic hears of it once, naming tenant and client.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUDGET_TABLE, Harness, startHarness } from './harness';
import type { BudgetConfig } from '../../../lib/private/contracts/token-budget';
import { claims, jwksOf, makeKey, METHOD_ARN, sign, USER_POOL_ID } from '../authorizer/helpers';

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
const realNow = Date.now;
const realWrite = process.stdout.write.bind(process.stdout);
let saved: NodeJS.ProcessEnv;

/** A template value with each Ref of an app client replaced by its client id (of the pool and the budget table: the local ones). */
function deployed(template: any, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((p) => deployed(template, p)).join(v['Fn::Join'][0]);
  const type = template.Resources[v.Ref]?.Type;
  if (type === 'AWS::Cognito::UserPool') return USER_POOL_ID;
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
  process.stdout.write = ((chunk: string) => { stdout.push(...String(chunk).split('\n').filter(Boolean)); return true; }) as typeof process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(path.join(bundleDir, 'index.js')).handler;
}, 120_000);
afterAll(async () => {
  process.env = saved;
  process.stdout.write = realWrite;
  Date.now = realNow;
  await h?.close();
  fs.rmSync(outdir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

/**
 * One invocation: the answer, once the turn is over. The authorizer writes its lines then (lambda/shared/log.ts
 * `afterTurn`), as in Lambda, where the runtime asks for the next event only after the turn.
 */
const call = (token: string) => handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN })
  .then(() => 'allowed', (e: Error) => e.message)
  .then((answer) => new Promise<string>((resolve) => setImmediate(() => resolve(answer))));
/** The client of a tenant, as the authorizer's CLIENT_TENANTS maps them. */
const clientOf = (tenantId: string) => Object.entries(clientTenants).find(([, t]) => t === tenantId)![0];
const newToken = (tenantId: string) => sign(key, claims({ client_id: clientOf(tenantId), sub: clientOf(tenantId), scope: 'https://api.acme.example/orders/read' }));
/** The subscription filter's delivery: every first-seen line since the last one, in one batch. */
async function shipLogs(): Promise<void> {
  const lines = stdout.splice(0).filter((l) => l.includes('"token first seen"'));
  if (lines.length > 0) await h.deliver(lines);
}

test('globex\'s runaway consumer is suspended after its hourly budget; initech keeps working', async () => {
  // GIVEN the example's budgets: 120 new tokens an hour per client, suspended 30 minutes past it
  const budget = 120;
  const initech = newToken('initech');
  const denied: string[] = [];
  // WHEN globex's consumer asks for a token per call, 120 calls over an hour's first minutes, delivered in batches of 20
  for (let i = 1; i <= budget; i++) {
    const r = await call(newToken('globex'));
    if (r !== 'allowed') denied.push(`globex call ${i}: ${r}`);
    if ((await call(initech)) !== 'allowed') denied.push(`initech at globex call ${i}`);
    if (i % 20 === 0) { await shipLogs(); h.clock += 5_000; }
  }
  // THEN within the budget nothing is denied and nobody alarmed
  expect(denied).toEqual([]);
  expect(h.published).toEqual([]);
  expect(await h.items('SUSPENSION#')).toEqual([]);

  // WHEN the 121st token is used and counted
  expect(await call(newToken('globex'))).toBe('allowed');
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
  // AND after the authorizer's cache TTL every globex token is denied token_budget, while initech's keeps working
  h.clock += ttlMs;
  expect(await call(newToken('globex'))).toBe('Unauthorized');
  expect(JSON.parse([...stdout].reverse().find((l) => l.includes('"denied"'))!)).toMatchObject({ reason: 'token_budget', clientId: clientOf('globex') });
  expect(await call(initech)).toBe('allowed');
  expect(await call(newToken('initech'))).toBe('allowed');
  await shipLogs();
  expect(h.published).toHaveLength(1);
});
