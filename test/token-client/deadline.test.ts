/**
 * The overall deadline (`deadlineMs`): when it ends the attempts, the error names it and counts
 * the requests actually made. The clock is injected; the loopback server moves it forward as if
 * each answer took that long, and the injected sleep moves it by the wait (and by any overrun).
 */
import { ScriptedServer, json, scriptedServer, tokenAnswer, Script } from './support/servers';
import { TokenClient, TokenClientError, TokenClientOptions } from '../../token-client/src';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let clock: number;
let server: ScriptedServer | undefined;
const held: Array<() => void> = [];

beforeEach(() => {
  clock = T0;
});
afterEach(async () => {
  held.splice(0).forEach((release) => release());
  await server?.close();
  server = undefined;
});

async function clientFor(script: Script, options: Partial<TokenClientOptions>) {
  server = await scriptedServer(script);
  const waits: number[] = [];
  const client = new TokenClient({
    credentials: { clientId: 'client-1', clientSecret: 'deadline-secret', tokenEndpoint: server.url },
    now: () => clock,
    sleep: async (ms) => { waits.push(ms); clock += ms; },
    random: () => 0.5,
    ...options,
  });
  return { client, waits, requests: server.requests };
}

async function failure(client: TokenClient): Promise<TokenClientError> {
  const e = await client.getToken().then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(TokenClientError);
  return e as TokenClientError;
}

test('the deadline passed during a wait: a timeout naming the deadline and the 2 requests made', async () => {
  // GIVEN answers that take 1 s and a process that wakes 4 s late from each wait
  const { client, requests } = await clientFor((_r, _n, res) => { clock += 1_000; json(res, 503, {}); }, {
    deadlineMs: 10_000,
    maxAttempts: 10,
    sleep: async (ms) => { clock += ms + 4_000; },
  });

  // WHEN
  const err = await failure(client);

  // THEN t=0 503, t=5050 503, t=10150 past the deadline: no third request
  expect(requests).toHaveLength(2);
  expect(err).toMatchObject({ code: 'timeout', attempts: 2, status: 503, retryable: true });
  expect(err.message).toContain('no access token within the 10000 ms deadline (2 attempts, the last one ended with server_error)');
});

test('the deadline cut an attempt short: a timeout naming the deadline, not the attempt timeout', async () => {
  // GIVEN a first answer that takes 9.94 s of the 10 s and a second that never comes
  const { client, requests } = await clientFor((_r, n, res) => {
    if (n === 0) {
      clock += 9_940;
      json(res, 503, {});
    } else {
      held.push(() => tokenAnswer(res, 'too-late'));
    }
  }, { deadlineMs: 10_000, attemptTimeoutMs: 60_000, maxAttempts: 10 });

  // WHEN (the second attempt has the 10 ms left)
  const err = await failure(client);

  // THEN two attempts were started: the first answered, the second cut short by the deadline. Whether the
  // second request reached the server within its 10 ms of wall time depends on the machine's load, so the
  // server's count is only bounded here; the client's count is exact.
  expect(requests.length).toBeGreaterThanOrEqual(1);
  expect(requests.length).toBeLessThanOrEqual(2);
  expect(err).toMatchObject({ code: 'timeout', attempts: 2 });
  expect(err.message).toContain('no access token within the 10000 ms deadline (2 attempts)');
});

test('a wait that would pass the deadline keeps the last error and says why it stopped', async () => {
  const { client, waits, requests } = await clientFor((_r, _n, res) => json(res, 429, {}, { 'Retry-After': '8' }), { deadlineMs: 5_000 });

  const err = await failure(client);

  expect(waits).toEqual([]);
  expect(requests).toHaveLength(1);
  expect(err).toMatchObject({ code: 'rate_limited', status: 429, attempts: 1, retryable: true });
  expect(err.message).toContain('waiting 8000 ms for another attempt would pass the 5000 ms deadline');
});

test('an attempt timeout shorter than the time left is named as such, not as the deadline', async () => {
  const { client, requests } = await clientFor((_r, _n, res) => { held.push(() => tokenAnswer(res, 'too-late')); },
    { deadlineMs: 60_000, attemptTimeoutMs: 20, maxAttempts: 1 });

  const err = await failure(client);

  // One attempt, whose request may or may not reach the server within its 20 ms of wall time on a loaded machine.
  expect(requests.length).toBeLessThanOrEqual(1);
  expect(err).toMatchObject({ code: 'timeout', attempts: 1 });
  expect(err.message).toContain('no complete answer within 20 ms');
  expect(err.message).not.toContain('deadline');
});

test('the deadline covers the retry after a rotation too', async () => {
  // GIVEN a loader whose secret changed, and a refusal that takes the whole deadline
  let loads = 0;
  server = await scriptedServer((_r, _n, res) => { clock += 10_000; json(res, 400, { error: 'invalid_client' }); });
  const url = server.url;
  const client = new TokenClient({
    credentials: async () => ({ clientId: 'c', clientSecret: `secret-${loads++}`, tokenEndpoint: url }),
    now: () => clock,
    deadlineMs: 10_000,
  });

  // WHEN
  const err = await failure(client);

  // THEN the credentials were re-read but no second request was made past the deadline
  expect(loads).toBe(2);
  expect(server.requests).toHaveLength(1);
  expect(err).toMatchObject({ code: 'timeout', attempts: 1 });
  expect(err.message).toContain('no access token within the 10000 ms deadline (1 attempt, the last one ended with invalid_client)');
});
