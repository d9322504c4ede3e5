/**
 * Bundling shim for `https` (see scripts/bundle-handlers.ts): loading `https`
 * pulls in tls, net and http, about 5 ms of cold start, yet the authorizer
 * only needs it when its JWKS is not cached. aws-jwt-verify's
 * `import { request } from "https"` is pointed here so the real module loads
 * on the first request that actually fetches.
 */
import type * as httpsType from 'https';

let mod: typeof httpsType | undefined;

export function request(...args: unknown[]): ReturnType<typeof httpsType.request> {
  // A lazy require is the point of this module; `node:https` is not aliased back to this shim.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mod ??= require('node:https') as typeof httpsType;
  return (mod.request as (...a: unknown[]) => ReturnType<typeof httpsType.request>)(...args);
}
