/**
 * aws-jwt-verify modules the drop-in authorizer/node-web-compat.ts uses (types),
 * under names that scripts/bundle-handlers.ts and jest's moduleNameMapper
 * resolve to the original files (they are not in the package's exports).
 */
declare module '#aws-jwt-verify/node-web-compat-node' {
  import type { KeyObject } from 'crypto';
  export interface VerifyArgs { alg: string; keyObject: KeyObject; jwsSigningInput: string; signature: string }
  export interface NodeWebCompat {
    fetch: (uri: string, requestOptions?: Record<string, unknown>, data?: ArrayBuffer) => Promise<ArrayBuffer>;
    transformJwkToKeyObjectSync: (jwk: unknown, alg?: string, iss?: string) => KeyObject;
    transformJwkToKeyObjectAsync: (jwk: unknown, alg?: string, iss?: string) => Promise<KeyObject>;
    parseB64UrlString: (b64: string) => string;
    verifySignatureSync: (args: VerifyArgs) => boolean;
    verifySignatureAsync: (args: VerifyArgs) => Promise<boolean>;
    defaultFetchTimeouts: { socketIdle: number; response: number };
    setTimeoutUnref: (...args: Parameters<typeof setTimeout>) => ReturnType<typeof setTimeout>;
    transformPemToJwk: (pem: string, jwtHeaderAlg?: string) => Promise<unknown>;
  }
  export const nodeWebCompat: NodeWebCompat;
}
