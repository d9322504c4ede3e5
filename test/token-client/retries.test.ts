/**
 * Failure injection on a loopback token endpoint: which failures are retried, how long the
 * client waits (recorded through the injected sleep, never measured), and what the error says.
 */
import { ScriptedServer, json, scriptedServer, tokenAnswer, Script } from './support/servers';
import { TokenClient, TokenClientError, TokenClientOptions } from '../../token-client/src';

const SECRET = 'SECRET-vq8Hn2-never-printed';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A client on the script's server, with a fixed clock and recorded, instant waits. */
async function clientFor(script: Script, options: Partial<TokenClientOptions> = {}) {
  server = await scriptedServer(script);
  const waits: number[] = [];
  const client = new TokenClient({
    credentials: { clientId: 'client-1', clientSecret: SECRET, tokenEndpoint: server.url },
    now: () => T0,
    sleep: async (ms) => { waits.push(ms); },
    random: () => 0.5,
    ...options,
  });
  return { client, waits, requests: server.requests };
}

async function failure(promise: Promise<unknown>): Promise<TokenClientError> {
  const e = await promise.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(TokenClientError);
  return e as TokenClientError;
}

test('429 with Retry-After in seconds: waits that long, then succeeds', async () => {
  const { client, waits, requests } = await clientFor((_r, n, res) =>
    n === 0 ? json(res, 429, { error: 'slow_down' }, { 'Retry-After': '3' }) : tokenAnswer(res, 'tok-ok'));

  expect(await client.getToken()).toBe('tok-ok');
  expect(waits).toEqual([3000]);
  expect(requests).toHaveLength(2);
});

test('Retry-After as an HTTP-date is read against the clock', async () => {
  const { client, waits } = await clientFor((_r, n, res) =>
    n === 0 ? json(res, 503, {}, { 'Retry-After': new Date(T0 + 7000).toUTCString() }) : tokenAnswer(res, 'tok-ok'));

  expect(await client.getToken()).toBe('tok-ok');
  expect(waits).toEqual([7000]);
});

test('Retry-After is capped by maxRetryAfterMs', async () => {
  const { client, waits } = await clientFor((_r, n, res) =>
    n === 0 ? json(res, 429, {}, { 'Retry-After': '3600' }) : tokenAnswer(res, 'tok-ok'), { maxRetryAfterMs: 2_000 });

  await client.getToken();
  expect(waits).toEqual([2000]);
});

test('a Retry-After beyond the deadline ends the attempts with rate_limited', async () => {
  const { client, waits, requests } = await clientFor((_r, _n, res) => json(res, 429, {}, { 'Retry-After': '8' }), { deadlineMs: 5_000 });

  const err = await failure(client.getToken());
  expect(err).toMatchObject({ code: 'rate_limited', status: 429, attempts: 1, retryable: true });
  expect(waits).toEqual([]);
  expect(requests).toHaveLength(1);
});

test('503 then success: one backoff with full jitter (random 0.5 of the 100 ms ceiling)', async () => {
  const { client, waits, requests } = await clientFor((_r, n, res) => (n === 0 ? json(res, 503, {}) : tokenAnswer(res, 'tok-ok')));

  expect(await client.getToken()).toBe('tok-ok');
  expect(waits).toEqual([50]);
  expect(requests).toHaveLength(2);
});

test('backoff ceilings double per attempt up to maxDelayMs; maxAttempts bounds the requests', async () => {
  const { client, waits, requests } = await clientFor((_r, _n, res) => json(res, 500, {}),
    { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999 });

  const err = await failure(client.getToken());
  expect(err).toMatchObject({ code: 'server_error', status: 500, attempts: 5 });
  expect(waits).toEqual([99, 199, 299, 299]);
  expect(requests).toHaveLength(5);
});

test('a connection reset is retried', async () => {
  const { client, requests } = await clientFor((_req, n, res) => (n === 0 ? res.socket!.resetAndDestroy() : tokenAnswer(res, 'tok-ok')));

  expect(await client.getToken()).toBe('tok-ok');
  expect(requests).toHaveLength(2);
});

test('connection resets on every attempt end with code network', async () => {
  const { client } = await clientFor((_req, _n, res) => res.socket!.resetAndDestroy(), { maxAttempts: 2 });

  const err = await failure(client.getToken());
  expect(err).toMatchObject({ code: 'network', attempts: 2 });
  expect(err.status).toBeUndefined();
});

/**
 * The token client's fetch, recording the abort signal of each attempt: an attempt is counted when
 * the client starts it, whether or not the request has reached the server before it is cut.
 */
function recordingFetch(): { fetch: typeof globalThis.fetch; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    signals,
    fetch: (input, init) => {
      signals.push(init!.signal!);
      return globalThis.fetch(input, init);
    },
  };
}

/** A server that never answers: only the client's own timers end an attempt, whatever the load. */
const neverAnswers: Script = () => undefined;

test('an answer that never comes ends each attempt at the attempt timeout; after maxAttempts, code timeout', async () => {
  const attempts = recordingFetch();
  const { client } = await clientFor(neverAnswers, { attemptTimeoutMs: 50, maxAttempts: 2, fetch: attempts.fetch });

  const err = await failure(client.getToken());
  expect(err).toMatchObject({ code: 'timeout', attempts: 2 });
  expect(err.message).toContain('no complete answer within 50 ms');
  expect(attempts.signals).toHaveLength(2);
  expect(attempts.signals.every((s) => s.aborted)).toBe(true);
});

test('the total deadline bounds an attempt too: an answer that never comes is cut at the deadline, not at the attempt timeout', async () => {
  // The clock stands still at T0: 50 ms are left of the deadline when the attempt starts, whatever the load.
  const attempts = recordingFetch();
  const { client } = await clientFor(neverAnswers, { attemptTimeoutMs: 60_000, deadlineMs: 50, maxAttempts: 10, fetch: attempts.fetch });

  const err = await failure(client.getToken());
  expect(err).toMatchObject({ code: 'timeout', attempts: 1 });
  expect(err.message).toContain('no access token within the 50 ms deadline (1 attempt)');
  expect(attempts.signals).toHaveLength(1);
  expect(attempts.signals[0].aborted).toBe(true);
});

test.each(['invalid_client', 'invalid_scope', 'unauthorized_client', 'invalid_grant', 'unsupported_grant_type'])(
  '%s is not retried', async (error) => {
    const { client, waits, requests } = await clientFor((_r, _n, res) => json(res, error === 'invalid_client' ? 401 : 400, { error }));

    const err = await failure(client.getToken());
    expect(err).toMatchObject({ code: error, remoteError: error, attempts: 1, retryable: false });
    expect(waits).toEqual([]);
    expect(requests).toHaveLength(1);
  });

test.each([
  ['malformed JSON', '{"access_token": "tok-half'],
  ['no access token', JSON.stringify({ expires_in: 3600, token_type: 'Bearer' })],
  ['no expires_in', JSON.stringify({ access_token: 'tok-1', token_type: 'Bearer' })],
  ['a non-Bearer token type', JSON.stringify({ access_token: 'tok-1', expires_in: 60, token_type: 'mac' })],
])('a success answer with %s is bad_response, not retried', async (_what, body) => {
  const { client, requests } = await clientFor((_r, _n, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(body));

  const err = await failure(client.getToken());
  expect(err).toMatchObject({ code: 'bad_response', status: 200, attempts: 1 });
  expect(requests).toHaveLength(1);
});

test('an unknown 4xx is http_error and not retried', async () => {
  const { client, requests } = await clientFor((_r, _n, res) => res.writeHead(403, { 'Content-Type': 'text/html' }).end('<html>WAF</html>'));

  expect(await failure(client.getToken())).toMatchObject({ code: 'http_error', status: 403, attempts: 1 });
  expect(requests).toHaveLength(1);
});

test('no error shows the secret or a token, even when the server echoes them', async () => {
  const TOKEN = 'TOKEN-zz91-secret-bearer';
  const scripts: Script[] = [
    (_r, _n, res) => json(res, 401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` }),
    (_r, _n, res) => json(res, 400, { error: SECRET }),
    (_r, _n, res) => res.writeHead(200).end(`{"access_token":"${TOKEN}", broken`),
    (_r, _n, res) => json(res, 200, { access_token: TOKEN, token_type: 'Bearer' }),
    (_r, _n, res) => json(res, 500, { message: SECRET }),
    (_r, _n, res) => res.socket!.resetAndDestroy(),
  ];
  const errors: TokenClientError[] = [];
  for (const script of scripts) {
    const { client } = await clientFor(script, { maxAttempts: 2 });
    errors.push(await failure(client.getToken()));
    await server!.close();
    server = undefined;
  }
  expect(errors.map((e) => e.code)).toEqual(['invalid_client', 'http_error', 'bad_response', 'bad_response', 'server_error', 'network']);
  for (const e of errors) {
    const shown = [e.message, e.stack ?? '', JSON.stringify(e), String(e), JSON.stringify(Object.getOwnPropertyDescriptors(e))].join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(TOKEN);
    expect(e.message).toContain('/oauth2/token');
  }
});

test('the basic credentials are form-encoded before base64 (RFC 6749 2.3.1)', async () => {
  server = await scriptedServer((_r, _n, res) => tokenAnswer(res, 'tok-ok'));
  const client = new TokenClient({ credentials: { clientId: 'id:1 x', clientSecret: 'p+w/d%', tokenEndpoint: server.url }, scopes: ['b', 'a'] });

  await client.getToken();

  const { headers, body } = server.requests[0];
  expect(headers.authorization).toBe(`Basic ${Buffer.from('id%3A1+x:p%2Bw%2Fd%25').toString('base64')}`);
  expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ grant_type: 'client_credentials', scope: 'a b' });
});
