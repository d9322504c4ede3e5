/**
 * Lambda entry of the tenant-aware authorizer. Configuration, verifier, JWKS
 * cache, route table and caches are built once per execution environment;
 * the handler only does per-request work.
 */
import { AuthorizerEvent, AuthorizerResponse, createAuthorizerFromEnv } from './authorizer';

const authorizer = createAuthorizerFromEnv(process.env, __dirname);

export function handler(event: AuthorizerEvent): Promise<AuthorizerResponse> {
  return authorizer.handle(event);
}
