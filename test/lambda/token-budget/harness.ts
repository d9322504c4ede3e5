/**
 * The budget function on local servers: dynalite with transactions
 * (test/support/transactional-dynalite.ts) holding the budget table and a
 * tenant registry, the function's real modules (counter, budgets, handler)
 * and the portal's real audit writer, a clock the test moves, and a recording
 * alarm topic. `deliver` hands a batch to a fresh or a given invocation.
 */
import { gzipSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { Store } from '../../../lambda/portal/store';
import { Logger } from '../../../lambda/shared/log';
import { BudgetBook } from '../../../lambda/token-budget/budgets';
import { BudgetStore, FirstSeen } from '../../../lambda/token-budget/counter';
import { BatchResult, createBudgetHandler } from '../../../lambda/token-budget/handler';
import type { AuditEntry } from '../../../lib/private/contracts/audit';
import type { BudgetConfig, BudgetCrossing } from '../../../lib/private/contracts/token-budget';
import { startTransactionalDynalite, TransactionalDynalite } from '../../support/transactional-dynalite';

export const BUDGET_TABLE = 'budgets';
export const REGISTRY_TABLE = 'registry';

export interface Harness {
  readonly server: TransactionalDynalite;
  readonly doc: DynamoDBDocumentClient;
  readonly published: BudgetCrossing[];
  readonly logs: Array<Record<string, unknown>>;
  /** The clock every invocation reads (epoch ms). */
  clock: number;
  /** Runs instead of the next publication (once), e.g. to fail it or crash the invocation. */
  onPublish?: () => void;
  /** A new invocation (a new execution environment: no memory of the others) delivering `lines` as one batch. */
  deliver(lines: string[], requestId?: string): Promise<BatchResult>;
  items(prefix: string): Promise<Array<Record<string, any>>>;
  audit(tenantId: string): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

let seq = 0;

/** A first-sighting line as the authorizer writes it. */
export function line(t: FirstSeen): string {
  return JSON.stringify({ level: 'info', msg: 'token first seen', ...t }) + '\n';
}

/** A token of `clientId` in `tenantId` issued at `issuedAt` (seconds), valid an hour. */
export function token(clientId: string, tenantId: string, issuedAt: number, tokenId = `tok-${++seq}`): FirstSeen {
  return { clientId, tenantId, tokenId, issuedAt, expiresAt: issuedAt + 3600 };
}

export function subscriptionEvent(lines: string[]): CloudWatchLogsEvent {
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/authorizer',
    logStream: 'stream',
    subscriptionFilters: ['token-first-seen'],
    logEvents: lines.map((message, i) => ({ id: String(i), timestamp: 0, message })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
}

export async function startHarness(config: BudgetConfig, clock: number): Promise<Harness> {
  const server = await startTransactionalDynalite();
  const ddb = new DynamoDBClient({
    endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, maxAttempts: 2,
  });
  for (const name of [BUDGET_TABLE, REGISTRY_TABLE]) {
    await ddb.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  }
  const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  const registry = new Store(doc, REGISTRY_TABLE);
  const published: BudgetCrossing[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const h: Harness = {
    server,
    doc,
    published,
    logs,
    clock,
    async deliver(lines, requestId = `req-${++seq}`) {
      const handler = createBudgetHandler({
        store: new BudgetStore(doc, BUDGET_TABLE),
        budgets: new BudgetBook(config, { doc, table: REGISTRY_TABLE, ttlMs: 60_000 }, () => h.clock),
        logger: new Logger('info', (l) => logs.push(JSON.parse(l))),
        now: () => h.clock,
        publish: async (_subject, message) => {
          const hook = h.onPublish;
          h.onPublish = undefined;
          hook?.();
          published.push(JSON.parse(message));
        },
        audit: (tenantId, action, detail, at, rid) => registry.audit({ tenantId, at: at.toISOString(), actor: 'system:token-budget', action, requestId: rid, detail }),
      });
      return handler.handle(subscriptionEvent(lines), requestId);
    },
    async items(prefix) {
      const out = await doc.send(new ScanCommand({ TableName: BUDGET_TABLE }));
      return (out.Items ?? []).filter((i) => String(i.pk).startsWith(prefix));
    },
    async audit(tenantId) {
      const out = await doc.send(new QueryCommand({
        TableName: REGISTRY_TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#${tenantId}` },
      }));
      return (out.Items ?? []) as AuditEntry[];
    },
    close: () => server.close(),
  };
  return h;
}
