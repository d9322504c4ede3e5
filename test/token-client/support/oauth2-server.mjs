/**
 * The third-party OAuth 2.0 server for the token client's tests: oauth2-mock-server
 * (an ES module, hence its own process) on 127.0.0.1, made to check client
 * authentication as Cognito does: a client-credentials request must carry HTTP
 * Basic credentials (form-encoded id and secret, RFC 6749 2.3.1) matching
 * CLIENT_ID / CLIENT_SECRET, else `401 invalid_client`. Tokens live TOKEN_TTL seconds.
 *
 * `GET /__test/requests` lists the token requests seen: grant type, scope, auth
 * scheme, whether id and secret matched, whether a secret was in the body; never values.
 * Prints `READY <port>` once listening.
 */
import { OAuth2Server } from 'oauth2-mock-server';

const { CLIENT_ID, CLIENT_SECRET } = process.env;
const TTL = Number(process.env.TOKEN_TTL ?? '3600');
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

const requests = [];
const formDecode = (s) => decodeURIComponent(s.replace(/\+/g, ' '));

function authOf(req) {
  const header = req.headers.authorization ?? '';
  const [scheme, value] = header.split(' ');
  if (scheme !== 'Basic' || !value) return { scheme: scheme || null, idMatches: false, secretMatches: false };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return {
    scheme,
    idMatches: formDecode(decoded.slice(0, colon)) === CLIENT_ID,
    secretMatches: formDecode(decoded.slice(colon + 1)) === CLIENT_SECRET,
  };
}

server.service.on('beforeTokenSigning', (token, req) => {
  const auth = authOf(req);
  token.payload.exp = Math.floor(Date.now() / 1000) + TTL;
  if (auth.idMatches) token.payload.client_id = CLIENT_ID;
});

server.service.on('beforeResponse', (response, req) => {
  const body = req.body ?? {};
  const auth = authOf(req);
  requests.push({
    grantType: body.grant_type ?? null,
    scope: body.scope ?? null,
    authScheme: auth.scheme,
    idMatches: auth.idMatches,
    secretMatches: auth.secretMatches,
    secretInBody: 'client_secret' in body,
    contentType: req.headers['content-type'] ?? null,
  });
  if (!auth.idMatches || !auth.secretMatches) {
    response.statusCode = 401;
    response.body = { error: 'invalid_client', error_description: 'Client authentication failed' };
    return;
  }
  response.body.expires_in = TTL;
});

server.service.addRoute('GET', '/__test/requests', (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(requests));
});

await server.start(0, '127.0.0.1');
process.stdout.write(`READY ${new URL(server.issuer.url).port}\n`);
process.on('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});
