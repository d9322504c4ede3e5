/**
 * The budget function's counting and crossing, on dynalite (with
 * transactions): bursts with duplicates across environments, concurrent
 * invocations, clock edges, late delivery and restarts. A count never exceeds
 * the distinct tokens of its window, a crossing acts exactly once, and within
 * budget nothing is suspended.
 */
import { Harness, line, startHarness, token } from './harness';

// 2030-01-01T10:00:00Z: an hour boundary (and 2030-01-02T00:00:00Z a day boundary).
const HOUR = Date.UTC(2030, 0, 1, 10) / 1000;
const DAY = Date.UTC(2030, 0, 2) / 1000;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    clients: { runaway: { perHour: 100, suspendForSeconds: 600 }, edge: { perHour: 2, perDay: 3 }, calm: { perHour: 1000 } },
    tenants: { globex: { perDay: 250 } },
  }, (HOUR + 120) * 1000);
});
afterEach(() => h.close());

/** `lines` split into `n` batches, each line in `copies` of them (the same token first seen in several environments). */
function batches(lines: string[], n: number, copies: number): string[][] {
  const out: string[][] = Array.from({ length: n }, () => []);
  lines.forEach((l, i) => { for (let c = 0; c < copies; c++) out[(i + c) % n].push(l); });
  return out;
}

async function counter(subject: 'CLIENT' | 'TENANT', id: string, day = '2030-01-01'): Promise<Record<string, any>> {
  return (await h.items(`COUNT#${subject}#${id}`)).find((i) => i.sk === `DAY#${day}`) ?? {};
}

test('a burst of 300 tokens, each seen in 3 environments and delivered by 6 concurrent invocations, counts 300 and suspends nobody', async () => {
  // GIVEN 300 tokens of a client whose budget is 1,000 an hour
  const lines = Array.from({ length: 300 }, (_, i) => line(token('calm', 'initech', HOUR + i)));
  // WHEN three copies of each line arrive in six batches handled at once
  const results = await Promise.all(batches(lines, 6, 3).map((b) => h.deliver(b)));
  // THEN each token counted once, the other 600 lines were duplicates
  expect(results.reduce((s, r) => s + r.counted, 0)).toBe(300);
  expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(600);
  expect(await counter('CLIENT', 'calm')).toMatchObject({ d: 300, h10: 300 });
  expect(await counter('TENANT', 'initech')).toMatchObject({ d: 300, h10: 300 });
  expect(await h.items('TOKEN#')).toHaveLength(300);
  expect(await h.items('SUSPENSION#')).toEqual([]);
  expect(h.published).toEqual([]);
});

test('within budget nothing is suspended; the token after the budget suspends the client once, alarms once and is audited once', async () => {
  // GIVEN 100 tokens (the hourly budget), delivered twice over by concurrent invocations
  const within = Array.from({ length: 100 }, (_, i) => line(token('runaway', 'globex', HOUR + i)));
  await Promise.all(batches(within, 4, 2).map((b) => h.deliver(b)));
  expect(await h.items('SUSPENSION#')).toEqual([]);
  expect(h.published).toEqual([]);
  // WHEN 50 more arrive, in concurrent batches with duplicates
  const over = Array.from({ length: 50 }, (_, i) => line(token('runaway', 'globex', HOUR + 200 + i)));
  await Promise.all(batches(over, 5, 2).map((b) => h.deliver(b)));
  // THEN exactly one crossing: one suspension ending suspendFor after it, one message, one audit entry
  expect(await counter('CLIENT', 'runaway')).toMatchObject({ d: 150, h10: 150, x_h10: { state: 'handled' } });
  const suspensions = await h.items('SUSPENSION#');
  expect(suspensions).toHaveLength(1);
  expect(suspensions[0]).toMatchObject({ pk: 'SUSPENSION#CLIENT#runaway', until: HOUR + 120 + 600, window: 'hour', budget: 100 });
  expect(suspensions[0].count).toBeGreaterThan(100);
  expect(h.published).toHaveLength(1);
  expect(h.published[0]).toMatchObject({
    kind: 'TokenBudgetExceeded',
    subject: 'client',
    tenantId: 'globex',
    clientId: 'runaway',
    window: 'hour',
    windowStart: '2030-01-01T10:00:00.000Z',
    budget: 100,
    suspendedUntil: new Date((HOUR + 720) * 1000).toISOString(),
  });
  const audit = await h.audit('globex');
  expect(audit.map((a) => [a.action, a.actor, a.detail?.clientId, a.detail?.budget])).toEqual([['token_budget.suspended', 'system:token-budget', 'runaway', 100]]);
  // The tenant's daily budget (250) is not crossed by its 150 tokens.
  expect(await counter('TENANT', 'globex')).toMatchObject({ d: 150 });
  expect((await counter('TENANT', 'globex')).x_d).toBeUndefined();
});

test('windows follow the token\'s issuedAt: 59:59 and 00:00 of an hour and of a day count in different windows, whenever delivered', async () => {
  // GIVEN a client allowed 2 tokens an hour and 3 a day, and lines delivered 20 hours late
  h.clock = (DAY + 3600 * 6) * 1000;
  const lines = [
    token('edge', 'acme', HOUR - 1), token('edge', 'acme', HOUR - 1), // 09:59:59
    token('edge', 'acme', HOUR), token('edge', 'acme', HOUR), // 10:00:00
  ].map(line);
  // WHEN they are counted
  await h.deliver(lines);
  // THEN two per hour: no hourly crossing; four that day: the daily budget (3) is crossed once
  expect(await counter('CLIENT', 'edge')).toMatchObject({ d: 4, h09: 2, h10: 2 });
  expect(h.published.map((p) => [p.window, p.windowStart, p.count])).toEqual([['day', '2030-01-01T00:00:00.000Z', 4]]);
  // AND a token at 23:59:59 and one at 00:00:00 of the next day land in their own days
  await h.deliver([line(token('edge', 'acme', DAY - 1)), line(token('edge', 'acme', DAY))]);
  expect(await counter('CLIENT', 'edge')).toMatchObject({ d: 5, h23: 1 });
  expect(await counter('CLIENT', 'edge', '2030-01-02')).toMatchObject({ d: 1, h00: 1 });
  expect(h.published).toHaveLength(1);
});

test('a token expired more than a day before its line is processed counts nothing (its dedupe item may be gone)', async () => {
  h.clock = (HOUR + 3600 + 86400) * 1000;
  const r = await h.deliver([line(token('calm', 'initech', HOUR))]);
  expect(r).toMatchObject({ counted: 0, stale: 1 });
  expect(await h.items('COUNT#')).toEqual([]);
});

test('lines that are not first sightings, or whose fields break their rules, are ignored', async () => {
  const bad = [
    '{"level":"info","msg":"allowed"}', 'not json',
    JSON.stringify({ msg: 'token first seen', clientId: 'a b', tenantId: 't', tokenId: 'x', issuedAt: HOUR, expiresAt: HOUR + 1 }),
    JSON.stringify({ msg: 'token first seen', clientId: 'c', tenantId: 't', tokenId: 'x', issuedAt: HOUR, expiresAt: HOUR - 1 }),
  ];
  expect(await h.deliver(bad)).toMatchObject({ counted: 0, ignored: 4 });
});
