/**
 * Bundling shim for `stream` (see scripts/bundle-handlers.ts and
 * lazy-https.ts): aws-jwt-verify only uses `pipeline` while fetching a JWKS,
 * so the module loads on that first fetch instead of at cold start.
 */
import type * as streamType from 'stream';

let mod: typeof streamType | undefined;

export function pipeline(...args: unknown[]): unknown {
  // A lazy require is the point of this module; `node:stream` is not aliased back to this shim.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mod ??= require('node:stream') as typeof streamType;
  return (mod.pipeline as (...a: unknown[]) => unknown)(...args);
}
