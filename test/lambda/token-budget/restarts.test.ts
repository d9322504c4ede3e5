/**
 * The budget function across restarts: a batch delivered again, an invocation
 * that dies part-way (DynamoDB unreachable), an answer lost after the write,
 * an action that fails, and an invocation that dies holding a crossing's
 * claim. Counts stay exact and each crossing acts once.
 */
import { Harness, line, startHarness, token } from './harness';

const HOUR = Date.UTC(2030, 0, 1, 10) / 1000;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ clients: { runaway: { perHour: 50, suspendForSeconds: 900 } }, tenants: {} }, (HOUR + 60) * 1000);
});
afterEach(() => h.close());

const burst = (n: number, from = 0) => Array.from({ length: n }, (_, i) => line(token('runaway', 'globex', HOUR + from + i)));
const clientCounter = async () => (await h.items('COUNT#CLIENT#runaway'))[0];

test('the same batch delivered twice counts once and crosses once', async () => {
  const batch = burst(80);
  expect(await h.deliver(batch)).toMatchObject({ counted: 80, crossings: 1 });
  expect(await h.deliver(batch)).toMatchObject({ counted: 0, duplicates: 80, crossings: 0 });
  expect(await clientCounter()).toMatchObject({ d: 80, h10: 80 });
  expect(h.published).toHaveLength(1);
});

test('an invocation that dies part-way is retried with the whole batch: exact counts, one crossing', async () => {
  // GIVEN DynamoDB becomes unreachable 150 requests into the batch (the invocation fails)
  const batch = burst(80);
  h.server.failFrom(h.server.nextRequest + 150, 'refuse');
  await expect(h.deliver(batch)).rejects.toThrow(/lines failed; the batch is retried/);
  h.server.heal();
  const partial = (await clientCounter())?.d ?? 0;
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(80);
  // WHEN Lambda retries the batch in a new environment
  const retry = await h.deliver(batch);
  // THEN the tokens counted before count nothing now, and all 80 are counted once
  expect(retry.duplicates).toBe(partial);
  expect(await clientCounter()).toMatchObject({ d: 80, h10: 80 });
  expect(await h.items('TOKEN#')).toHaveLength(80);
  expect(h.published).toHaveLength(1);
});

test('a transaction whose answer is lost is not counted twice when the SDK retries it', async () => {
  h.server.failFrom(h.server.nextRequest, 'lose-answer', 1);
  expect(await h.deliver(burst(1))).toMatchObject({ counted: 0, duplicates: 1 });
  expect(await clientCounter()).toMatchObject({ d: 1 });
});

test('a crossing whose alarm could not be sent is given back and acted on by the retry, once', async () => {
  h.onPublish = () => { throw new Error('SNS unavailable'); };
  await expect(h.deliver(burst(51))).rejects.toThrow(/1 of 51 lines failed/);
  expect((await clientCounter()).x_h10).toBeUndefined();
  await h.deliver(burst(51));
  expect(h.published).toHaveLength(1);
  expect((await clientCounter()).x_h10).toMatchObject({ state: 'handled' });
  expect((await h.audit('globex')).map((a) => a.action)).toEqual(['token_budget.suspended']);
});

test('an invocation that dies holding a claim: nobody acts during its lease, the next line after it does, once', async () => {
  // GIVEN the invocation that claimed the crossing loses DynamoDB before it can release or finish
  h.onPublish = () => {
    h.server.failFrom(h.server.nextRequest, 'refuse');
    throw new Error('crashed');
  };
  const batch = burst(51);
  await expect(h.deliver(batch)).rejects.toThrow();
  h.server.heal();
  expect((await clientCounter()).x_h10).toMatchObject({ state: 'claimed' });
  // WHEN the batch is delivered again within the lease: the claim is respected
  await h.deliver(batch);
  expect(h.published).toHaveLength(0);
  // AND once the lease (120 s) has passed, a later line takes the claim over and acts
  h.clock += 121_000;
  await h.deliver(burst(1, 3000));
  expect(h.published).toHaveLength(1);
  expect((await h.items('SUSPENSION#'))[0]).toMatchObject({ until: HOUR + 60 + 121 + 900 });
  await h.deliver(burst(1, 3001));
  expect(h.published).toHaveLength(1);
});
