import { IConstruct } from 'constructs';
import type { MethodAuthorizer } from './method-options';
import type { M2mAuthorizer } from '../authorizers/m2m-authorizer';
import type { IM2mUserPool } from '../m2m-user-pool';

/**
 * The integration request parameters that hand the caller's identity to a
 * backend (`ScopedRestApi.callerContextHeaders()`), in sorted order: the
 * deployment's id hashes the methods' properties in the order their keys
 * arrive, so it does not depend on a round trip through another language.
 * Without a tenant now, a TenantClaim created later would put the tenant in
 * the tokens but not in these headers: synthesis then fails, saying so.
 */
export function callerContextHeaders(
  api: IConstruct, authorizer: M2mAuthorizer, userPool: IM2mUserPool, which: MethodAuthorizer | undefined,
): { [param: string]: string } {
  const context = authorizer._callerContextOf(api, userPool, which);
  if (context['X-Tenant-Id'] === undefined) {
    api.node.addValidation({
      validate: () => (authorizer._callerContextOf(api, userPool, which)['X-Tenant-Id'] === undefined ? [] : [
        'callerContextHeaders() was called before the TenantClaim of the API\'s user pool was created, so its headers carry no X-Tenant-Id: create the TenantClaim first',
      ]),
    });
  }
  return Object.fromEntries(Object.entries(context)
    .map(([h, ctx]) => [`integration.request.header.${h}`, ctx] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
