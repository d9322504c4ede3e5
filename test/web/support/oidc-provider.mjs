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
 * - `GET /logout?client_id&logout_uri` redirects like Cognito's logout.
 *
 * Test controls (`/__test/…`):
 * - `GET /__test/user?username=&groups=a,b`: the person signing in next;
 * - `GET /__test/refuse-next-sign-in?error=&error_description=`: the next
 *   authorize request answers with that error (and the request's state), as
 *   Cognito does when a person cancels or is refused;
 * - `GET /__test/fail-next-revoke?status=`: the next revoke request answers
 *   that status, as an outage or a refusal would;
 * - `GET /__test/events`: what the provider saw, in order: token requests
 *   (grant type, PKCE verifier present, client secret present, status),
 *   revoke requests (client, whether the token was a live refresh token,
 *   status) and logouts; never a token's value.
 *
 * Environment: PEOPLE_ISSUER, WEB_CLIENT_ID. Prints `READY <port>` once listening on 127.0.0.1.
 */
import { OAuth2Server } from 'oauth2-mock-server';

const { PEOPLE_ISSUER, WEB_CLIENT_ID } = process.env;
const server = new OAuth2Server(undefined, undefined, {
  endpoints: {
    authorize: '/oauth2/authorize',
    token: '/oauth2/token',
    // The built-in revoke answers 200 to anything; Cognito's path gets a real one below.
    revoke: '/__builtin/revoke',
  },
});
await server.issuer.keys.generate('RS256');

let person = { username: 'nobody', groups: [] };
const events = [];
/** Live refresh tokens: value → the client they were issued to. */
const refreshTokens = new Map();
const revoked = new Set();
let nextSignInError;
let nextRevokeStatus;

server.service.on('beforeTokenSigning', (token) => {
  const p = token.payload;
  p.iss = PEOPLE_ISSUER;
  if ('scope' in p) {
    Object.assign(p, { token_use: 'access', client_id: WEB_CLIENT_ID, username: person.username, 'cognito:groups': person.groups, sub: `sub-${person.username}` });
    delete p.aud;
  } else {
    Object.assign(p, { token_use: 'id', aud: WEB_CLIENT_ID, 'cognito:username': person.username, sub: `sub-${person.username}` });
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
    if (owner === undefined || owner !== body.client_id) {
      refuse(response, 'invalid_grant', revoked.has(body.refresh_token) ? 'Refresh Token has been revoked' : 'Invalid Refresh Token');
    } else {
      delete response.body.refresh_token; // Cognito keeps the refresh token (no rotation)
    }
  } else if (response.statusCode === 200 && typeof response.body.refresh_token === 'string') {
    refreshTokens.set(response.body.refresh_token, body.client_id);
  }
  events.push({
    kind: 'token',
    grantType: body.grant_type,
    clientId: body.client_id,
    codeVerifier: typeof body.code_verifier === 'string' && body.code_verifier.length >= 43,
    clientSecret: 'client_secret' in body || Boolean(req.headers.authorization),
    status: response.statusCode,
  });
});

server.service.on('beforeAuthorizeRedirect', ({ url }) => {
  if (!nextSignInError) return;
  url.searchParams.delete('code');
  url.searchParams.set('error', nextSignInError.error);
  if (nextSignInError.description) url.searchParams.set('error_description', nextSignInError.description);
  nextSignInError = undefined;
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
  if (owner !== undefined && owner !== body.client_id) return answer(400, 'unauthorized_client');
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
  res.writeHead(302, { Location: String(req.query.logout_uri) }).end();
});

await server.start(0, '127.0.0.1');
process.stdout.write(`READY ${new URL(server.issuer.url).port}\n`);
process.on('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});
