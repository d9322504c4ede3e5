/**
 * The bundled authorizer (what the construct deploys): loads with routes.json
 * next to index.js, answers, and does not load `https`/`stream` until a JWKS
 * fetch needs them, nor the DynamoDB client unless TABLE_NAME is set. Also the
 * lazy shims themselves.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLIENTS, claims, closedPort, jwksOf, makeKey, METHOD_ARN, REFERENCE_ROUTES, sign, USER_POOL_ID } from './helpers';
import { request } from '../../../lambda/shared/lazy-https';
import { bundleHandler } from '../../../scripts/bundle-handlers';

let dir: string;
let bundle: string;
let registryBundle: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authorizer-bundle-'));
  bundle = await bundleHandler('authorizer', dir);
  registryBundle = await bundleHandler('authorizer-registry', dir);
  for (const b of [bundle, registryBundle]) fs.writeFileSync(path.join(path.dirname(b), 'routes.json'), JSON.stringify(REFERENCE_ROUTES));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const requiresOf = (file: string) => [...new Set([...fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();

test('the bundles have no dependencies besides Node.js built-ins (and the runtime-provided DynamoDB client for the registry)', () => {
  expect(requiresOf(bundle)).toEqual(['crypto', 'fs', 'node:https', 'path']);
  // @aws-sdk/client-dynamodb: only required lazily, when TABLE_NAME is set (see the tests below).
  expect(requiresOf(registryBundle)).toEqual(['@aws-sdk/client-dynamodb', 'crypto', 'fs', 'node:https', 'path']);
  // The registry code (resolver, DynamoDB lookup) is only in the registry bundle.
  expect(fs.readFileSync(bundle, 'utf8')).not.toContain('CLIENT#');
  expect(fs.readFileSync(registryBundle, 'utf8')).toContain('CLIENT#');
});

test.each([
  ['authorizer', () => bundle],
  ['authorizer-registry (no TABLE_NAME)', () => registryBundle],
])('%s: loads routes.json next to index.js, allows and denies, and leaves https and the SDK unloaded', (_, file) => {
  const key = makeKey();
  const jwksPath = path.join(dir, `jwks-${path.basename(path.dirname(file()))}.json`);
  fs.writeFileSync(jwksPath, JSON.stringify(jwksOf(key)));
  const good = sign(key, claims());
  const bad = sign(key, claims({ client_id: 'nobody' }));
  const script = `
    const { handler } = require(${JSON.stringify(file())});
    const ev = (t) => ({ type: 'TOKEN', authorizationToken: 'Bearer ' + t, methodArn: ${JSON.stringify(METHOD_ARN)} });
    (async () => {
      const ok = await handler(ev(${JSON.stringify(good)}));
      const denied = await handler(ev(${JSON.stringify(bad)})).then(() => 'allowed', (e) => e.message);
      const https = process.moduleLoadList.some((m) => m === 'NativeModule https');
      const sdk = Object.keys(require.cache).some((f) => f.includes('@aws-sdk'));
      process.stderr.write(JSON.stringify({ principal: ok.principalId, denied, https, sdk }));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], {
    // NODE_PATH: the SDK would be loadable (as in the Lambda runtime); without TABLE_NAME it must still not load.
    env: { PATH: process.env.PATH, NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules'), USER_POOL_ID, CLIENT_TENANTS: JSON.stringify(CLIENTS), JWKS_PATH: jwksPath },
    encoding: 'utf8',
  });
  expect(JSON.parse(r.stderr)).toEqual({ principal: 'client1globex', denied: 'Unauthorized', https: false, sdk: false });
  expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ level: 'warn', msg: 'denied', reason: 'untrusted_client', clientId: 'nobody' }]);
});

test('registry bundle with TABLE_NAME: loads the DynamoDB client, fails closed for registry clients when the registry is down, declared clients unaffected', async () => {
  const key = makeKey();
  const jwksPath = path.join(dir, 'jwks-registry.json');
  fs.writeFileSync(jwksPath, JSON.stringify(jwksOf(key)));
  const declared = sign(key, claims());
  const registryClient = sign(key, claims({ client_id: 'portalclient9', sub: 'portalclient9' }));
  const port = await closedPort();
  const script = `
    const { handler } = require(${JSON.stringify(registryBundle)});
    const ev = (t) => ({ type: 'TOKEN', authorizationToken: 'Bearer ' + t, methodArn: ${JSON.stringify(METHOD_ARN)} });
    (async () => {
      const ok = await handler(ev(${JSON.stringify(declared)}));
      const denied = await handler(ev(${JSON.stringify(registryClient)})).then(() => 'allowed', (e) => e.message);
      const sdk = Object.keys(require.cache).some((f) => f.includes('@aws-sdk/client-dynamodb'));
      process.stderr.write(JSON.stringify({ principal: ok.principalId, denied, sdk }));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules'),
      USER_POOL_ID,
      CLIENT_TENANTS: JSON.stringify(CLIENTS),
      JWKS_PATH: jwksPath,
      TABLE_NAME: 'registry',
      REGISTRY_CACHE_TTL_SECONDS: '30',
      // Loopback only: a closed port, static credentials (no credential provider lookups).
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
      NODE_NO_WARNINGS: '1',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('{')))).toEqual({ principal: 'client1globex', denied: 'Unauthorized', sdk: true });
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'error', msg: 'denied', reason: 'registry_unavailable', clientId: 'portalclient9' });
});

test('lazy-https delegates to https.request', () => {
  expect(() => request('http://127.0.0.1:1/')).toThrow(/Protocol "http:" not supported/);
});
