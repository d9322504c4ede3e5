/**
 * The sign-in stand-in for the browser journeys: a real OpenID Connect
 * provider from npm (oauth2-mock-server: authorization code with PKCE S256,
 * RS256-signed tokens, a JWKS) in its own process (it is an ES module),
 * shaped like the portal's Cognito sign-in pool:
 * - access tokens carry Cognito's claims: `iss` of the sign-in pool,
 *   `token_use: access`, `client_id` of the web client, `username` and
 *   `cognito:groups` of the person currently "at the keyboard";
 * - `GET /logout?client_id&logout_uri` redirects like Cognito's logout;
 * - the person signing in next is set with `GET /__test/user?username=&groups=a,b`;
 *   `GET /__test/requests` lists the token requests seen (grant type, PKCE
 *   verifier present, client secret present), never their values.
 *
 * Environment: PEOPLE_ISSUER, WEB_CLIENT_ID. Prints `READY <port>` once listening on 127.0.0.1.
 */
import { OAuth2Server } from 'oauth2-mock-server';

const { PEOPLE_ISSUER, WEB_CLIENT_ID } = process.env;
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

let person = { username: 'nobody', groups: [] };
const requests = [];

server.service.on('beforeTokenSigning', (token, req) => {
  const body = req.body ?? {};
  const p = token.payload;
  p.iss = PEOPLE_ISSUER;
  if ('scope' in p) {
    Object.assign(p, { token_use: 'access', client_id: WEB_CLIENT_ID, username: person.username, 'cognito:groups': person.groups, sub: `sub-${person.username}` });
    delete p.aud;
  } else {
    Object.assign(p, { token_use: 'id', aud: WEB_CLIENT_ID, 'cognito:username': person.username, sub: `sub-${person.username}` });
  }
  if ('scope' in p) {
    requests.push({
      grantType: body.grant_type,
      clientId: body.client_id,
      codeVerifier: typeof body.code_verifier === 'string' && body.code_verifier.length >= 43,
      clientSecret: 'client_secret' in body || Boolean(req.headers.authorization),
    });
  }
});

// Cognito refuses a code exchange without the PKCE verifier when the authorization request had a challenge.
server.service.on('beforeResponse', (response, req) => {
  const body = req.body ?? {};
  if (body.grant_type === 'authorization_code' && !body.code_verifier) {
    response.statusCode = 400;
    response.body = { error: 'invalid_grant', error_description: 'code_verifier required' };
  }
});

server.service.addRoute('GET', '/__test/user', (req, res) => {
  person = { username: String(req.query.username), groups: String(req.query.groups ?? '').split(',').filter(Boolean) };
  res.writeHead(204).end();
});
server.service.addRoute('GET', '/__test/requests', (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(requests));
});
server.service.addRoute('GET', '/logout', (req, res) => {
  res.writeHead(302, { Location: String(req.query.logout_uri) }).end();
});

await server.start(0, '127.0.0.1');
process.stdout.write(`READY ${new URL(server.issuer.url).port}\n`);
process.on('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});
