/**
 * credentialsFromSecretString: the JSON TenantAppClient writes, checked field by field,
 * with errors that name the field and never the secret.
 */
import { TokenClient, TokenClientError, credentialsFromSecretString } from '../../token-client/src';

const SECRET = 'cs-SECRET-1q2w3e';
const GOOD = {
  tenantId: 'globex',
  clientId: '4tq1example',
  clientSecret: SECRET,
  tokenEndpoint: 'https://acme-m2m.auth.us-east-1.amazoncognito.com/oauth2/token',
  scope: 'orders/read orders/write',
};

test('parses the secret TenantAppClient writes', () => {
  expect(credentialsFromSecretString(JSON.stringify(GOOD))).toEqual(GOOD);
});

test('only clientId and clientSecret are required', () => {
  expect(credentialsFromSecretString(JSON.stringify({ clientId: 'a', clientSecret: SECRET }))).toEqual({ clientId: 'a', clientSecret: SECRET });
});

test.each([
  ['clientId missing', { ...GOOD, clientId: undefined }, /field "clientId" must be a non-empty string \(missing\)/],
  ['clientSecret missing', { ...GOOD, clientSecret: undefined }, /field "clientSecret" must be a non-empty string/],
  ['clientSecret a number', { ...GOOD, clientSecret: 12345 }, /field "clientSecret" must be a non-empty string/],
  ['clientId empty', { ...GOOD, clientId: ' ' }, /field "clientId"/],
  ['tokenEndpoint not a URL', { ...GOOD, tokenEndpoint: 'acme/oauth2/token' }, /field "tokenEndpoint" must be an absolute URL/],
  ['tokenEndpoint plain http', { ...GOOD, tokenEndpoint: 'http://acme.example/oauth2/token' }, /field "tokenEndpoint" must be an https URL/],
  ['scope not a string', { ...GOOD, scope: ['a'] }, /field "scope"/],
  ['tenantId not a string', { ...GOOD, tenantId: 7 }, /field "tenantId"/],
])('%s: the error names the field', (_what, value, message) => {
  const err = (() => {
    try {
      credentialsFromSecretString(JSON.stringify(value));
    } catch (e) {
      return e as TokenClientError;
    }
    throw new Error('no error');
  })();
  expect(err).toBeInstanceOf(TokenClientError);
  expect(err.code).toBe('config');
  expect(err.message).toMatch(message);
  expect(`${err.message}${err.stack}${JSON.stringify(err)}`).not.toContain(SECRET);
});

test.each([
  ['not JSON, quoting the secret', `{"clientSecret": "${SECRET}", oops}`, /not valid JSON/],
  ['an array', JSON.stringify([SECRET]), /must be a JSON object/],
  ['null', 'null', /must be a JSON object/],
])('%s is refused without echoing it', (_what, text, message) => {
  expect(() => credentialsFromSecretString(text)).toThrow(message);
  try {
    credentialsFromSecretString(text);
  } catch (e) {
    expect(`${(e as Error).message}${(e as Error).stack}`).not.toContain(SECRET);
  }
});

test('credentials given directly are checked the same way', () => {
  expect(() => new TokenClient({ credentials: { clientId: 'a', clientSecret: '' } })).toThrow(/credentials: field "clientSecret"/);
});

test('the token-endpoint method without an endpoint is a config error at the first call', async () => {
  const c = new TokenClient({ credentials: { clientId: 'a', clientSecret: SECRET }, method: { type: 'token-endpoint' } });
  await expect(c.getToken()).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/needs a token endpoint/) });
});

test('without a method, credentials with neither a token endpoint nor a Region are a config error at the first call', async () => {
  const before = process.env.AWS_REGION;
  delete process.env.AWS_REGION;
  try {
    const c = new TokenClient({ credentials: { clientId: 'a', clientSecret: SECRET } });
    await expect(c.getToken()).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/the get-client-token method needs a Region.*userPoolId/) });
  } finally {
    if (before !== undefined) process.env.AWS_REGION = before;
  }
});
