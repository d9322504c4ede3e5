/**
 * Client directory cold start: the tenant-aware authorizer with its declared
 * clients inline (CLIENT_TENANTS) against the same clients in the SSM
 * directory (CLIENT_TENANTS_PATH), side by side.
 *
 *   npx ts-node --prefer-ts-exts bench/directory.bench.ts   (or: npx projen bench)
 *
 * Runs the shipped directory build (assets/authorizer-directory/index.js, which the construct deploys when
 * the clients are in SSM; it serves inline clients too), built by `npx projen bundle` and rebuilt here if
 * missing (DIRECTORY_BENCH_BUNDLE names another one), in fresh `node` processes, as Lambda starts an execution
 * environment: each process loads the bundle and answers one token (JWKS from
 * a local file: no network but SSM). SSM is a local server speaking SSM's
 * JSON protocol on 127.0.0.1 (test/lambda/tenant-claim/local-ssm.ts), in this
 * process; DIRECTORY_BENCH_SSM_LATENCY_MS delays each of its answers (a round
 * trip to SSM in a Region rather than on loopback; 0 by default), and
 * DIRECTORY_BENCH_DENY_GET_PARAMETERS=true refuses GetParameters, as for a
 * role allowed GetParametersByPath only (the directory is then read by path),
 * and DIRECTORY_BENCH_TLS=true serves HTTPS, as SSM does (a self-signed
 * certificate made with the `openssl` command, trusted by the runs through
 * NODE_EXTRA_CA_CERTS).
 * The directory holds what the construct writes for 0, 1,000 and 10,000
 * clients (1,000 clients per tenant stack, packed into 4 KB parameters by
 * lib/private/directory-budget.ts: 150 parameters at 10,000 clients); the
 * inline runs get the same clients as one CLIENT_TENANTS object.
 *
 * Each round runs `node -e 0` and every case once, in an order rotated by one
 * per round, so that the machine's noise moves all of them alike. Reported
 * per case, as medians over ROUNDS rounds:
 *   - cold start: the process's wall time over `node -e 0` in the same round;
 *   - load: from the script's start to the bundle loaded (module scope run);
 *   - load + first answer: from the script's start to the first answer;
 * and, per client count, the directory's load + first answer over inline's,
 * in process and as wall time (the target: within +50 ms at 10,000 clients).
 * Always exits 0; prints what it measured.
 */
import { execFile, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median, msNow } from './stats';
import { directoryParameterName, formatDirectoryParameters } from '../lib/private/contracts/client-directory';
import { chunkEntries, entryChars } from '../lib/private/directory-budget';
import { planRouteTable } from '../lib/private/route-plan';
import { startLocalSsm } from '../test/lambda/tenant-claim/local-ssm';

const ROUNDS = Number(process.env.DIRECTORY_BENCH_ROUNDS ?? 31);
const COUNTS = [0, 1_000, 10_000];
const CLIENTS_PER_STACK = 1_000;
/** The product's target: the directory's load + first answer at 10,000 clients within this of inline's. */
const TARGET_MS = 50;
const LATENCY_MS = Number(process.env.DIRECTORY_BENCH_SSM_LATENCY_MS ?? 0);
const DENY_GET_PARAMETERS = process.env.DIRECTORY_BENCH_DENY_GET_PARAMETERS === 'true';
const TLS = process.env.DIRECTORY_BENCH_TLS === 'true';
const root = path.join(__dirname, '..');
const bundle = process.env.DIRECTORY_BENCH_BUNDLE ?? path.join(root, 'assets', 'authorizer-directory', 'index.js');
const USER_POOL_ID = 'us-east-1_BenchPool1';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`;
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/orders';
const SCOPE = 'https://api.acme.example/orders/read';
const DIRECTORY_PREFIX = '/cdk-cognito-m2m/clients/ApiTenantAuthorizerBENCH';

interface Case {
  readonly name: string;
  readonly clients: number;
  readonly mode: 'inline' | 'directory';
  /** The environment file the child loads before its clock starts. */
  readonly envFile: string;
}

interface Run { readonly wallMs: number; readonly loadMs: number; readonly answerMs: number }

/**
 * `n` clients as Cognito names them (26 lower-case letters and digits), each with its own tenant; tenant ids of 27
 * characters fill a 4 KB parameter with 69 clients: 15 parameters per 1,000 clients, 15 pages at 10,000.
 */
function clientsOf(n: number): [string, string][] {
  return Array.from({ length: n }, (_, i) => {
    const id = crypto.createHash('sha256').update(`client-${i}`).digest('hex').slice(0, 26);
    return [id, `tenant-${String(i).padStart(5, '0')}-eu-west-1-prod`];
  });
}

/** The directory the construct writes for these clients: parameter name → JSON value, and CLIENT_TENANTS_PARAMETERS. */
function directoryOf(dirPath: string, clients: [string, string][]): { parameters: Map<string, string>; trusted: string } {
  const parameters = new Map<string, string>();
  const counts: [string, number][] = [];
  for (let s = 0; s * CLIENTS_PER_STACK < clients.length; s++) {
    const stack = `Tenants${s}`;
    const chunks = chunkEntries(clients.slice(s * CLIENTS_PER_STACK, (s + 1) * CLIENTS_PER_STACK), ([c, t]) => entryChars(c.length, t));
    chunks.forEach((chunk, i) => parameters.set(directoryParameterName(dirPath, stack, i), JSON.stringify(Object.fromEntries(chunk))));
    counts.push([stack, chunks.length]);
  }
  return { parameters, trusted: formatDirectoryParameters(counts) };
}

async function main(): Promise<void> {
  if (!fs.existsSync(bundle)) {
    execFileSync('npx', ['ts-node', '--prefer-ts-exts', path.join(root, 'scripts', 'bundle-handlers.ts')], { stdio: 'inherit', cwd: root });
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'directory-bench-'));
  const [keyFile, certFile] = [path.join(tmp, 'key.pem'), path.join(tmp, 'cert.pem')];
  if (TLS) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  }
  const tls = TLS ? { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') } : undefined;
  const ssm = await startLocalSsm({ latencyMs: LATENCY_MS, tls });
  if (DENY_GET_PARAMETERS) ssm.denied.add('GetParameters');
  try {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = 'bench-key';
    const jwksPath = path.join(tmp, 'jwks.json');
    fs.writeFileSync(jwksPath, JSON.stringify({ keys: [{ ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'RS256', use: 'sig' }] }));
    const routesPath = path.join(tmp, 'routes.json');
    fs.writeFileSync(routesPath, JSON.stringify(planRouteTable({ scopes: [SCOPE], routes: [{ method: 'GET', path: '/orders', scopes: [0], match: 'ANY_OF' }] })));
    const t0 = Math.floor(Date.now() / 1000);
    const tokenOf = (clientId: string): string => {
      const header = Buffer.from(JSON.stringify({ kid, alg: 'RS256' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({
        sub: clientId, token_use: 'access', scope: SCOPE, auth_time: t0, iss: ISSUER, exp: t0 + 3600, iat: t0, version: 2, jti: crypto.randomUUID(), client_id: clientId,
      })).toString('base64url');
      return `${header}.${payload}.${crypto.sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
    };
    const common = {
      USER_POOL_ID,
      ROUTE_TABLE_PATH: routesPath,
      JWKS_PATH: jwksPath,
      AWS_LAMBDA_FUNCTION_NAME: 'Api-TenantAuthorizerFunction-BENCH',
      // What Lambda sets: the Region and the function role's credentials.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_SESSION_TOKEN: 'local-session-token',
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    };
    const cases: Case[] = [];
    const pages: Record<number, { parameters: number; pages: number }> = {};
    const tokens = new Map<string, string>();
    for (const n of COUNTS) {
      const clients = clientsOf(n);
      // One directory per client count, as for three authorizers.
      const dirPath = `${DIRECTORY_PREFIX}${n}/`;
      const { parameters, trusted } = directoryOf(dirPath, clients);
      for (const [name, value] of parameters) ssm.parameters.set(name, value);
      pages[n] = { parameters: parameters.size, pages: Math.max(1, Math.ceil(parameters.size / 10)) };
      // The token of the last client (0 clients: one nobody declared, denied).
      const token = tokenOf(n > 0 ? clients[n - 1][0] : 'x'.repeat(26));
      const envs = {
        inline: { ...common, CLIENT_TENANTS: JSON.stringify(Object.fromEntries(clients)) },
        directory: { ...common, CLIENT_TENANTS_PATH: dirPath, CLIENT_TENANTS_PARAMETERS: trusted },
      };
      for (const mode of ['inline', 'directory'] as const) {
        const envFile = path.join(tmp, `env-${mode}-${n}.json`);
        fs.writeFileSync(envFile, JSON.stringify(envs[mode]));
        const name = `${mode} ${n.toLocaleString('en-US')}`;
        cases.push({ name, clients: n, mode, envFile });
        tokens.set(name, token);
      }
    }

    // The child: its environment from a file (CLIENT_TENANTS at 10,000 clients exceeds what execve passes), then
    // the clock starts; it loads the bundle, answers one token and reports load and answer times on stderr.
    // Only `fs` and `process.hrtime` are used: both are loaded by `node -e 0` too.
    const script = (c: Case) => `const f=require('fs');Object.assign(process.env,JSON.parse(f.readFileSync(${JSON.stringify(c.envFile)},'utf8')));`
      + 'const s=process.hrtime.bigint();'
      + `const h=require(${JSON.stringify(bundle)}).handler;const l=process.hrtime.bigint();`
      + `h({type:'TOKEN',authorizationToken:${JSON.stringify(`Bearer ${tokens.get(c.name)}`)},methodArn:${JSON.stringify(METHOD_ARN)}})`
      + `.then(r=>r.policyDocument.Statement[0].Effect==='Allow',e=>e.message==='Unauthorized'&&${c.clients === 0})`
      + ".then(ok=>{const e=process.hrtime.bigint();f.writeSync(2,'\\nBENCH '+(ok?'ok':'wrong')+' '+Number(l-s)/1e6+' '+Number(e-s)/1e6+'\\n');process.exit(0)})";
    const env = { PATH: process.env.PATH, NODE_PATH: path.join(root, 'node_modules'), ...(TLS ? { NODE_EXTRA_CA_CERTS: certFile } : {}) };
    const spawn = (args: string[]): Promise<{ ms: number; stderr: string }> => new Promise((resolve, reject) => {
      const start = msNow();
      execFile(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        const ms = msNow() - start;
        if (err) reject(new Error(`run failed: ${err.message}\n${stderr}`));
        else resolve({ ms, stderr });
      });
    });
    const run = async (c: Case): Promise<Run> => {
      const r = await spawn(['-e', script(c)]);
      const m = /\nBENCH (\w+) ([\d.]+) ([\d.]+)\n/.exec(r.stderr);
      if (!m || m[1] !== 'ok') throw new Error(`${c.name}: unexpected answer\n${r.stderr}`);
      return { wallMs: r.ms, loadMs: Number(m[2]), answerMs: Number(m[3]) };
    };

    console.log(`bundle: ${path.relative(root, bundle)} (${fs.statSync(bundle).size} bytes); SSM latency ${LATENCY_MS} ms`
      + `${TLS ? ' (HTTPS)' : ''}${DENY_GET_PARAMETERS ? '; GetParameters refused' : ''}; ${ROUNDS} rounds`);
    for (const n of COUNTS) console.log(`  ${n.toLocaleString('en-US')} clients: ${pages[n].parameters} directory parameters (${pages[n].pages} GetParametersByPath pages, or as many GetParameters calls of 10)`);
    for (const c of cases) await run(c); // warm the file cache
    type Samples = { over: number[]; load: number[]; answer: number[] };
    const runs = new Map<string, Samples>(cases.map((c) => [c.name, { over: [], load: [], answer: [] }]));
    const pairDiffs = new Map<number, { inProcess: number[]; wall: number[] }>(COUNTS.map((n) => [n, { inProcess: [], wall: [] }]));
    const before = ssm.calls();
    for (let round = 0; round < ROUNDS; round++) {
      const base = (await spawn(['-e', '0'])).ms;
      const order = cases.map((_, i) => cases[(i + round) % cases.length]);
      const got = new Map<string, Run>();
      for (const c of order) got.set(c.name, await run(c));
      for (const c of cases) {
        const r = got.get(c.name)!;
        const acc = runs.get(c.name)!;
        acc.over.push(r.wallMs - base);
        acc.load.push(r.loadMs);
        acc.answer.push(r.answerMs);
      }
      for (const n of COUNTS) {
        const name = (mode: string) => `${mode} ${n.toLocaleString('en-US')}`;
        const [inline, dir] = [got.get(name('inline'))!, got.get(name('directory'))!];
        pairDiffs.get(n)!.inProcess.push(dir.answerMs - inline.answerMs);
        pairDiffs.get(n)!.wall.push(dir.wallMs - inline.wallMs);
      }
    }
    const perRound = (ssm.calls() - before) / ROUNDS;
    const f = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
    console.log('case              cold start (wall, over node -e 0)   load (in process)   load + first answer (in process)');
    for (const c of cases) {
      const acc = runs.get(c.name)!;
      console.log(`${c.name.padEnd(18)}${f(median(acc.over)).padStart(12)}${`${median(acc.load).toFixed(1)} ms`.padStart(30)}${`${median(acc.answer).toFixed(1)} ms`.padStart(32)}`);
    }
    console.log(`SSM requests per round (every directory case once): ${perRound.toFixed(1)}`);
    for (const n of COUNTS) {
      const d = pairDiffs.get(n)!;
      const verdict = n === 10_000 ? ` (target <= +${TARGET_MS} ms: ${median(d.inProcess) <= TARGET_MS && median(d.wall) <= TARGET_MS ? 'met' : 'MISSED'})` : '';
      console.log(`directory over inline at ${n.toLocaleString('en-US')} clients, load + first answer: ${f(median(d.inProcess))} in process, `
        + `${f(median(d.wall))} wall (medians of ${ROUNDS} paired runs)${verdict}`);
    }
  } finally {
    await ssm.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.log(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
}).finally(() => process.exit(0));
