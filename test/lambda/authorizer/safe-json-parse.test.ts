/**
 * The drop-in for aws-jwt-verify's safe-json-parse returns exactly what the
 * original returns (same values, same own keys, same errors), and it is what
 * aws-jwt-verify runs here (jest moduleNameMapper) and in the bundle
 * (scripts/bundle-handlers.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as original from 'aws-jwt-verify/safe-json-parse';
import * as fc from 'fast-check';
import { isJsonObject, safeJsonParse } from '../../../lambda/authorizer/safe-json-parse';
import { jwtVerifyDropIns } from '../../../scripts/bundle-handlers';

/** A description of a parsed value that tells own keys (including `__proto__`) and prototypes apart. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return ['array', v.map(shape)];
  if (typeof v === 'object' && v !== null) {
    return ['object', Object.getPrototypeOf(v) === Object.prototype, Object.getOwnPropertyNames(v).map((k) => [k, shape((v as Record<string, unknown>)[k])])];
  }
  return [typeof v, v];
}

function outcome(parse: (s: string) => unknown, s: string): unknown {
  try {
    return ['ok', shape(parse(s))];
  } catch (err) {
    return ['throws', (err as Error).name];
  }
}

const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', '\\u005f_proto__', 'constructo\\u0072', '__proto\\u005f_', 'toString', 'kid'];

/** JSON texts whose objects often have the keys the reviver removes, written plainly or with escapes. */
const hostileJson = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string()), tie('value')), { maxLength: 4 })
      .map((entries) => `{${entries.map(([k, v]) => `${SPECIAL_KEYS.includes(k) ? `"${k}"` : JSON.stringify(k)}:${v}`).join(',')}}`),
    fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
  ),
})).value;

test('same result as aws-jwt-verify for any JSON text, including __proto__ and constructor keys (plain or escaped)', () => {
  fc.assert(fc.property(hostileJson, (s) => {
    expect(outcome(safeJsonParse, s)).toEqual(outcome(original.safeJsonParse, s));
  }), { numRuns: 3000 });
});

test('same result for arbitrary strings, valid JSON or not', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
    expect(outcome(safeJsonParse, s)).toEqual(outcome(original.safeJsonParse, s));
  }), { numRuns: 2000 });
});

test.each([
  ['{"__proto__":{"admin":true},"a":1}'],
  ['{"\\u005f_proto__":{"admin":true}}'],
  ['{"a":{"constructor":{"prototype":{"x":1}}}}'],
  ['[{"__proto__":null}]'],
])('removes own __proto__/constructor keys like the original: %s', (s) => {
  const parsed = safeJsonParse(s);
  expect(shape(parsed)).toEqual(shape(original.safeJsonParse(s)));
  expect(JSON.stringify(parsed)).not.toMatch(/__proto__|constructor/);
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
});

test('isJsonObject matches the original', () => {
  for (const v of [null, [], {}, 'x', 1, true, [{}]]) expect(isJsonObject(v)).toBe(original.isJsonObject(v as never));
});

test('aws-jwt-verify runs the drop-in under jest', () => {
  jest.isolateModules(() => {
    const seen: string[] = [];
    jest.doMock('../../../lambda/authorizer/safe-json-parse', () => ({
      isJsonObject,
      safeJsonParse: (s: string) => {
        seen.push(s);
        return safeJsonParse(s);
      },
    }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { decomposeUnverifiedJwt } = require('aws-jwt-verify/jwt') as typeof import('aws-jwt-verify/jwt');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    decomposeUnverifiedJwt(`${b64({ alg: 'RS256', kid: 'k' })}.${b64({ sub: 'x' })}.c2ln`);
    expect(seen).toEqual(['{"alg":"RS256","kid":"k"}', '{"sub":"x"}']);
  });
});

describe('bundling plugin', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drop-ins-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  type Resolve = (args: { path: string; importer: string }) => unknown;
  const resolver = (): Resolve => {
    let cb: Resolve | undefined;
    void jwtVerifyDropIns().setup({ onResolve: (_: unknown, f: Resolve) => { cb = f; } } as never);
    return cb!;
  };

  test('resolves aws-jwt-verify\'s import to the drop-in, and nothing else', () => {
    const resolve = resolver();
    const importer = path.join(path.dirname(require.resolve('aws-jwt-verify/jwt')), '..', 'esm', 'jwt.js');
    expect(resolve({ path: './safe-json-parse.js', importer })).toEqual({ path: path.resolve(__dirname, '../../../lambda/authorizer/safe-json-parse.ts') });
    expect(resolve({ path: './safe-json-parse.js', importer: path.join(dir, 'mine.js') })).toBeUndefined();
    expect(resolve({ path: './jwk.js', importer })).toEqual({ path: path.resolve(__dirname, '../../../lambda/authorizer/jwks.ts') });
    expect(resolve({ path: './jwt.js', importer })).toBeUndefined();
  });

  test('fails the build, naming the module, when aws-jwt-verify\'s exports change', () => {
    const fake = path.join(dir, 'node_modules', 'aws-jwt-verify', 'dist', 'esm');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(path.join(fake, 'safe-json-parse.js'), 'export function isJsonObject(j) {}\nexport function safeJsonParse(s) {}\nexport function parseStrict(s) {}\n');
    const result = resolver()({ path: './safe-json-parse.js', importer: path.join(fake, 'jwt.js') }) as { errors: { text: string }[] };
    expect(result.errors[0].text).toMatch(/safe-json-parse\.js exports isJsonObject, parseStrict, safeJsonParse.*review the drop-in/);
  });
});
