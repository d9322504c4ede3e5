/**
 * The directory's SSM reads without the SDK (lambda/authorizer/ssm.ts): each
 * request is the one the SDK's own SSM client sends (same endpoint in every
 * partition, same operation, body and signature), the Region, endpoint and
 * credentials come from the variables Lambda and the SDK read, and a call
 * makes at most two attempts: a throttled, failing or unreachable SSM is
 * retried once, a refusal (AccessDeniedException) is not. Local servers only.
 */
import * as http from 'http';
import { GetParametersByPathCommand, GetParametersCommand, SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';
import { closedPort, loopbackServer } from './helpers';
import { SSM_MAX_ATTEMPTS, signRequest, ssmCaller, ssmEndpoint, ssmTarget } from '../../../lambda/authorizer/ssm';
import { ConfigError } from '../../../lambda/shared/config';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SESSION = { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE/token+with=chars' };

/** The headers signRequest adds. */
const ADDED = ['x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'];

interface Sent {
  readonly hostname: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The request the SDK's SSM client sends for `command` (captured by its request handler, never sent). */
async function sdkRequest(config: SSMClientConfig, command: GetParametersCommand | GetParametersByPathCommand): Promise<Sent> {
  let sent: Sent | undefined;
  const client = new SSMClient({
    ...config,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: Sent & { headers: Record<string, string> }) => {
        sent = { hostname: request.hostname, path: request.path, method: request.method, headers: request.headers, body: typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array) };
        throw Object.assign(new Error('captured'), { name: 'Captured' });
      },
    } as unknown as SSMClientConfig['requestHandler'],
  });
  await client.send(command as GetParametersCommand).catch((err: Error) => { if (err.name !== 'Captured') throw err; });
  client.destroy();
  return sent!;
}

/** The headers of a request, lower-case, without those the SDK or Node.js add for themselves, and the signature's (compared apart). */
function protocolHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])
    .filter(([k]) => !/^(amz-sdk-|user-agent|x-amz-user-agent|content-length|connection|x-amz-date|x-amz-security-token|authorization)/.test(k)));
}

describe('the requests are the SDK\'s', () => {
  test.each([
    ['GetParameters', () => new GetParametersCommand({ Names: ['/cdk-cognito-m2m/clients/A/S-0', '/cdk-cognito-m2m/clients/A/S-1'] }), CREDENTIALS],
    ['GetParametersByPath, temporary credentials', () => new GetParametersByPathCommand({ Path: '/cdk-cognito-m2m/clients/A', Recursive: false, MaxResults: 10 }), SESSION],
  ])('%s: the signature of the SDK\'s request, computed by signRequest, is the SDK\'s', async (_, command, credentials) => {
    const sdk = await sdkRequest({ region: 'eu-west-3', credentials }, command());
    const auth = sdk.headers.authorization;
    const signed = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
    // Every header the SDK signed but those signRequest adds itself (as the SDK does).
    const given = Object.fromEntries(signed.filter((h) => !ADDED.includes(h)).map((h) => [h, sdk.headers[h]]));
    const date = sdk.headers['x-amz-date'];
    const at = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const ours = signRequest(given, sdk.path, sdk.body, 'eu-west-3', credentials, at);
    expect(ours.authorization).toBe(auth);
    for (const h of ADDED) expect({ h, value: ours[h] }).toEqual({ h, value: sdk.headers[h] });
  });

  test('on the wire: the SDK\'s method, path, host, content type, operation and body; signed with x-amz-date and the session token', async () => {
    const received: Sent[] = [];
    const server = await loopbackServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        received.push({ hostname: '', path: req.url!, method: req.method!, headers: req.headers as Record<string, string>, body });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"Parameters":[]}');
      });
    });
    try {
      const endpoint = `http://127.0.0.1:${server.port}`;
      const names = ['/cdk-cognito-m2m/clients/A/S-0'];
      await ssmCaller({}, { endpoint, region: 'us-east-1', credentials: SESSION })('GetParameters', { Names: names });
      const sdk = await sdkRequest({ endpoint, region: 'us-east-1', credentials: SESSION }, new GetParametersCommand({ Names: names }));
      const [ours] = received;
      expect({ method: ours.method, path: ours.path, headers: protocolHeaders(ours.headers), body: JSON.parse(ours.body) })
        .toEqual({ method: sdk.method, path: sdk.path, headers: protocolHeaders(sdk.headers), body: JSON.parse(sdk.body) });
      expect(ours.headers['x-amz-security-token']).toBe(SESSION.sessionToken);
      expect(ours.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ssm\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
      );
    } finally {
      await server.close();
    }
  });

  const REGIONS = ['us-east-1', 'eu-west-3', 'il-central-1', 'mx-central-1', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1',
    'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'];
  test.each(REGIONS.flatMap((r) => [[r, false, false], [r, true, false], [r, false, true], [r, true, true]] as const))(
    'endpoint in %s (FIPS %s, dual-stack %s): the SDK\'s', async (region, fips, dualStack) => {
      const sdk = await sdkRequest({ region, credentials: CREDENTIALS, useFipsEndpoint: fips, useDualstackEndpoint: dualStack }, new GetParametersCommand({ Names: ['/x'] }));
      expect(ssmEndpoint(region, fips, dualStack)).toBe(`https://${sdk.hostname}`);
    });
});

describe('Region, endpoint and credentials', () => {
  const LAMBDA = {
    AWS_REGION: 'eu-west-3', AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token',
  };

  test('what Lambda sets: the Region\'s endpoint and the role\'s temporary credentials', () => {
    const t = ssmTarget(LAMBDA);
    expect({ url: t.url.href, region: t.region, credentials: t.credentials })
      .toEqual({ url: 'https://ssm.eu-west-3.amazonaws.com/', region: 'eu-west-3', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' } });
  });

  test('configured endpoints as the SDK reads them: AWS_ENDPOINT_URL_SSM, else AWS_ENDPOINT_URL, neither with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const url = (env: Record<string, string>) => ssmTarget({ ...LAMBDA, ...env }).url.href;
    expect(url({ AWS_ENDPOINT_URL: 'https://all.example/', AWS_ENDPOINT_URL_SSM: 'https://ssm.example/' })).toBe('https://ssm.example/');
    expect(url({ AWS_ENDPOINT_URL: 'https://all.example/' })).toBe('https://all.example/');
    expect(url({ AWS_ENDPOINT_URL_SSM: 'https://ssm.example/', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBe('https://ssm.eu-west-3.amazonaws.com/');
    expect(url({ AWS_USE_FIPS_ENDPOINT: 'true' })).toBe('https://ssm-fips.eu-west-3.amazonaws.com/');
  });

  test('options override the environment (tests, local servers)', () => {
    const t = ssmTarget(LAMBDA, { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: CREDENTIALS });
    expect([t.url.href, t.region, t.credentials]).toEqual(['http://127.0.0.1:1/', 'us-east-1', CREDENTIALS]);
  });

  test.each([
    ['no Region', { ...LAMBDA, AWS_REGION: undefined }, 'AWS_REGION: "" is invalid: a Region like us-east-1'],
    ['a Region that is not one', { ...LAMBDA, AWS_REGION: 'evil.example/x' }, 'AWS_REGION: "evil.example/x" is invalid: a Region like us-east-1'],
    ['no credentials', { AWS_REGION: 'us-east-1' }, 'AWS_ACCESS_KEY_ID is not set: the function role\'s credentials (with AWS_SECRET_ACCESS_KEY)'],
    ['an endpoint that is not a URL', { ...LAMBDA, AWS_ENDPOINT_URL_SSM: 'ssm.example' }, 'AWS_ENDPOINT_URL_SSM: "ssm.example" is invalid: an http(s) URL'],
  ])('%s: a ConfigError naming it, from the first call', async (_, env, message) => {
    expect(() => ssmTarget(env)).toThrow(ConfigError);
    expect(() => ssmTarget(env)).toThrow(message);
    await expect(ssmCaller(env)('GetParameters', { Names: ['/x'] })).rejects.toThrow(message);
  });
});

describe(`bounded attempts: at most ${SSM_MAX_ATTEMPTS} per call`, () => {
  /** A local SSM answering each request with the next of `answers` (status and error type), then 200s. */
  async function scripted(answers: [number, string][]) {
    const server = await loopbackServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const next = answers.shift();
        if (next) res.writeHead(next[0], { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: next[1], message: 'scripted' }));
        else res.writeHead(200).end('{"Parameters":[{"Name":"/x","Value":"{}"}]}');
      });
    });
    const call = ssmCaller({}, { endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1', credentials: CREDENTIALS });
    return { server, call: () => call('GetParameters', { Names: ['/x'] }) };
  }

  test.each([
    ['throttled once (ThrottlingException)', [[400, 'ThrottlingException']]],
    ['an internal error once', [[500, 'InternalServerError']]],
    ['a namespaced error type once', [[503, 'com.amazonaws.ssm#ServiceUnavailable']]],
  ] as [string, [number, string][]][])('%s: retried, answered', async (_, answers) => {
    const { server, call } = await scripted(answers);
    try {
      expect(await call()).toEqual({ Parameters: [{ Name: '/x', Value: '{}' }] });
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });

  test.each([
    ['throttled twice', [[400, 'ThrottlingException'], [400, 'ThrottlingException']], 'ThrottlingException', 2],
    ['failing twice', [[500, 'InternalServerError'], [500, 'com.amazonaws.ssm#InternalServerError']], 'InternalServerError', 2],
    ['refused (the role may not call it): no retry', [[400, 'AccessDeniedException']], 'AccessDeniedException', 1],
    ['a bad request: no retry', [[400, 'ValidationException']], 'ValidationException', 1],
  ] as [string, [number, string][], string, number][])('%s: rejected with an Error named %s after the attempts', async (_, answers, name, requests) => {
    const { server, call } = await scripted(answers);
    try {
      await expect(call()).rejects.toMatchObject({ name });
      expect(server.hits()).toBe(requests);
    } finally {
      await server.close();
    }
  });

  test('SSM unreachable: ECONNREFUSED after two attempts', async () => {
    const port = await closedPort();
    await expect(ssmCaller({}, { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: CREDENTIALS })('GetParameters', { Names: ['/x'] }))
      .rejects.toMatchObject({ name: 'ECONNREFUSED' });
  });

  test('SSM not answering: TimeoutError after two attempts (each cut short, none left open)', async () => {
    const open = new Set<http.ServerResponse>();
    const server = await loopbackServer((req, res) => { req.resume(); open.add(res); });
    try {
      await expect(ssmCaller({}, { endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1', credentials: CREDENTIALS })('GetParameters', { Names: ['/x'] }))
        .rejects.toMatchObject({ name: 'TimeoutError' });
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('an answer that is not SSM\'s JSON: named after its status', async () => {
    const server = await loopbackServer((req, res) => { req.resume(); res.writeHead(403).end('<html>forbidden</html>'); });
    try {
      await expect(ssmCaller({}, { endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1', credentials: CREDENTIALS })('GetParameters', { Names: ['/x'] }))
        .rejects.toMatchObject({ name: 'Http403' });
      expect(server.hits()).toBe(1);
    } finally {
      await server.close();
    }
  });
});
