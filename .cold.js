const crypto = require('crypto'); const fs = require('fs'); const { spawnSync } = require('child_process');
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'RS256', use: 'sig' };
const POOL = 'us-east-1_BenchPool1', ISS = 'https://cognito-idp.us-east-1.amazonaws.com/' + POOL;
const header = Buffer.from(JSON.stringify({ kid: 'k', alg: 'RS256' })).toString('base64url');
const t0 = Math.floor(Date.now() / 1000);
const p = { sub: 'c', token_use: 'access', scope: 'https://api.acme.example/orders/read', auth_time: t0, iss: ISS, exp: t0 + 3600, iat: t0, version: 2, jti: 'x', client_id: 'benchclient1' };
const input = header + '.' + Buffer.from(JSON.stringify(p)).toString('base64url'); const tok = input + '.' + crypto.sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url');
fs.mkdirSync('/tmp/cold', { recursive: true });
fs.writeFileSync('/tmp/cold/jwks.json', JSON.stringify({ keys: [jwk] })); fs.writeFileSync('/tmp/cold/token.txt', tok);
fs.writeFileSync('/tmp/cold/routes.json', process.argv[3] || JSON.stringify({ version: 1, scopes: ['https://api.acme.example/orders/read'], routes: [{ method: 'GET', path: '/orders', scopes: [0], match: 'ANY_OF' }] }));
const bundle = process.argv[2] || '/work/main/assets/authorizer/index.js';
const env = { ...process.env, USER_POOL_ID: POOL, CLIENT_TENANTS: '{"benchclient1":"globex"}', ROUTE_TABLE_PATH: '/tmp/cold/routes.json', JWKS_PATH: '/tmp/cold/jwks.json' };
const script = `const a=performance.now();const t=require('fs').readFileSync('/tmp/cold/token.txt','utf8');const c0=performance.now();require('crypto');const c1=performance.now();const h=require(${JSON.stringify(bundle)}).handler;const b=performance.now();h({type:'TOKEN',authorizationToken:'Bearer '+t,methodArn:'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/orders'}).then(r=>{const e=performance.now();if(!r.policyDocument)process.exit(2);console.log(JSON.stringify({crypto:c1-c0,load:b-c1,first:e-b,total:e-a}))},()=>process.exit(3))`;
const rows = [];
for (let i = 0; i < 15; i++) { const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }); if (r.status) { console.log(r.status, r.stderr, r.stdout); process.exit(1); } rows.push(JSON.parse(r.stdout)); }
const med = (k) => { const xs = rows.map((r) => r[k]).sort((a, b) => a - b); return xs[7].toFixed(2); };
console.log('crypto', med('crypto'), 'load', med('load'), 'first', med('first'), 'total', med('total'));
const wall = (args) => { const s = performance.now(); const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' }); return performance.now() - s; };
const W = { base: [], script: [], baseStart: [] , scriptStart: [] };
const script2 = script.replace("const a=performance.now();", "const a=performance.now();process.stderr.write(String(a)+'\\n');");
for (let i = 0; i < 21; i++) { W.base.push(wall(['-e', '0'])); W.script.push(wall(['-e', script]));
  W.baseStart.push(Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(performance.now()))'], { env, encoding: 'utf8' }).stdout));
  W.scriptStart.push(Number(spawnSync(process.execPath, ['-e', script2], { env, encoding: 'utf8' }).stderr)); }
for (const [k, xs] of Object.entries(W)) { xs.sort((a, b) => a - b); console.log(k, xs[10].toFixed(2), 'min', xs[0].toFixed(2)); }
