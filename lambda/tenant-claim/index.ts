/**
 * Lambda entry of the tenant-claim trigger (Cognito pre token generation,
 * event V3_0). Configuration, the client directory, the registry resolver and
 * their SDK clients are built once per execution environment; the handler
 * only does per-event work.
 */
import { createTriggerFromEnv, PreTokenGenerationEvent } from './trigger';

const trigger = createTriggerFromEnv(process.env);

// A CommonJS export (the bundle's format): an ES `export` would make esbuild add its ES-module interop helpers.
exports.handler = (event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent> => trigger.handle(event);
