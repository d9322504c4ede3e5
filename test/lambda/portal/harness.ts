/**
 * Test harness for the portal handler:
 * - dynalite (the DynamoDB protocol) in-process on 127.0.0.1, port 0;
 * - cognito-local as a child process on 127.0.0.1 with a temporary data
 *   directory. It really serves CreateUserPool, CreateUserPoolClient,
 *   DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient and
 *   ListUserPoolClients, which pass through to it;
 * - aws-sdk-client-mock on the portal's Cognito client only for what
 *   cognito-local lacks: AddUserPoolClientSecret, DeleteUserPoolClientSecret
 *   and ListUserPoolClientSecrets (a stateful fake keyed by client id, seeded
 *   with the secret CreateUserPoolClient returned).
 * - a failure injector counting every DynamoDB and Cognito call the portal
 *   makes, able to fail call N before it is sent or after it succeeded.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AddUserPoolClientSecretCommand,
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  CreateGroupCommand,
  GetGroupCommand,
  ListUsersInGroupCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { PortalConfig } from '../../../lambda/portal/config';
import { createPortal, Portal } from '../../../lambda/portal/portal';
import { Logger } from '../../../lambda/shared/log';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
export const ADMIN_SCOPE = 'https://portal.acme.example/admin';
export const TENANT_ADMIN_SCOPE = 'https://portal.acme.example/tenant-admin';
export const READ = 'https://api.acme.example/orders/read';
export const WRITE = 'https://api.acme.example/orders/write';
export const GRANTABLE = Array.from({ length: 60 }, (_, i) => `https://api.acme.example/s${i}`).concat([READ, WRITE, TENANT_ADMIN_SCOPE]);

// ---- servers ------------------------------------------------------------------

export interface Dynalite {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = server.address().port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function createTable(ddb: DynamoDBClient, name: string): Promise<void> {
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
}

export interface CognitoLocal {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startCognitoLocal(): Promise<CognitoLocal> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cognito-local-'));
  fs.mkdirSync(path.join(dir, '.cognito'));
  // Usernames are usernames, not e-mail addresses (cognito-local's default), as in the portal's sign-in pool.
  fs.writeFileSync(path.join(dir, '.cognito', 'config.json'), JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }));
  const bin = require.resolve('cognito-local/lib/bin/start.js');
  const child: ChildProcess = spawn(process.execPath, [bin], {
    cwd: dir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`cognito-local did not start: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`cognito-local exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    endpoint,
    close: async () => {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- failure injection --------------------------------------------------------

export class InjectedError extends Error {
  constructor(step: string) {
    super(`injected failure at ${step}`);
    this.name = 'InjectedError';
  }
}

/** Counts calls to DynamoDB and Cognito; can make call N fail (before sending it, or after it succeeded). */
export class Injector {
  public calls: string[] = [];
  public failAt: number | undefined;
  public mode: 'before' | 'after' = 'before';
  /** Makes every call of this command throw this error factory (throttling tests). */
  public override: Map<string, () => Error> = new Map();

  public reset(): void {
    this.calls = [];
    this.failAt = undefined;
    this.mode = 'before';
    this.override.clear();
  }

  public async around<T>(name: string, call: () => Promise<T>): Promise<T> {
    this.calls.push(name);
    const n = this.calls.length;
    const fault = this.override.get(name);
    if (fault) throw fault();
    if (this.failAt === n && this.mode === 'before') throw new InjectedError(`${n}:${name}`);
    const out = await call();
    if (this.failAt === n && this.mode === 'after') throw new InjectedError(`${n}:${name} (after success)`);
    return out;
  }
}

// ---- the environment ----------------------------------------------------------

interface FakeSecret { id: string; value: string; created: Date }

export interface Env {
  readonly portal: Portal;
  readonly ddb: DynamoDBClient;
  readonly real: CognitoIdentityProviderClient;
  readonly cognitoMock: AwsStub<any, any, any>;
  readonly injector: Injector;
  readonly secrets: Map<string, FakeSecret[]>;
  readonly userPoolId: string;
  readonly table: string;
  readonly logs: string[];
  readonly config: PortalConfig;
  /** Every secret value any response carried. */
  readonly issuedSecrets: Set<string>;
  /** Every secret value the (fake or local) Cognito ever created. */
  readonly allSecrets: Set<string>;
  /** Everything written to stdout and stderr while the environment was up. */
  readonly output: string[];
  now: Date;
  sleeps: number[];
  call(method: string, p: string, options?: CallOptions): Promise<Response>;
  scanTable(): Promise<Array<Record<string, any>>>;
  cognitoClients(): Promise<Array<{ ClientId?: string; ClientName?: string }>>;
}

export interface Response {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, string>;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly caller?: { clientId: string; tenantId?: string; scopes: string[]; username?: string } | null;
}

export interface SetupOptions {
  /** A sign-in pool for people in cognito-local (the portal's web UI), with tenant groups `tenant-<id>`. */
  readonly people?: boolean;
  /** The web UI's origin (CORS). */
  readonly allowedOrigin?: string;
  /** The M2M token endpoint the portal names in its answers. @default a Cognito domain's */
  readonly tokenEndpoint?: string;
  /** Settings over the harness's (which allow 10,000 changes per caller and minute, so only rate tests meet the limit). */
  readonly config?: Partial<PortalConfig>;
}

export const ADMIN = { clientId: 'adminclient1', tenantId: 'platform', scopes: [ADMIN_SCOPE] };
export const tenantAdmin = (tenantId: string) => ({ clientId: `${tenantId.replace(/[^A-Za-z0-9]/g, '')}admin`, tenantId, scopes: [TENANT_ADMIN_SCOPE] });

let counter = 0;

export function apiEvent(method: string, p: string, options: CallOptions = {}): APIGatewayProxyEvent {
  const who: CallOptions['caller'] = options.caller === undefined ? ADMIN : options.caller;
  const authorizer = who
    ? { clientId: who.clientId, tenantId: who.tenantId ?? '', scopes: who.scopes.join(' '), ...(who.username ? { username: who.username } : {}) }
    : undefined;
  return {
    httpMethod: method,
    path: p,
    resource: p,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    requestContext: { requestId: `req-${++counter}`, authorizer } as any,
  };
}

export async function setup(setupOptions: SetupOptions = {}): Promise<{ env: Env; close: () => Promise<void> }> {
  const dyn = await startDynalite();
  const cog = await startCognitoLocal();
  const ddb = new DynamoDBClient({ endpoint: dyn.endpoint, region: REGION, credentials: CREDENTIALS });
  const table = 'registry';
  await createTable(ddb, table);
  const real = new CognitoIdentityProviderClient({ endpoint: cog.endpoint, region: REGION, credentials: CREDENTIALS });
  const pool = await real.send(new CreateUserPoolCommand({ PoolName: 'm2m' }));
  const userPoolId = pool.UserPool!.Id!;
  const peoplePoolId = setupOptions.people ? (await real.send(new CreateUserPoolCommand({ PoolName: 'people', UsernameAttributes: [] }))).UserPool!.Id! : undefined;

  const injector = new Injector();
  // The portal's own DynamoDB client: every call goes through the injector.
  const portalDdb = new DynamoDBClient({ endpoint: dyn.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  portalDdb.middlewareStack.add(
    (next, context) => (args) => injector.around(`ddb:${String(context.commandName).replace(/Command$/, '')}`, () => next(args)),
    { step: 'initialize', name: 'failureInjector' },
  );
  // The portal's Cognito client: mocked, passing supported commands through to cognito-local.
  const portalCognito = new CognitoIdentityProviderClient({ endpoint: cog.endpoint, region: REGION, credentials: CREDENTIALS });
  const cognitoMock = mockClient(portalCognito);
  const secrets = new Map<string, FakeSecret[]>();
  const allSecrets = new Set<string>();
  const output: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const tap = (original: typeof process.stdout.write) => function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  process.stdout.write = tap(stdoutWrite);
  process.stderr.write = tap(stderrWrite);
  let secretSeq = 0;
  const newSecret = (clientId: string, value: string): FakeSecret => {
    const created = new Date(Date.UTC(2026, 0, 1) + (++secretSeq) * 1000);
    return { id: `${clientId}--${Math.floor(created.getTime() / 1000)}`, value, created };
  };
  const notFound = () => Object.assign(new Error('client not found'), { name: 'ResourceNotFoundException' });

  cognitoMock.on(CreateUserPoolClientCommand).callsFake((input) => injector.around('cognito:CreateUserPoolClient', async () => {
    const out = await real.send(new CreateUserPoolClientCommand(input));
    const c = out.UserPoolClient!;
    secrets.set(c.ClientId!, [newSecret(c.ClientId!, c.ClientSecret!)]);
    allSecrets.add(c.ClientSecret!);
    return out;
  }));
  cognitoMock.on(DescribeUserPoolClientCommand).callsFake((input) => injector.around('cognito:DescribeUserPoolClient',
    () => real.send(new DescribeUserPoolClientCommand(input))));
  cognitoMock.on(UpdateUserPoolClientCommand).callsFake((input) => injector.around('cognito:UpdateUserPoolClient',
    () => real.send(new UpdateUserPoolClientCommand(input))));
  cognitoMock.on(DeleteUserPoolClientCommand).callsFake((input) => injector.around('cognito:DeleteUserPoolClient', async () => {
    const out = await real.send(new DeleteUserPoolClientCommand(input));
    secrets.delete(input.ClientId);
    return out;
  }));
  cognitoMock.on(ListUserPoolClientsCommand).callsFake((input) => injector.around('cognito:ListUserPoolClients',
    () => real.send(new ListUserPoolClientsCommand(input))));
  // Not supported by cognito-local 5.3: stateful fakes.
  cognitoMock.on(ListUserPoolClientSecretsCommand).callsFake((input) => injector.around('cognito:ListUserPoolClientSecrets', async () => {
    const list = secrets.get(input.ClientId);
    if (!list) throw notFound();
    return { ClientSecrets: list.map((s) => ({ ClientSecretId: s.id, ClientSecretCreateDate: s.created })) };
  }));
  cognitoMock.on(AddUserPoolClientSecretCommand).callsFake((input) => injector.around('cognito:AddUserPoolClientSecret', async () => {
    const list = secrets.get(input.ClientId);
    if (!list) throw notFound();
    if (list.length >= 2) throw Object.assign(new Error('two secrets already'), { name: 'LimitExceededException' });
    const s = newSecret(input.ClientId, `fake-secret-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`);
    list.push(s);
    allSecrets.add(s.value);
    return { ClientSecretDescriptor: { ClientSecretId: s.id, ClientSecretValue: s.value, ClientSecretCreateDate: s.created } };
  }));
  cognitoMock.on(DeleteUserPoolClientSecretCommand).callsFake((input) => injector.around('cognito:DeleteUserPoolClientSecret', async () => {
    const list = secrets.get(input.ClientId);
    const i = list?.findIndex((s) => s.id === input.ClientSecretId) ?? -1;
    if (!list || i < 0) throw notFound();
    if (list.length === 1) throw Object.assign(new Error('last secret'), { name: 'InvalidParameterException' });
    list.splice(i, 1);
    return {};
  }));

  // The people commands pass through to cognito-local (through the injector).
  const passThrough = [
    ['AdminCreateUser', AdminCreateUserCommand], ['AdminDeleteUser', AdminDeleteUserCommand], ['GetGroup', GetGroupCommand], ['CreateGroup', CreateGroupCommand],
    ['AdminAddUserToGroup', AdminAddUserToGroupCommand], ['ListUsersInGroup', ListUsersInGroupCommand],
    ['AdminListGroupsForUser', AdminListGroupsForUserCommand],
  ] as const;
  for (const [name, Command] of passThrough) {
    cognitoMock.on(Command as any).callsFake((input: any) => injector.around(`cognito:${name}`, async () => {
      try {
        return await real.send(new (Command as any)(input));
      } catch (err: any) {
        // cognito-local 5.3 answers GetGroup of a missing group with a 500 "UnknownError"; Cognito says ResourceNotFoundException.
        if (name === 'GetGroup' && err?.name === 'Unknown') throw Object.assign(new Error('Group not found'), { name: 'ResourceNotFoundException' });
        throw err;
      }
    }));
  }

  const logs: string[] = [];
  const config: PortalConfig = {
    userPoolId,
    tableName: table,
    tokenEndpoint: setupOptions.tokenEndpoint ?? 'https://acme-m2m.auth.us-east-1.amazoncognito.com/oauth2/token',
    adminScope: ADMIN_SCOPE,
    tenantAdminScope: TENANT_ADMIN_SCOPE,
    grantableScopes: new Set(GRANTABLE),
    defaultTokenValidityMinutes: 60,
    rotationGraceHours: 24,
    people: peoplePoolId ? { userPoolId: peoplePoolId, tenantGroupPrefix: 'tenant-' } : undefined,
    allowedOrigin: setupOptions.allowedOrigin,
    callerRequestsPerMinute: 10_000,
    ...setupOptions.config,
  };
  const issuedSecrets = new Set<string>();
  const env: Env = {
    portal: undefined as unknown as Portal,
    ddb,
    real,
    cognitoMock,
    injector,
    secrets,
    userPoolId,
    table,
    logs,
    config,
    issuedSecrets,
    allSecrets,
    output,
    now: new Date('2026-03-01T10:00:00.000Z'),
    sleeps: [],
    async call(method, p, options) {
      const res = await env.portal.api(apiEvent(method, p, options)) as APIGatewayProxyResult;
      const body = JSON.parse(res.body);
      for (const key of ['clientSecret']) if (typeof body[key] === 'string') issuedSecrets.add(body[key]);
      return { status: res.statusCode, body, headers: (res.headers ?? {}) as Record<string, string> };
    },
    async scanTable() {
      const out = await DynamoDBDocumentClient.from(ddb).send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      return out.Items ?? [];
    },
    async cognitoClients() {
      const all: Array<{ ClientId?: string; ClientName?: string }> = [];
      let next: string | undefined;
      do {
        const out = await real.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: next }));
        all.push(...out.UserPoolClients ?? []);
        next = out.NextToken;
      } while (next);
      return all;
    },
  };
  (env as { portal: Portal }).portal = createPortal({
    cognito: portalCognito,
    ddb: portalDdb,
    config,
    clock: () => env.now,
    retry: { sleep: async (ms) => { env.sleeps.push(ms); }, random: () => 0.5 },
    logger: new Logger('debug', (line) => { logs.push(line); process.stdout.write(line); }),
  });
  return {
    env,
    close: async () => {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      cognitoMock.restore();
      ddb.destroy();
      portalDdb.destroy();
      real.destroy();
      await cog.close();
      await dyn.close();
    },
  };
}

/**
 * The registry and the pool agree: every app client has a live record and
 * every live record has an app client; no lock or pending reservation is
 * left behind; each client's rotation state matches its secrets.
 */
export async function checkConsistency(env: Env, options: { allowPendingReservations?: boolean } = {}): Promise<void> {
  const items = await env.scanTable();
  const inPool = new Set((await env.cognitoClients()).map((c) => c.ClientId!));
  const records = items.filter((i) => i.sk === 'CLIENT');
  const live = records.filter((r) => r.status === 'active' || r.status === 'suspended');
  for (const id of inPool) {
    expect({ orphanCognitoClient: id, record: live.some((r) => r.clientId === id) }).toEqual({ orphanCognitoClient: id, record: true });
  }
  for (const r of live) {
    expect({ recordWithoutClient: r.clientId, exists: inPool.has(r.clientId) }).toEqual({ recordWithoutClient: r.clientId, exists: true });
    expect(r.pendingUpdate).toBeUndefined();
    const secretIds = (env.secrets.get(r.clientId) ?? []).map((s) => s.id);
    if (r.rotation) {
      expect(r.rotation.state).toBe('overlap');
      expect(secretIds.sort()).toEqual([r.rotation.oldSecretId, r.rotation.newSecretId].sort());
    } else {
      expect(secretIds).toHaveLength(1);
    }
  }
  for (const r of records.filter((x) => x.status === 'deleted')) expect(inPool.has(r.clientId)).toBe(false);
  for (const n of items.filter((i) => String(i.sk).startsWith('NAME#'))) {
    if (n.state === 'registered') {
      expect(live.some((r) => r.clientId === n.clientId)).toBe(true);
    } else if (!options.allowPendingReservations) {
      expect({ pendingReservation: n.sk }).toEqual({ pendingReservation: undefined });
    }
  }
  for (const p of items.filter((i) => String(i.sk).startsWith('CLIENT#'))) {
    expect(records.some((r) => r.clientId === p.clientId)).toBe(true);
  }
  // The per-tenant client slots are exactly the tenant's name reservations, each held by its request.
  for (const slotsItem of items.filter((i) => i.sk === 'CLIENT_SLOTS')) {
    const reservations = items.filter((i) => i.pk === slotsItem.pk && String(i.sk).startsWith('NAME#'));
    const slots = (slotsItem.slots ?? {}) as Record<string, string>;
    for (const [name, holder] of Object.entries(slots)) {
      const reservation = reservations.find((r) => r.name === name);
      expect({ slot: `${slotsItem.pk}/${name}`, holder: reservation?.requestId }).toEqual({ slot: `${slotsItem.pk}/${name}`, holder });
    }
    for (const r of reservations.filter((x) => x.state === 'registered')) {
      expect({ registered: `${slotsItem.pk}/${r.name}`, slot: slots[r.name] }).toEqual({ registered: `${slotsItem.pk}/${r.name}`, slot: r.requestId });
    }
  }
  for (const r of items.filter((i) => String(i.sk).startsWith('NAME#') && i.state === 'registered')) {
    expect({ registeredWithoutSlots: r.pk, slots: items.some((i) => i.pk === r.pk && i.sk === 'CLIENT_SLOTS') })
      .toEqual({ registeredWithoutSlots: r.pk, slots: true });
  }
}

/** No secret value any response or Cognito produced appears in a log line or a stored item. */
export async function expectNoSecretLeak(env: Env): Promise<void> {
  const values = new Set([...env.issuedSecrets, ...env.allSecrets]);
  expect(values.size).toBeGreaterThan(0);
  const items = JSON.stringify(await env.scanTable());
  const logs = env.output.join('') + env.logs.join('');
  for (const v of values) {
    expect({ secretInItems: items.includes(v) }).toEqual({ secretInItems: false });
    expect({ secretInLogs: logs.includes(v) }).toEqual({ secretInLogs: false });
  }
}
