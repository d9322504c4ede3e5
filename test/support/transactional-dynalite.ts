/**
 * dynalite (the DynamoDB protocol, in-process on 127.0.0.1) behind a loopback
 * proxy that adds what dynalite lacks: TransactWriteItems. Every request goes
 * through the proxy one at a time, so a transaction is isolated from every
 * other request; its items are applied with dynalite's own conditional
 * PutItem, UpdateItem and DeleteItem (dynalite evaluates the expressions),
 * each item's former image kept, and all restored when any condition fails,
 * which answers TransactionCanceledException with one CancellationReason per
 * item, as DynamoDB does. Two operations on one item are refused
 * (ValidationException), as DynamoDB does.
 *
 * Faults, for crash tests: `failFrom(n, mode)` makes request n and later
 * fail, `refuse` before they reach dynalite, `lose-answer` after they were
 * applied (the client sees a dropped connection either way), until `heal()`.
 */
import * as http from 'node:http';

export type FaultMode = 'refuse' | 'lose-answer';

export interface TransactionalDynalite {
  readonly endpoint: string;
  /** Requests received (numbered from 1), by target operation. */
  readonly calls: Map<string, number>;
  /** The number of the next request. */
  readonly nextRequest: number;
  /** Requests from number `n` fail (`times` of them; all by default) until `heal()`. */
  failFrom(n: number, mode: FaultMode, times?: number): void;
  heal(): void;
  close(): Promise<void>;
}

type Json = Record<string, any>;

export async function startTransactionalDynalite(): Promise<TransactionalDynalite> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite');
  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => { db.once('error', reject); db.listen(0, '127.0.0.1', () => resolve()); });
  const dbPort = db.address().port as number;

  const call = (target: string, body: Json): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1',
      port: dbPort,
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${target}`,
        'content-length': Buffer.byteLength(payload),
        'authorization': 'AWS4-HMAC-SHA256 Credential=AKID/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        'x-amz-date': '20200101T000000Z',
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });

  const keyNames = new Map<string, string[]>();
  const keyOf = async (table: string, item: Json): Promise<Json> => {
    if (!keyNames.has(table)) {
      const d = JSON.parse((await call('DescribeTable', { TableName: table })).body);
      keyNames.set(table, (d.Table.KeySchema as Array<{ AttributeName: string }>).map((k) => k.AttributeName));
    }
    return Object.fromEntries(keyNames.get(table)!.map((k) => [k, item[k]]));
  };

  const transact = async (body: Json): Promise<{ status: number; body: string }> => {
    const items = (body.TransactItems ?? []) as Json[];
    const error = (type: string, message: string, extra: Json = {}) =>
      ({ status: 400, body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra }) });
    if (items.length < 1 || items.length > 100) return error('ValidationException', 'TransactItems must have 1 to 100 items');
    const ops = await Promise.all(items.map(async (it) => {
      const [kind, op] = Object.entries(it)[0] as [string, Json];
      const key = kind === 'Put' ? await keyOf(op.TableName, op.Item) : op.Key;
      return { kind, op, key, id: `${op.TableName}|${JSON.stringify(key)}` };
    }));
    if (new Set(ops.map((o) => o.id)).size !== ops.length) {
      return error('ValidationException', 'Transaction request cannot include multiple operations on one item');
    }
    const before: Array<{ table: string; key: Json; item: Json | undefined }> = [];
    const reasons: Json[] = [];
    let cancelled = false;
    for (const { kind, op, key } of ops) {
      const snap = JSON.parse((await call('GetItem', { TableName: op.TableName, Key: key, ConsistentRead: true })).body).Item as Json | undefined;
      const cond = {
        ConditionExpression: op.ConditionExpression,
        ExpressionAttributeNames: op.ExpressionAttributeNames,
        ExpressionAttributeValues: op.ExpressionAttributeValues,
      };
      const [target, request] = kind === 'Put' ? ['PutItem', { TableName: op.TableName, Item: op.Item, ...cond }]
        : kind === 'Update' ? ['UpdateItem', { TableName: op.TableName, Key: key, UpdateExpression: op.UpdateExpression, ...cond }]
          : kind === 'Delete' ? ['DeleteItem', { TableName: op.TableName, Key: key, ...cond }]
            : snap ? ['PutItem', { TableName: op.TableName, Item: snap, ...cond }] : ['DeleteItem', { TableName: op.TableName, Key: key, ...cond }];
      const out = await call(target as string, request);
      if (out.status === 200) {
        before.push({ table: op.TableName, key, item: snap });
        reasons.push({ Code: 'None' });
      } else if (JSON.parse(out.body).__type?.endsWith('ConditionalCheckFailedException')) {
        cancelled = true;
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' });
      } else {
        cancelled = true;
        reasons.push({ Code: 'ValidationError', Message: JSON.parse(out.body).message });
      }
    }
    if (!cancelled) return { status: 200, body: '{}' };
    for (const b of before.reverse()) {
      await call(b.item ? 'PutItem' : 'DeleteItem', b.item ? { TableName: b.table, Item: b.item } : { TableName: b.table, Key: b.key });
    }
    return error('TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      { CancellationReasons: reasons });
  };

  const calls = new Map<string, number>();
  let requests = 0;
  let fault: { from: number; mode: FaultMode; left: number } | undefined;
  let queue: Promise<void> = Promise.resolve();
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue = queue.then(async () => {
        const n = ++requests;
        const target = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        calls.set(target, (calls.get(target) ?? 0) + 1);
        const failing = fault !== undefined && n >= fault.from && fault.left-- > 0 ? fault.mode : undefined;
        if (failing === 'refuse') { res.destroy(); return; }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
        const out = target === 'TransactWriteItems' ? await transact(body) : await call(target, body);
        if (failing === 'lose-answer') { res.destroy(); return; }
        res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(out.body);
      }).catch(() => { res.destroy(); });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  const port = (proxy.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    get nextRequest() { return requests + 1; },
    failFrom(n, mode, times = Infinity) { fault = { from: n, mode, left: times }; },
    heal() { fault = undefined; },
    close: async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await new Promise<void>((resolve) => db.close(() => resolve()));
    },
  };
}
