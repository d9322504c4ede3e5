/**
 * Lambda entry of the token-budget function (bundled as assets/token-budget;
 * TokenBudgets deploys it behind a subscription filter on the authorizer's
 * log group). Clients are built once per execution environment. The SNS
 * client is the Lambda runtime's (`@aws-sdk/*` stays external), loaded only
 * when an alarm topic is set.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { BudgetBook } from './budgets';
import { loadConfig } from './config';
import { BudgetStore } from './counter';
import { createBudgetHandler } from './handler';
import { Store } from '../portal/store';
import { Logger } from '../shared/log';

const env = process.env;
const config = loadConfig(env);
const { budgetTable, registryTable, topicArn } = config;
const logger = new Logger(config.logLevel);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 4 }), { marshallOptions: { removeUndefinedValues: true } });
const registry = registryTable ? new Store(doc, registryTable) : undefined;

interface SnsClient { send(command: unknown): Promise<unknown> }
let sns: { client: SnsClient; Publish: new (input: object) => unknown } | undefined;
function snsClient(): NonNullable<typeof sns> {
  if (!sns) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('@aws-sdk/client-sns') as { SNSClient: new (c: object) => SnsClient; PublishCommand: new (input: object) => unknown };
    sns = { client: new mod.SNSClient({ maxAttempts: 4 }), Publish: mod.PublishCommand };
  }
  return sns;
}

const handler = createBudgetHandler({
  store: new BudgetStore(doc, budgetTable),
  budgets: new BudgetBook(config.budgets, registryTable ? { doc, table: registryTable, ttlMs: 60_000 } : undefined),
  logger,
  functionName: env.AWS_LAMBDA_FUNCTION_NAME,
  publish: topicArn === undefined ? undefined : async (subject, message) => {
    const { client, Publish } = snsClient();
    await client.send(new Publish({ TopicArn: topicArn, Subject: subject, Message: message }));
  },
  audit: registry && (async (tenantId, action, detail, at, requestId) => {
    await registry.audit({ tenantId, at: at.toISOString(), actor: 'system:token-budget', action, requestId, detail });
  }),
});

// A CommonJS export, as the other handlers.
exports.handler = (event: CloudWatchLogsEvent, context: Context) => handler.handle(event, context.awsRequestId);
