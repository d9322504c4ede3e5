/**
 * The sign-in stand-in for the browser journeys: a real OpenID Connect
 * provider from npm (oauth2-mock-server: authorization code with PKCE S256,
 * RS256-signed tokens, a JWKS) in its own process (it is an ES module),
 * shaped like the portal's Cognito sign-in pool and its managed-login domain:
 * - Cognito's paths: `/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`, `/logout`;
 * - access tokens carry Cognito's claims: `iss` of the sign-in pool,
 *   `token_use: access`, `client_id` of the web client, `username` and
 *   `cognito:groups` of the person currently "at the keyboard";
 * - refresh tokens as Cognito keeps them: each is bound to the client it was
 *   issued to, a refresh answer carries no new one, and `POST /oauth2/revoke`
 *   (`token`, `client_id`) revokes one, after which `/oauth2/token` refuses
 *   it with `invalid_grant`;
 * - managed login's session: an interactive sign-in at `/oauth2/authorize`
 *   sets a session cookie (HttpOnly, on the provider's origin) that names the
 *   person who signed in; `prompt=none` answers with a code for that person
 *   while the session lasts and with `error=login_required` (and the
 *   request's state) without one, never with a page, as Cognito's managed
 *   login does; a code, and the tokens and refresh token redeemed with it,
 *   belong to the person of the sign-in that issued it;
 * - `GET /logout?client_id&logout_uri` ends that session and redirects like
 *   Cognito's logout.
 *
 * Test controls (`/__test/…`):
 * - `GET /__test/user?username=&groups=a,b`: the person signing in next;
 * - `GET /__test/refuse-next-sign-in?error=&error_description=`: the next
 *   interactive authorize request answers with that error (and the request's
 *   state), as Cognito does when a person cancels or is refused;
 * - `GET /__test/fail-next-revoke?status=`: the next revoke request answers
 *   that status, as an outage or a refusal would;
 * - `GET /__test/events`: what the provider saw, in order: authorize requests
 *   (`prompt=none` or not, whether a cookie named a live session, the answer:
 *   `code` or the error), token requests (grant type, PKCE verifier present,
 *   client secret present, status), revoke requests (client, whether the
 *   token was a live refresh token, status) and logouts; never a token's or a
 *   cookie's value.
 *
 * Environment: PEOPLE_ISSUER, WEB_CLIENT_ID. Prints `READY <port>` once listening on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { OAuth2Server } from 'oauth2-mock-server';

const { PEOPLE_ISSUER, WEB_CLIENT_ID } = process.env;
const server = new OAuth2Server(undefined, undefined, {
  endpoints: {
    // Cognito's authorize path gets managed login's session below, in front of the built-in one.
    authorize: '/__builtin/authorize',
    token: '/oauth2/token',
    // The built-in revoke answers 200 to anything; Cognito's path gets a real one below.
    revoke: '/__builtin/revoke',
  },
});
await server.issuer.keys.generate('RS256');

const SESSION_COOKIE = 'managed-login-session';
let person = { username: 'nobody', groups: [] };
const events = [];
/** Managed login's sessions: cookie value → the person who signed in. */
const sessions = new Map();
/** Codes not yet redeemed: code → the person of the sign-in that issued it. */
const codes = new Map();
/** Live refresh tokens: value → the client they were issued to and the person they belong to. */
const refreshTokens = new Map();
const revoked = new Set();
let nextSignInError;
let nextRevokeStatus;

/** The person a token request is for: the code's or the refresh token's (whoever signs in next when neither is known). */
const personOf = (body) => {
  if (body.grant_type === 'authorization_code') return codes.get(body.code) ?? person;
  if (body.grant_type === 'refresh_token') return refreshTokens.get(body.refresh_token)?.person ?? person;
  return person;
};

server.service.on('beforeTokenSigning', (token, req) => {
  const p = token.payload;
  const who = personOf(req.body ?? {});
  p.iss = PEOPLE_ISSUER;
  if ('scope' in p) {
    Object.assign(p, { token_use: 'access', client_id: WEB_CLIENT_ID, username: who.username, 'cognito:groups': who.groups, sub: `sub-${who.username}` });
    delete p.aud;
  } else {
    Object.assign(p, { token_use: 'id', aud: WEB_CLIENT_ID, 'cognito:username': who.username, sub: `sub-${who.username}` });
  }
});

const refuse = (response, error, description) => {
  response.statusCode = 400;
  response.body = { error, error_description: description };
};

server.service.on('beforeResponse', (response, req) => {
  const body = req.body ?? {};
  if (body.grant_type === 'authorization_code' && !body.code_verifier) {
    // Cognito refuses a code exchange without the PKCE verifier when the authorization request had a challenge.
    refuse(response, 'invalid_grant', 'code_verifier required');
  } else if (body.grant_type === 'refresh_token') {
    const owner = refreshTokens.get(body.refresh_token);
    if (owner === undefined || owner.clientId !== body.client_id) {
      refuse(response, 'invalid_grant', revoked.has(body.refresh_token) ? 'Refresh Token has been revoked' : 'Invalid Refresh Token');
    } else {
      delete response.body.refresh_token; // Cognito keeps the refresh token (no rotation)
    }
  } else if (response.statusCode === 200 && typeof response.body.refresh_token === 'string') {
    refreshTokens.set(response.body.refresh_token, { clientId: body.client_id, person: personOf(body) });
  }
  if (body.grant_type === 'authorization_code') codes.delete(body.code);
  events.push({
    kind: 'token',
    grantType: body.grant_type,
    clientId: body.client_id,
    codeVerifier: typeof body.code_verifier === 'string' && body.code_verifier.length >= 43,
    clientSecret: 'client_secret' in body || Boolean(req.headers.authorization),
    status: response.statusCode,
  });
});

server.service.on('beforeAuthorizeRedirect', ({ url }, req) => {
  const code = url.searchParams.get('code');
  if (code && req.signedIn) codes.set(code, req.signedIn);
});

const sessionIdOf = (req) => {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
};

/** Redirects to the request's redirect_uri with an error and the request's state, as Cognito answers a refused authorize request. */
const authorizeError = (req, res, error, description) => {
  const url = new URL(String(req.query.redirect_uri));
  url.searchParams.set('error', error);
  if (description) url.searchParams.set('error_description', description);
  if (req.query.state !== undefined) url.searchParams.set('state', String(req.query.state));
  res.writeHead(302, { Location: url.href }).end();
};

/**
 * Cognito's authorize endpoint, managed login's session in front of the built-in one: an interactive request signs
 * the person of `/__test/user` in (a new session cookie); `prompt=none` uses the session, or answers login_required.
 */
server.service.addRoute('GET', '/oauth2/authorize', (req, res) => {
  const silent = req.query.prompt === 'none';
  const sessionId = sessionIdOf(req);
  const session = sessionId === undefined ? undefined : sessions.get(sessionId);
  const event = { kind: 'authorize', prompt: silent ? 'none' : 'login', session: session !== undefined };
  if (silent && session === undefined) {
    events.push({ ...event, answer: 'login_required' });
    return authorizeError(req, res, 'login_required');
  }
  if (!silent && nextSignInError) {
    const { error, description } = nextSignInError;
    nextSignInError = undefined;
    events.push({ ...event, answer: error });
    return authorizeError(req, res, error, description);
  }
  if (silent) {
    req.signedIn = session;
  } else {
    if (sessionId !== undefined) sessions.delete(sessionId);
    const id = randomUUID();
    sessions.set(id, person);
    req.signedIn = person;
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  }
  events.push({ ...event, answer: 'code' });
  return server.service.authorizeHandler(req, res);
});

/** Cognito's revoke endpoint for a public client: `token` and `client_id` in a form, no secret. */
server.service.addRoute('POST', '/oauth2/revoke', (req, res) => {
  const body = req.body ?? {};
  const token = typeof body.token === 'string' ? body.token : '';
  const answer = (status, error) => {
    events.push({ kind: 'revoke', clientId: body.client_id, liveRefreshToken: refreshTokens.has(token), clientSecret: Boolean(req.headers.authorization), status });
    if (error) res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error }));
    else res.writeHead(status).end();
  };
  if (nextRevokeStatus !== undefined) {
    const status = nextRevokeStatus;
    nextRevokeStatus = undefined;
    return answer(status, status < 500 ? 'invalid_request' : undefined);
  }
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') || !token) {
    return answer(400, 'invalid_request');
  }
  if (body.client_id !== WEB_CLIENT_ID) return answer(400, 'invalid_client');
  if (token.split('.').length === 3) return answer(400, 'unsupported_token_type'); // a JWT: an access or ID token
  const owner = refreshTokens.get(token);
  if (owner !== undefined && owner.clientId !== body.client_id) return answer(400, 'unauthorized_client');
  // An unknown or already revoked token is answered 200 too (RFC 7009, section 2.2).
  answer(200);
  refreshTokens.delete(token);
  revoked.add(token);
});

server.service.addRoute('GET', '/__test/user', (req, res) => {
  person = { username: String(req.query.username), groups: String(req.query.groups ?? '').split(',').filter(Boolean) };
  res.writeHead(204).end();
});
server.service.addRoute('GET', '/__test/refuse-next-sign-in', (req, res) => {
  nextSignInError = { error: String(req.query.error), description: req.query.error_description === undefined ? undefined : String(req.query.error_description) };
  res.writeHead(204).end();
});
server.service.addRoute('GET', '/__test/fail-next-revoke', (req, res) => {
  nextRevokeStatus = Number(req.query.status);
  res.writeHead(204).end();
});
server.service.addRoute('GET', '/__test/events', (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(events));
});
server.service.addRoute('GET', '/logout', (req, res) => {
  events.push({ kind: 'logout', clientId: req.query.client_id });
  const sessionId = sessionIdOf(req);
  if (sessionId !== undefined) sessions.delete(sessionId);
  res.writeHead(302, {
    'Location': String(req.query.logout_uri),
    'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
  }).end();
});

await server.start(0, '127.0.0.1');
process.stdout.write(`READY ${new URL(server.issuer.url).port}\n`);
process.on('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});
