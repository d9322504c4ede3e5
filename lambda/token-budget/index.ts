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
import { BudgetBook, budgetConfigFromEnv } from './budgets';
import { BudgetStore } from './counter';
import { createBudgetHandler } from './handler';
import { REGISTRY_ENV, HANDLER_ENV } from '../../lib/private/contracts/env';
import { TABLE_NAME } from '../../lib/private/contracts/ids';
import { TOKEN_BUDGET_ENV } from '../../lib/private/contracts/token-budget';
import { Store } from '../portal/store';
import { optional, optionalId, requiredId } from '../shared/config';
import { Logger, logLevelFromEnv } from '../shared/log';

const env = process.env;
const logger = new Logger(logLevelFromEnv(env[HANDLER_ENV.logLevel]));
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 4 }), { marshallOptions: { removeUndefinedValues: true } });
const budgetTable = requiredId(env, TOKEN_BUDGET_ENV.budgetTable, TABLE_NAME);
const registryTable = optionalId(env, REGISTRY_ENV.tableName, TABLE_NAME);
const topicArn = optional(env, TOKEN_BUDGET_ENV.alarmTopicArn);
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
  budgets: new BudgetBook(budgetConfigFromEnv(env), registryTable ? { doc, table: registryTable, ttlMs: 60_000 } : undefined),
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
