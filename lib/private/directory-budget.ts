/**
 * How the constructs size the client directory (lib/private/trusted-clients.ts):
 * the inline mapping's budget in the function's environment and the packing
 * of entries into directory parameters. Construct-only: the handlers read
 * what this packs through lib/private/contracts/client-directory.ts.
 */
import { USER_POOL_ID } from './contracts/ids';

/**
 * Lambda environment variables share 4 KB; the inline mapping (or, with a
 * directory, the list of its parameters) keeps room for the others.
 */
export const INLINE_BUDGET_CHARS = 3500;
/** Largest value of a Standard-tier SSM parameter. */
export const DIRECTORY_PARAMETER_MAX_CHARS = 4096;
/** Characters of an app client id Cognito generates. */
export const GENERATED_CLIENT_ID_CHARS = 26;
/** Most characters of a user pool id (Cognito's limit). */
export const MAX_USER_POOL_ID_CHARS = USER_POOL_ID.maxLength;

/**
 * Characters one entry adds to a mapping's JSON (`"<client>":"<tenant>",`).
 * Client and tenant ids need no escaping (their alphabets have no `"` or `\`).
 */
export function entryChars(keyChars: number, tenantId: string): number {
  return keyChars + tenantId.length + 6;
}

/** Characters of the JSON object holding entries of these sizes. */
export function mappingChars(entrySizes: readonly number[]): number {
  return 2 + entrySizes.reduce((a, b) => a + b, 0);
}

/** Splits entries, in order, into the fewest consecutive groups whose JSON fits `maxChars`. */
export function chunkEntries<T>(entries: readonly T[], size: (entry: T) => number, maxChars: number = DIRECTORY_PARAMETER_MAX_CHARS): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let chars = 2;
  for (const e of entries) {
    const s = size(e);
    if (2 + s > maxChars) throw new Error(`an entry of ${s} characters does not fit a mapping of ${maxChars}`);
    if (current.length > 0 && chars + s > maxChars) {
      chunks.push(current);
      current = [];
      chars = 2;
    }
    current.push(e);
    chars += s;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
