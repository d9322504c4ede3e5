/**
 * A drop-in for aws-jwt-verify's `safe-json-parse` module (same exports, same
 * results), substituted for it when the authorizer is bundled
 * (scripts/bundle-handlers.ts) and in the tests (jest `moduleNameMapper`).
 *
 * aws-jwt-verify parses every JWT header and payload with a reviver that
 * deletes own `__proto__` and `constructor` keys (prototype-pollution
 * hardening). A reviver makes `JSON.parse` call back for every value, which
 * costs about 4 µs per Cognito access token: 15% of the RSA verification
 * itself. When the text contains neither of those names nor a backslash (an
 * escape could spell them), no parsed object can have such a key, the
 * reviver's deletes are no-ops, and a plain `JSON.parse` returns the same
 * value; otherwise the reviver runs exactly as in aws-jwt-verify.
 *
 * Equivalence with the original is checked by a property test
 * (test/lambda/authorizer/safe-json-parse.test.ts).
 */

/** JSON value, as aws-jwt-verify types it. */
type Json = null | string | number | boolean | Json[] | { [name: string]: Json };

/** Whether `j` is a JSON object (not null, not an array). */
export function isJsonObject(j: unknown): j is { [name: string]: Json } {
  return typeof j === 'object' && !Array.isArray(j) && j !== null;
}

/** aws-jwt-verify's reviver: removes own `__proto__` and `constructor` keys of every object. */
function reviver(_: string, value: unknown): unknown {
  if (isJsonObject(value)) {
    const o = value as { __proto__?: unknown; constructor?: unknown };
    delete o.__proto__;
    delete o.constructor;
  }
  return value;
}

/** Parses JSON; objects never keep an own `__proto__` or `constructor` key. */
export function safeJsonParse(s: string): Json {
  if (s.indexOf('\\') === -1 && s.indexOf('__proto__') === -1 && s.indexOf('constructor') === -1) {
    return JSON.parse(s) as Json;
  }
  return JSON.parse(s, reviver) as Json;
}
