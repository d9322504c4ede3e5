/**
 * Counting and enforcement end to end, on local servers: the authorizer
 * bundle as deployed (assets/authorizer-registry, built here) writes its
 * first-seen lines, the budget function counts them on dynalite (with
 * transactions), and the authorizer reads the suspension it writes. Within
 * budget nothing is denied; after the crossing the client is denied
 * `token_budget` within the cache TTL, other tenants keep working, and the
 * suspension ends when lifted or when its time has passed. A budget table
 * that cannot be read denies nobody.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Harness, startHarness, BUDGET_TABLE, REGISTRY_TABLE } from './harness';
import { BudgetStore } from '../../../lambda/token-budget/counter';
import { bundleHandler } from '../../../scripts/bundle-handlers';
import { claims, jwksOf, makeKey, METHOD_ARN, REFERENCE_ROUTES, sign, USER_POOL_ID, CLIENTS } from '../authorizer/helpers';

const START = Date.UTC(2030, 0, 1, 10, 5);
let h: Harness;
let dir: string;
let handler: (event: unknown) => Promise<{ principalId: string }>;
const stdout: string[] = [];
const realNow = Date.now;
const realWrite = process.stdout.write.bind(process.stdout);
const key = makeKey();
let saved: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await startHarness({ clients: { client1globex: { perHour: 3, suspendForSeconds: 600 } }, tenants: {} }, START);
  Date.now = () => h.clock;
  // Inside the repository, so the bundle finds the DynamoDB client in node_modules as it does in the Lambda runtime.
  const cache = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  dir = fs.mkdtempSync(path.join(cache, 'budget-enforcement-'));
  const bundle = await bundleHandler('authorizer-registry', dir);
  fs.writeFileSync(path.join(path.dirname(bundle), 'routes.json'), JSON.stringify(REFERENCE_ROUTES));
  const jwksPath = path.join(dir, 'jwks.json');
  fs.writeFileSync(jwksPath, JSON.stringify(jwksOf(key)));
  saved = { ...process.env };
  // Kept until the end: the SDK reads the endpoint and credentials on its first call.
  Object.assign(process.env, {
    USER_POOL_ID,
    CLIENT_TENANTS: JSON.stringify(CLIENTS),
    JWKS_PATH: jwksPath,
    TABLE_NAME: REGISTRY_TABLE,
    BUDGET_TABLE_NAME: BUDGET_TABLE,
    BUDGET_CACHE_TTL_SECONDS: '30',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_DYNAMODB: h.server.endpoint,
  });
  process.stdout.write = ((chunk: string) => { stdout.push(...String(chunk).split('\n').filter(Boolean)); return true; }) as typeof process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(bundle).handler;
});
afterAll(async () => {
  process.env = saved;
  process.stdout.write = realWrite;
  Date.now = realNow;
  await h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * One invocation: the answer, once the turn is over. The authorizer writes its lines then (lambda/shared/log.ts
 * `afterTurn`), as in Lambda, where the runtime asks for the next event only after the turn.
 */
const call = (token: string) => handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN })
  .then((r) => `allowed ${r.principalId}`, (e: Error) => e.message)
  .then((answer) => new Promise<string>((resolve) => setImmediate(() => resolve(answer))));
const newToken = (clientId: string) => sign(key, claims({ client_id: clientId, sub: clientId }));
/** Hands every first-seen line the authorizer wrote since the last call to the budget function. */
async function shipLogs(): Promise<void> {
  const lines = stdout.splice(0).filter((l) => l.includes('"token first seen"'));
  if (lines.length > 0) await h.deliver(lines);
}
const lastDenial = () => JSON.parse([...stdout].reverse().find((l) => l.includes('"denied"')) ?? '{}');

test('within budget, crossing, the bound, other tenants, lifting and expiry', async () => {
  // GIVEN three tokens (the hourly budget), each used several times
  const within = [newToken('client1globex'), newToken('client1globex'), newToken('client1globex')];
  for (const t of [...within, ...within]) expect(await call(t)).toBe('allowed client1globex');
  await shipLogs();
  h.clock += 31_000;
  for (const t of within) expect(await call(t)).toBe('allowed client1globex');
  expect(await h.items('SUSPENSION#')).toEqual([]);

  // WHEN a fourth token is used and its line counted
  const fourth = newToken('client1globex');
  expect(await call(fourth)).toBe('allowed client1globex');
  await shipLogs();
  expect(h.published).toHaveLength(1);

  // THEN within the cache TTL (30 s) the answers cached before still stand; after it, every token of the client is denied
  expect(await call(within[0])).toBe('allowed client1globex');
  h.clock += 30_000;
  for (const t of [...within, fourth, newToken('client1globex')]) expect(await call(t)).toBe('Unauthorized');
  expect(lastDenial()).toMatchObject({ reason: 'token_budget', clientId: 'client1globex' });
  // AND another tenant's client keeps working
  expect(await call(newToken('client2initech'))).toBe('allowed client2initech');

  // WHEN a platform admin lifts the suspension, the client works again after the TTL
  await new BudgetStore(h.doc, BUDGET_TABLE).lift('client', 'client1globex');
  h.clock += 30_000;
  expect(await call(fourth)).toBe('allowed client1globex');
});

test('a suspension ends by itself when its time has passed', async () => {
  const store = new BudgetStore(h.doc, BUDGET_TABLE);
  const until = Math.floor(h.clock / 1000) + 60;
  await store.suspend({ subject: 'tenant', id: 'globex', until, window: 'day', budget: 1, count: 2 }, new Date(h.clock).toISOString());
  h.clock += 31_000;
  expect(await call(newToken('client1globex'))).toBe('Unauthorized');
  h.clock = until * 1000;
  expect(await call(newToken('client1globex'))).toBe('allowed client1globex');
});

test('a budget table that cannot be read denies nobody (fail open), and says so', async () => {
  await new BudgetStore(h.doc, BUDGET_TABLE).suspend(
    { subject: 'client', id: 'client1globex', until: Math.floor(h.clock / 1000) + 3600, window: 'hour', budget: 3, count: 4 }, 'now');
  h.clock += 31_000;
  h.server.failFrom(h.server.nextRequest, 'refuse');
  try {
    expect(await call(newToken('client1globex'))).toBe('allowed client1globex');
  } finally {
    h.server.heal();
  }
  expect(stdout.some((l) => l.includes('budget suspension unreadable: not enforced'))).toBe(true);
});
