/**
 * Lambda entry of the tenant-aware authorizer with client-directory support
 * (bundled as assets/authorizer-directory; the construct deploys it when the
 * authorizer's trusted clients are handed over as SSM parameters under
 * CLIENT_TENANTS_PATH instead of inline in CLIENT_TENANTS). Same authorizer as
 * lambda/authorizer, plus the directory and its SSM reads
 * (lambda/authorizer/directory.ts, lambda/authorizer/ssm.ts).
 */
import { AuthorizerEvent, AuthorizerResponse, createAuthorizerFromEnv } from '../authorizer/authorizer';
import { directoryFromEnv } from '../authorizer/directory';

const authorizer = createAuthorizerFromEnv(process.env, __dirname, { directory: directoryFromEnv });

// A CommonJS export, as in lambda/authorizer/index.ts.
exports.handler = (event: AuthorizerEvent): Promise<AuthorizerResponse> => authorizer.handle(event);
