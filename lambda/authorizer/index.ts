/**
 * Lambda entry of the tenant-aware authorizer. Configuration, verifier, JWKS
 * cache, route table and caches are built once per execution environment;
 * the handler only does per-request work. This entry has neither
 * tenant-registry nor client-directory support (TABLE_NAME and
 * CLIENT_TENANTS_PATH are configuration errors here): the construct deploys
 * lambda/authorizer-registry when a registry is set and
 * lambda/authorizer-directory when the clients are in SSM, so an authorizer
 * whose clients are inline carries neither the registry nor the SSM code.
 */
import { AuthorizerEvent, AuthorizerResponse, createAuthorizerFromEnv } from './authorizer';

const authorizer = createAuthorizerFromEnv(process.env, __dirname);

// A CommonJS export (the bundle's format): an ES `export` would make esbuild add its ES-module interop helpers.
exports.handler = (event: AuthorizerEvent): Promise<AuthorizerResponse> => authorizer.handle(event);
