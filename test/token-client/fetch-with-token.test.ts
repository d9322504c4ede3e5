/**
 * fetchWithToken: a bearer token on every call; one retry with a fresh token after a 401, none after a 403.
 */
import { ScriptedServer, json, scriptedServer, tokenAnswer } from './support/servers';
import { TokenClient } from '../../token-client/src';

let tokens: ScriptedServer;
let api: ScriptedServer;
/** Which bearer tokens the API accepts, and what it answers otherwise. */
let accept: (token: string) => boolean;
let refusal: number;

beforeEach(async () => {
  tokens = await scriptedServer((_r, n, res) => tokenAnswer(res, `tok-${n}`));
  api = await scriptedServer((r, _n, res) => {
    const token = (r.headers.authorization ?? '').replace(/^Bearer /, '');
    return accept(token) ? json(res, 200, { ok: true, token, body: r.body }) : json(res, refusal, { message: 'Unauthorized' });
  });
  refusal = 401;
});
afterEach(async () => {
  await tokens.close();
  await api.close();
});

function client(): TokenClient {
  return new TokenClient({ credentials: { clientId: 'c', clientSecret: 's', tokenEndpoint: tokens.url } });
}

const apiUrl = () => api.url.replace('/oauth2/token', '/orders');

test('sends the token as a bearer token, keeping the caller\'s headers and body', async () => {
  accept = () => true;

  const res = await client().fetchWithToken(apiUrl(), { method: 'POST', headers: { 'x-trace': '1' }, body: '{"n":1}' });

  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, token: 'tok-0', body: '{"n":1}' });
  expect(api.requests[0].headers['x-trace']).toBe('1');
});

test('a 401 invalidates the token and retries once with a fresh one', async () => {
  accept = (t) => t !== 'tok-0';

  const res = await client().fetchWithToken(apiUrl(), { method: 'POST', body: 'payload' });

  expect(res.status).toBe(200);
  expect(api.requests.map((r) => [r.headers.authorization, r.body])).toEqual([['Bearer tok-0', 'payload'], ['Bearer tok-1', 'payload']]);
  expect(tokens.requests).toHaveLength(2);
});

test('a second 401 is returned, not retried again', async () => {
  accept = () => false;

  const res = await client().fetchWithToken(apiUrl());

  expect(res.status).toBe(401);
  expect(api.requests).toHaveLength(2);
  expect(tokens.requests).toHaveLength(2);
});

test('a 403 is returned without a retry or a new token', async () => {
  accept = () => false;
  refusal = 403;

  const res = await client().fetchWithToken(apiUrl());

  expect(res.status).toBe(403);
  expect(api.requests).toHaveLength(1);
  expect(tokens.requests).toHaveLength(1);
});

test('20 concurrent calls that all get a 401 cause one new token, not twenty', async () => {
  accept = (t) => t !== 'tok-0';
  const c = client();

  const res = await Promise.all(Array.from({ length: 20 }, () => c.fetchWithToken(apiUrl())));

  expect(res.map((r) => r.status)).toEqual(Array(20).fill(200));
  expect(tokens.requests).toHaveLength(2);
  expect(api.requests).toHaveLength(40);
});

test('a streamed body cannot be replayed: the 401 is returned', async () => {
  accept = (t) => t !== 'tok-0';
  const body = new ReadableStream({ start(ctl) { ctl.enqueue(new TextEncoder().encode('x')); ctl.close(); } });

  const res = await client().fetchWithToken(apiUrl(), { method: 'POST', body, duplex: 'half' } as RequestInit);

  expect(res.status).toBe(401);
  expect(api.requests).toHaveLength(1);
});
