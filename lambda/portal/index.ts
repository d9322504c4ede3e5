/**
 * Lambda entry of the developer portal (bundled to assets/portal/index.js).
 *
 * Environment: PORTAL_ENVIRONMENT (lib/private/contracts/environments.ts,
 * read by config.ts). AWS_ENDPOINT_URL_DYNAMODB /
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER are honoured by the SDK itself.
 *
 * SDK clients and settings live at module scope (built once per cold start).
 * The Cognito and API Gateway clients do not retry by themselves
 * (`maxAttempts: 1`): the portal retries throttling with its own bounded
 * backoff and answers 429 after it.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { loadConfig } from './config';
import { internalError } from './http';
import { createPortal, isScheduledEvent, Portal, PortalEvent } from './portal';
import { SweepResult } from './rotation';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { Logger, logLevelFromEnv } from '../shared/log';

const logger = new Logger(logLevelFromEnv(process.env[HANDLER_ENV.logLevel]));

let portal: Portal | undefined;
let configError: Error | undefined;
try {
  portal = createPortal({
    cognito: new CognitoIdentityProviderClient({ maxAttempts: 1 }),
    ddb: new DynamoDBClient({}),
    apiGateway: new APIGatewayClient({ maxAttempts: 1 }),
    config: loadConfig(process.env),
    logger,
  });
} catch (err) {
  configError = err instanceof Error ? err : new Error(String(err));
}

export async function handler(event: PortalEvent, context?: Context): Promise<APIGatewayProxyResult | SweepResult> {
  if (!portal) {
    logger.error('portal misconfigured', { reason: 'configuration', configDetail: configError?.message });
    if (isScheduledEvent(event)) throw configError;
    return internalError(context?.awsRequestId ?? 'unknown');
  }
  return portal.handler(event, context);
}
