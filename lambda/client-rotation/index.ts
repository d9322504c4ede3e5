/**
 * Lambda entry of the client-secret rotation (bundled to
 * assets/client-rotation/index.js): Secrets Manager invokes it for the four
 * rotation steps of `TenantAppClient` secrets, and an hourly EventBridge
 * rule for the sweep that ends grace periods.
 *
 * Environment: CLIENT_ROTATION_ENVIRONMENT (lib/private/contracts/environments.ts,
 * read by config.ts). SDK clients are built
 * once per execution environment. `@aws-sdk/*` is provided by the Lambda
 * runtime (external in the bundle); the token client and the portal's
 * Cognito operations are bundled.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { cloudFormationReader, SecretBindings } from './binding';
import { loadConfig, RotationConfig } from './config';
import { BadEventError, RotationError } from './errors';
import { ClientSecretRotation, isRotationEvent } from './rotation';
import { tokenCheck } from './token-check';
import { SWEEP_EVENT } from '../../lib/private/contracts/client-rotation';
import { HANDLER_ENV } from '../../lib/private/contracts/env';
import { AppClients } from '../portal/cognito';
import { errorName } from '../portal/errors';
import { Logger, logLevelFromEnv } from '../shared/log';

const log = new Logger(logLevelFromEnv(process.env[HANDLER_ENV.logLevel]));

let rotation: ClientSecretRotation | undefined;
let configError: Error | undefined;
try {
  const config: RotationConfig = loadConfig(process.env);
  rotation = new ClientSecretRotation({
    secrets: new SecretsManagerClient({}),
    // The portal's operations retry throttling themselves.
    apps: new AppClients(new CognitoIdentityProviderClient({ maxAttempts: 1 }), config.userPoolId, {}),
    checkToken: tokenCheck({ tokenEndpoint: config.tokenEndpoint, userPoolId: config.userPoolId }),
    bindings: new SecretBindings(config.trustedStacks, cloudFormationReader(new CloudFormationClient({}))),
    graceMs: config.graceMs,
    now: () => new Date(),
    log,
  });
} catch (err) {
  configError = err instanceof Error ? err : new Error(String(err));
}

async function handle(event: unknown, context: Context): Promise<void> {
  if (!rotation) {
    log.error('rotation function misconfigured', { reason: 'config_error', configDetail: configError?.message });
    throw configError;
  }
  try {
    if (isRotationEvent(event)) {
      await rotation.rotate(event);
    } else if ((event as { action?: string } | undefined)?.action === SWEEP_EVENT.action) {
      await rotation.sweep(context.invokedFunctionArn);
    } else {
      throw new BadEventError('the event is neither a Secrets Manager rotation step nor the scheduled sweep');
    }
  } catch (err) {
    const step = isRotationEvent(event) ? event.Step : 'sweep';
    // Our own errors name ids and dates only; an SDK error is named, its message left out.
    log.error('client secret rotation failed', {
      reason: err instanceof RotationError ? err.reason : `${step}_failed`,
      errorName: errorName(err),
      configDetail: err instanceof RotationError ? `${step}: ${err.message}` : step,
    });
    throw err;
  }
}

// A CommonJS export (the bundle's format): an ES `export` would make esbuild add its ES-module interop helpers.
exports.handler = handle;
