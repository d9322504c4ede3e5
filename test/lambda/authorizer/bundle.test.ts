/**
 * The bundled authorizer (what the construct deploys): loads with routes.json
 * next to index.js, answers, and does not load `https`/`stream` until a JWKS
 * fetch needs them. Also the lazy shims themselves.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable, Writable } from 'stream';
import { CLIENTS, claims, jwksOf, makeKey, METHOD_ARN, REFERENCE_ROUTES, sign, USER_POOL_ID } from './helpers';
import { request } from '../../../lambda/shared/lazy-https';
import { pipeline } from '../../../lambda/shared/lazy-stream';
import { bundleHandler } from '../../../scripts/bundle-handlers';

let dir: string;
let bundle: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authorizer-bundle-'));
  bundle = bundleHandler('authorizer', dir);
  fs.writeFileSync(path.join(path.dirname(bundle), 'routes.json'), JSON.stringify(REFERENCE_ROUTES));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the bundle has no dependencies besides Node.js built-ins', () => {
  const requires = [...fs.readFileSync(bundle, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  expect([...new Set(requires)].sort()).toEqual(['crypto', 'fs', 'node:https', 'node:stream', 'path']);
});

test('loads routes.json next to index.js, allows and denies, and leaves https unloaded', () => {
  const key = makeKey();
  const jwksPath = path.join(dir, 'jwks.json');
  fs.writeFileSync(jwksPath, JSON.stringify(jwksOf(key)));
  const good = sign(key, claims());
  const bad = sign(key, claims({ client_id: 'nobody' }));
  const script = `
    const { handler } = require(${JSON.stringify(bundle)});
    const ev = (t) => ({ type: 'TOKEN', authorizationToken: 'Bearer ' + t, methodArn: ${JSON.stringify(METHOD_ARN)} });
    (async () => {
      const ok = await handler(ev(${JSON.stringify(good)}));
      const denied = await handler(ev(${JSON.stringify(bad)})).then(() => 'allowed', (e) => e.message);
      const https = process.moduleLoadList.some((m) => m === 'NativeModule https');
      process.stderr.write(JSON.stringify({ principal: ok.principalId, denied, https }));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, USER_POOL_ID, CLIENT_TENANTS: JSON.stringify(CLIENTS), JWKS_PATH: jwksPath },
    encoding: 'utf8',
  });
  expect(JSON.parse(r.stderr)).toEqual({ principal: 'client1globex', denied: 'Unauthorized', https: false });
  expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ level: 'warn', msg: 'denied', reason: 'untrusted_client', clientId: 'nobody' }]);
});

test('lazy-https delegates to https.request', () => {
  expect(() => request('http://127.0.0.1:1/')).toThrow(/Protocol "http:" not supported/);
});

test('lazy-stream delegates to stream.pipeline', async () => {
  const chunks: string[] = [];
  await new Promise<void>((resolve, reject) => {
    pipeline(Readable.from(['a', 'b']), new Writable({ write(c, _, cb) { chunks.push(String(c)); cb(); } }), (err: unknown) => (err ? reject(err) : resolve()));
  });
  expect(chunks).toEqual(['a', 'b']);
});
