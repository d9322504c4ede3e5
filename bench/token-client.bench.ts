/**
 * Token client benchmark: token-endpoint requests with the caching client against a naive client.
 *
 *   npx ts-node --prefer-ts-exts bench/token-client.bench.ts
 *
 * Two loopback token endpoints issue tokens that live LIFETIME_S seconds; a loopback "API"
 * answers each call after API_LATENCY_MS. Side by side in the same run and window,
 * CALLERS concurrent callers make CALLS API calls through each client:
 *   - cached: `TokenClient.fetchWithToken` (refresh at 75% of the lifetime, background refresh);
 *   - naive: a token request before every call.
 * With the real clock, a run spans several token lifetimes. Prints token-endpoint requests per
 * 10,000 calls and per token lifetime for both, and exits 1 when the caching client made more
 * than one request per refresh window (lifetime x 75%) plus one, or an API call failed.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { TokenClient } from '../token-client/src';

const CALLERS = 50;
const CALLS = 10_000;
const LIFETIME_S = 2;
const REFRESH_FRACTION = 0.75;
const API_LATENCY_MS = 40;

interface Loopback { readonly url: string; readonly count: () => number; close(): Promise<void> }

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void): Promise<Loopback> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, n++));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`,
    count: () => n,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function tokenEndpoint(): Promise<Loopback> {
  return listen((_req, res, n) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ access_token: `tok-${n}`, expires_in: LIFETIME_S, token_type: 'Bearer' }));
  });
}

/** Runs CALLS calls over CALLERS concurrent loops; returns the elapsed milliseconds. */
async function drive(call: () => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (next++ < CALLS) await call();
  }));
  return performance.now() - start;
}

async function main(): Promise<void> {
  const api = await listen((req, res) => {
    const ok = /^Bearer tok-\d+$/.test(req.headers.authorization ?? '');
    setTimeout(() => res.writeHead(ok ? 204 : 401).end(), API_LATENCY_MS);
  });
  const cachedEndpoint = await tokenEndpoint();
  const naiveEndpoint = await tokenEndpoint();
  const apiUrl = api.url.replace('/oauth2/token', '/orders');
  const credentials = { clientId: 'bench-client', clientSecret: 'bench-secret' };
  let failures = 0;

  const client = new TokenClient({
    credentials: { ...credentials, tokenEndpoint: cachedEndpoint.url },
    refreshFraction: REFRESH_FRACTION,
    refreshSkewMs: 0,
    // Serve the current token up to 200 ms before expiry while the background refresh runs.
    expiryMarginMs: 200,
  });
  const basic = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;

  const [cachedMs, naiveMs] = await Promise.all([
    drive(async () => {
      const res = await client.fetchWithToken(apiUrl);
      if (res.status !== 204) failures++;
    }),
    drive(async () => {
      const tokenRes = await fetch(naiveEndpoint.url, {
        method: 'POST',
        headers: { 'Authorization': basic, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const { access_token: token } = await tokenRes.json() as { access_token: string };
      const res = await fetch(apiUrl, { headers: { Authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 204) failures++;
    }),
  ]);

  const lifetimeMs = LIFETIME_S * 1000;
  const windowMs = lifetimeMs * REFRESH_FRACTION;
  const rows = [
    ['caching TokenClient', cachedEndpoint.count(), cachedMs],
    ['naive (token per call)', naiveEndpoint.count(), naiveMs],
  ] as const;
  console.log(`${CALLS} API calls per client, ${CALLERS} concurrent callers, token lifetime ${LIFETIME_S} s, API latency ${API_LATENCY_MS} ms`);
  console.log('client                    token requests  per 10,000 calls  per token lifetime  run (s)  lifetimes');
  for (const [name, requests, ms] of rows) {
    console.log(`${name.padEnd(24)}  ${String(requests).padStart(14)}  ${(requests * 10_000 / CALLS).toFixed(1).padStart(16)}  `
      + `${(requests / (ms / lifetimeMs)).toFixed(2).padStart(18)}  ${(ms / 1000).toFixed(2).padStart(7)}  ${(ms / lifetimeMs).toFixed(1).padStart(9)}`);
  }
  const limit = Math.ceil(cachedMs / windowMs) + 1;
  const cachedRequests = cachedEndpoint.count();
  console.log(`limit for the caching client: one request per refresh window (${windowMs} ms) plus one = ${limit}; `
    + `made ${cachedRequests}; naive/cached = ${(naiveEndpoint.count() / cachedRequests).toFixed(0)}x; failed API calls: ${failures}`);

  await Promise.all([api.close(), cachedEndpoint.close(), naiveEndpoint.close()]);
  if (cachedMs < 3 * lifetimeMs) {
    console.error(`FAIL: the run spanned ${(cachedMs / lifetimeMs).toFixed(1)} lifetimes; it must span at least 3`);
    process.exitCode = 1;
  }
  if (cachedRequests > limit || failures > 0) {
    console.error('FAIL: more token requests than refresh windows plus one, or failed API calls');
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
