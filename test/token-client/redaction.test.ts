/**
 * Redaction against echoing endpoints: a loopback token endpoint (and a GetClientToken endpoint)
 * that answers 400, 401 and 500 with the request's Authorization header, the Basic credential it
 * carries (as sent, decoded, truncated, URL-encoded) or the body, quoted back in its error. No form
 * of the secret may be readable anywhere on the error: message, stack, own properties (hidden ones
 * too), its cause, `JSON.stringify` and `util.inspect`; nor in the events hooks receive, `stats()` or
 * the EMF lines made of them, which hold no token either.
 */
import * as util from 'util';
import { ScriptedServer, SeenRequest, eventually, json, scriptedServer, tokenAnswer } from './support/servers';
import { TokenClient, TokenClientError, TokenClientEvent, emfMetrics } from '../../token-client/src';

const CLIENT_ID = 'echo-client-7f3k';
/** Characters that every encoding writes differently: space, +, /, %, ", \ and a non-ASCII letter. */
const SECRET = 'Sx9+q/w z%"7kQ~\\\u00fc-3nd-never-shown';

const formEncode = (v: string) => new URLSearchParams({ v }).toString().slice(2);
const BASIC = Buffer.from(`${formEncode(CLIENT_ID)}:${formEncode(SECRET)}`).toString('base64');
/** Every form in which the secret could be read back. */
const FORMS: Record<string, string> = {
  'the secret': SECRET,
  'the form-encoded secret': formEncode(SECRET),
  'the URL-encoded secret': encodeURIComponent(SECRET),
  'the JSON-escaped secret': JSON.stringify(SECRET).slice(1, -1),
  'the Basic credential': BASIC,
  'the Basic credential, base64url': Buffer.from(BASIC, 'base64').toString('base64url'),
  'the Basic credential of the raw id and secret': Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64'),
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** What an echoing server quotes first in its error (the part an error keeps), from what it received. */
const ECHOES: Record<string, (req: SeenRequest) => string> = {
  'the Authorization header': (r) => `Authorization: ${r.headers.authorization} is not valid`,
  'the bare base64 credential': (r) => `credential ${basicOf(r)} rejected`,
  'a truncated base64 credential': (r) => `credential ${basicOf(r).slice(0, 31)}...`,
  'the decoded credential': (r) => `unknown client ${Buffer.from(basicOf(r), 'base64').toString('utf8')}`,
  'a client_secret form field': (r) => `client_id=${CLIENT_ID}&client_secret=${decodedSecret(r, formEncode)}&grant_type=client_credentials`,
  'a client_secret field encoded twice by a proxy': (r) => `client_secret=${decodedSecret(r, (v) => encodeURIComponent(encodeURIComponent(v)))}`,
  'the URL-encoded secret': (r) => `secret ${decodedSecret(r, encodeURIComponent)} does not match`,
  'the URL-encoded header': (r) => `authorization=${encodeURIComponent(r.headers.authorization ?? '')}`,
  'the raw secret in JSON': (r) => `body was ${JSON.stringify({ client_secret: decodedSecret(r, (s) => s) })}`,
};

function basicOf(r: SeenRequest): string {
  return (r.headers.authorization ?? '').replace(/^Basic /, '');
}

/** The secret the server read from the Basic credential, written as the echo writes it. */
function decodedSecret(r: SeenRequest, write: (secret: string) => string): string {
  const decoded = Buffer.from(basicOf(r), 'base64').toString('utf8');
  const secret = decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1).replace(/\+/g, ' '));
  return write(secret);
}

/** Everything a log line, an error tracker or a debugger could show of the error. */
function readable(e: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (v === undefined || v === null || depth > 5) return;
    if (typeof v !== 'object' && typeof v !== 'function') {
      parts.push(String(v));
      return;
    }
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof Error) parts.push(v.message, v.stack ?? '', String(v));
    parts.push(util.inspect(v), util.inspect(v, { showHidden: true, depth: 10 }), util.format('%o', v), JSON.stringify(v) ?? '');
    for (const key of Reflect.ownKeys(v)) visit(Object.getOwnPropertyDescriptor(v, key)?.value, depth + 1);
    visit((v as { cause?: unknown }).cause, depth + 1);
  };
  visit(e, 0);
  return parts.join('\n');
}

/** Which forms of the secret, or fragments of eight characters of them, can be read. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, form] of Object.entries(FORMS)) {
    for (let i = 0; i + 8 <= form.length; i++) {
      if (text.includes(form.slice(i, i + 8))) {
        found.push(`${name} (from "${form.slice(i, i + 8)}")`);
        break;
      }
    }
  }
  if (/Basic(\s|%20)+(?!\[redacted\])\S/.test(text)) found.push('an Authorization header value');
  if (/client_secret=(?!\[redacted\])[^\s&]/.test(text)) found.push('a client_secret field value');
  return found;
}

async function failure(client: TokenClient): Promise<TokenClientError> {
  const e = await client.getToken().then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(TokenClientError);
  return e as TokenClientError;
}

describe('token endpoint', () => {
  const cases = Object.keys(ECHOES).flatMap((echo) => [400, 401, 500].map((status) => [echo, status] as const));

  test.each(cases)('an error echoing %s (HTTP %d) shows no form of the secret', async (echo, status) => {
    // GIVEN an endpoint that quotes the request back in its error
    server = await scriptedServer((req, _n, res) => json(res, status, {
      error: status === 500 ? 'server_error' : 'invalid_client',
      error_description: ECHOES[echo](req),
    }));
    const client = new TokenClient({
      credentials: { clientId: CLIENT_ID, clientSecret: SECRET, tokenEndpoint: server.url },
      maxAttempts: 2,
      sleep: async () => undefined,
    });

    // WHEN a token is asked for
    const err = await failure(client);

    // THEN the request carried the credential, and the error names the refusal but no form of the secret
    expect(server.requests[0].headers.authorization).toBe(`Basic ${BASIC}`);
    expect(err).toMatchObject({ code: status === 500 ? 'server_error' : 'invalid_client', status, attempts: status === 500 ? 2 : 1 });
    expect(err.message).toContain('[redacted]');
    expect(leaks(readable(err))).toEqual([]);
  });

  test('an Authorization header echoed as the OAuth error name is redacted in remoteError too', async () => {
    server = await scriptedServer((req, _n, res) => json(res, 400, { error: `bad ${req.headers.authorization}` }));
    const client = new TokenClient({ credentials: { clientId: CLIENT_ID, clientSecret: SECRET, tokenEndpoint: server.url } });

    const err = await failure(client);

    expect(err).toMatchObject({ code: 'http_error', status: 400, remoteError: 'bad Basic [redacted]' });
    expect(leaks(readable(err))).toEqual([]);
  });

  test('an echo cut by the scanned length (4,096 characters) leaves no fragment of the secret behind', async () => {
    // GIVEN a description whose first 4,059 characters are the secret, echoed 123 times (all redacted, so
    // what follows becomes the visible part), then the form-encoded secret starting 7 characters before the limit
    const tail = formEncode(SECRET);
    const description = `${SECRET.repeat(123)} ${'x'.repeat(4089 - 123 * SECRET.length - 1)}${tail}`;
    expect(description.indexOf(tail)).toBe(4089);
    server = await scriptedServer((_r, _n, res) => json(res, 400, { error: 'invalid_client', error_description: description }));
    const client = new TokenClient({ credentials: { clientId: CLIENT_ID, clientSecret: SECRET, tokenEndpoint: server.url } });

    // WHEN
    const err = await failure(client);

    // THEN not even the 7 characters inside the limit are shown
    expect(err.message).toContain('invalid_client: [redacted]');
    expect(readable(err)).not.toContain(tail.slice(0, 7));
    expect(leaks(readable(err))).toEqual([]);
  });

  test('text that is not a credential is kept, so the error still explains itself', async () => {
    server = await scriptedServer((_r, _n, res) => json(res, 400, { error: 'invalid_client', error_description: 'Client authentication failed' }));
    const client = new TokenClient({ credentials: { clientId: CLIENT_ID, clientSecret: SECRET, tokenEndpoint: server.url } });

    const err = await failure(client);

    expect(err.message).toContain('the token endpoint refused the request with invalid_client: Client authentication failed');
  });
});

describe('GetClientToken', () => {
  /** What an echoing AWS JSON endpoint quotes from the request body, which holds the secret. */
  const BODY_ECHOES: Record<string, (body: string) => string> = {
    'the JSON body': (b) => `Incorrect secret in ${b}`,
    'the secret as a form field': (b) => `client_secret=${encodeURIComponent((JSON.parse(b) as { Secret: string }).Secret)}`,
    'the secret, form-encoded': (b) => `secret ${formEncode((JSON.parse(b) as { Secret: string }).Secret)} unknown`,
  };
  const cases = Object.keys(BODY_ECHOES).flatMap((echo) => [
    [echo, 400, 'NotAuthorizedException', 'invalid_client'],
    [echo, 500, 'InternalErrorException', 'server_error'],
  ] as const);

  test.each(cases)('an error echoing %s (HTTP %d %s) shows no form of the secret', async (echo, status, type, code) => {
    server = await scriptedServer((req, _n, res) => json(res, status, { __type: type, message: BODY_ECHOES[echo](req.body) }));
    const client = new TokenClient({
      credentials: { clientId: CLIENT_ID, clientSecret: SECRET },
      method: { type: 'get-client-token', endpoint: server.url },
      maxAttempts: 1,
    });

    const err = await failure(client);

    expect(JSON.parse(server.requests[0].body)).toMatchObject({ Secret: SECRET });
    expect(err).toMatchObject({ code, status, remoteError: type });
    expect(leaks(readable(err))).toEqual([]);
  });

  test('an error type that quotes the body is redacted in remoteError', async () => {
    server = await scriptedServer((req, _n, res) => json(res, 400, { __type: `Bad${(JSON.parse(req.body) as { Secret: string }).Secret}` }));
    const client = new TokenClient({ credentials: { clientId: CLIENT_ID, clientSecret: SECRET }, method: { type: 'get-client-token', endpoint: server.url } });

    const err = await failure(client);

    expect(err.remoteError).toContain('[redacted]');
    expect(leaks(readable(err))).toEqual([]);
  });
});

describe('events, stats() and EMF lines', () => {
  /** Tokens whose every 8-character fragment is distinctive. */
  const TOKENS = ['eyJ1.Zq8Xv2Lm9Wp4Rt7Yc3Nb.sig', 'eyJ2.Hk5Jd8Fs2Ga6Qw1Ue4Io.sig'];

  test('every kind of event, fed by an endpoint that echoes the credential, holds no form of the secret and no token', async () => {
    // GIVEN an endpoint that fails with echoes of the credential around two good answers
    server = await scriptedServer((req, n, res) => {
      if (n === 0) return json(res, 500, { error: 'server_error', error_description: ECHOES['the Authorization header'](req) });
      if (n === 1) return tokenAnswer(res, TOKENS[0], 100);
      if (n === 2) return json(res, 400, { error: 'invalid_client', error_description: ECHOES['the decoded credential'](req) });
      if (n === 3) return tokenAnswer(res, TOKENS[1], 100);
      return json(res, 401, { error: 'invalid_client', error_description: ECHOES['a client_secret form field'](req) });
    });
    const T0 = 1_800_000_000_000;
    let clock = T0;
    const events: TokenClientEvent[] = [];
    const lines: string[] = [];
    const metrics = emfMetrics({ namespace: 'Acme', dimensions: { Service: 'orders-reader' }, write: (l) => lines.push(l), now: () => clock });
    const client = new TokenClient({
      credentials: { clientId: CLIENT_ID, clientSecret: SECRET, tokenEndpoint: server.url },
      now: () => clock,
      sleep: async () => undefined,
      refreshSkewMs: 0,
      maxAttempts: 2,
      onEvent: (e) => {
        events.push(e);
        metrics.onEvent(e);
      },
    });
    const seen = (type: string) => events.some((e) => e.type === type);

    // WHEN it retries, fetches, hits, fails and succeeds a background refresh, invalidates and fails a fetch
    expect(await client.getToken()).toBe(TOKENS[0]);
    clock = T0 + 1_000;
    await client.getToken();
    clock = T0 + 80_000;
    await client.getToken();
    await eventually(() => seen('refresh-failed'), 'the failed background refresh');
    clock = T0 + 82_000;
    await client.getToken();
    await eventually(() => seen('token-refreshed'), 'the background refresh');
    client.invalidate(TOKENS[1]);
    await expect(client.getToken()).rejects.toMatchObject({ code: 'invalid_client', status: 401 });
    metrics.flush();

    // THEN every type was reported, and nothing reported shows the secret, a credential or a token
    expect([...new Set(events.map((e) => e.type))].sort()).toEqual(
      ['cache-hit', 'fetch-failed', 'refresh-failed', 'retry', 'token-fetched', 'token-invalidated', 'token-refreshed']);
    const text = readable({ events, stats: client.stats(), lines });
    expect(leaks(text)).toEqual([]);
    expect(text).not.toMatch(/Basic|Bearer|client_secret|redacted/);
    const tokenFragments = TOKENS.flatMap((t) => Array.from({ length: t.length - 7 }, (_, i) => t.slice(i, i + 8)));
    expect(tokenFragments.filter((f) => text.includes(f))).toEqual([]);
    // while the server did receive the credential
    expect(server.requests.every((r) => r.headers.authorization === `Basic ${BASIC}`)).toBe(true);
  });
});
