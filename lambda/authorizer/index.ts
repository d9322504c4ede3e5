/**
 * Lambda entry of the tenant-aware authorizer. Configuration, verifier, JWKS
 * cache, route table and caches are built once per execution environment;
 * the handler only does per-request work. This entry has no tenant-registry
 * support (TABLE_NAME is a configuration error here): the construct deploys
 * lambda/authorizer-registry when a registry is set, so an authorizer without
 * one does not carry the registry code.
 */
import { AuthorizerEvent, AuthorizerResponse, createAuthorizerFromEnv } from './authorizer';

const authorizer = createAuthorizerFromEnv(process.env, __dirname);

// A CommonJS export (the bundle's format): an ES `export` would make esbuild add its ES-module interop helpers.
exports.handler = (event: AuthorizerEvent): Promise<AuthorizerResponse> => authorizer.handle(event);
