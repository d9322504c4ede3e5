/**
 * The handlers' one environment reader: every error is a ConfigError naming
 * the variable, the value received (cut, never for JSON) and the rule.
 */
import { ConfigError, flag, integer, json, optional, optionalId, requiredId } from '../../../lambda/shared/config';
import type { IntegerSetting } from '../../../lib/private/contracts/env';
import { TENANT_ID } from '../../../lib/private/contracts/ids';

const TTL: IntegerSetting = { env: 'TTL', default: 30, min: 0, max: 900, unit: 'seconds' };
const GRACE: IntegerSetting = { env: 'GRACE', min: 3600, max: Infinity, unit: 'seconds' };

function failure(read: () => unknown): { name: string; reason: string; message: string } {
  try {
    read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { name: err.name, reason: err.reason, message: err.message };
  }
  throw new Error('no error');
}

describe('strings', () => {
  test('an unset or empty variable is undefined when optional, an error naming the rule when required', () => {
    expect(optional({ A: '' }, 'A')).toBeUndefined();
    expect(optional({}, 'A')).toBeUndefined();
    expect(optional({ A: 'x' }, 'A')).toBe('x');
    expect(failure(() => requiredId({ A: '' }, 'A', TENANT_ID))).toEqual({
      name: 'ConfigError', reason: 'config_error', message: `A is not set: ${TENANT_ID.describe}`,
    });
  });

  test('an id is checked against its rule, length included; the message quotes the value, cut to 80 characters', () => {
    expect(requiredId({ T: 'globex' }, 'T', TENANT_ID)).toBe('globex');
    expect(optionalId({}, 'T', TENANT_ID)).toBeUndefined();
    expect(failure(() => requiredId({ T: '-globex' }, 'T', TENANT_ID)).message)
      .toBe(`T: "-globex" is invalid: ${TENANT_ID.describe}`);
    expect(failure(() => optionalId({ T: 'a'.repeat(100) }, 'T', TENANT_ID)).message)
      .toBe(`T: "${'a'.repeat(80)}" is invalid: ${TENANT_ID.describe}`);
  });
});

describe('integers', () => {
  test.each([
    [undefined, 30], ['', 30], ['0', 0], ['900', 900],
  ])('%p reads as %p (the default when unset)', (raw, value) => {
    expect(integer({ TTL: raw }, TTL)).toBe(value);
  });

  test.each(['-1', '901', '1.5', ' 5', '5s', '1e3', '0x10', '99999999999999999'])('%p is refused with the range and unit', (raw) => {
    expect(failure(() => integer({ TTL: raw }, TTL)).message).toBe(`TTL: ${JSON.stringify(raw)} is invalid: an integer from 0 to 900 (seconds)`);
  });

  test('a setting without a default is required; without a maximum only its minimum is named', () => {
    expect(failure(() => integer({}, GRACE)).message).toBe('GRACE is not set: an integer of at least 3600 (seconds)');
    expect(failure(() => integer({ GRACE: '60' }, GRACE)).message).toBe('GRACE: "60" is invalid: an integer of at least 3600 (seconds)');
    expect(integer({ GRACE: '86400' }, GRACE)).toBe(86_400);
  });
});

test('flags are true or false exactly', () => {
  expect(flag({}, 'F', false)).toBe(false);
  expect(flag({ F: 'true' }, 'F', false)).toBe(true);
  expect(flag({ F: 'false' }, 'F', true)).toBe(false);
  expect(failure(() => flag({ F: 'yes' }, 'F', false)).message).toBe('F: "yes" is invalid: true or false');
});

test('JSON is parsed; a value that is not JSON is refused without quoting it', () => {
  expect(json({ J: '{"a":[1]}' }, 'J', 'an object')).toEqual({ a: [1] });
  expect(json({}, 'J', 'an object')).toBeUndefined();
  const refused = failure(() => json({ J: '{"secretish": ' }, 'J', 'an object'));
  expect(refused.message).toBe('J is not valid JSON: an object');
});
