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

export function handler(event: AuthorizerEvent): Promise<AuthorizerResponse> {
  return authorizer.handle(event);
}
