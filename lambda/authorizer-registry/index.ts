/**
 * Lambda entry of the tenant-aware authorizer with tenant-registry support
 * (bundled as assets/authorizer-registry; the construct deploys it when
 * `registry` is set). Same authorizer as lambda/authorizer, plus the
 * registry resolver: clients the CDK app does not declare are looked up in
 * the registry table (TABLE_NAME). It serves the client directory in SSM
 * (CLIENT_TENANTS_PATH) and token-budget suspensions (BUDGET_TABLE_NAME) as
 * well: `registryBuild` carries them.
 */
import { AuthorizerEvent, AuthorizerResponse, createAuthorizerFromEnv } from '../authorizer/authorizer';
import { registryBuild } from '../authorizer/registry-build';

const authorizer = createAuthorizerFromEnv(process.env, __dirname, { registry: registryBuild });

// A CommonJS export, as in lambda/authorizer/index.ts.
exports.handler = (event: AuthorizerEvent): Promise<AuthorizerResponse> => authorizer.handle(event);
