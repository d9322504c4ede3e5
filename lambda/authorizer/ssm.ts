/**
 * The two SSM Parameter Store reads of the client directory (directory.ts),
 * GetParameters and GetParametersByPath, as HTTPS POSTs in SSM's JSON
 * protocol signed with Signature Version 4 (node:crypto's HMAC-SHA256),
 * without the AWS SDK: loading `@aws-sdk/client-ssm` alone takes about
 * 70 ms of a cold start (bench/directory.bench.ts), these requests next to
 * nothing. What the SDK client did and this does the same way:
 * - the endpoint: AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL when set (unless
 *   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is `true`), else SSM's in the Region's
 *   partition, FIPS with AWS_USE_FIPS_ENDPOINT, dual-stack with
 *   AWS_USE_DUALSTACK_ENDPOINT;
 * - the Region (AWS_REGION) and the function role's credentials from the
 *   variables Lambda sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *   AWS_SESSION_TOKEN); `SsmOptions` overrides them (tests);
 * - bounded attempts: 2 per call, a throttled one retried after a random
 *   delay below 500 ms, an error of the server or the network below 100 ms
 *   (the SDK's standard retry for its first retry), nothing else retried;
 *   1 s per attempt, so an unreachable SSM is answered (denied) within about
 *   2 s, well within the function's timeout (3 s at least);
 * - an error is an Error named after SSM's error type (`ThrottlingException`,
 *   `AccessDeniedException`), the network's (`ECONNREFUSED`) or
 *   `TimeoutError`: the name the authorizer logs for an outage.
 * `node:https` (or `node:http` for a loopback endpoint) loads on the first call.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'crypto';
import type { request as Request } from 'http';
import type { SSMClientConfig } from '@aws-sdk/client-ssm';
import { Env, invalid, missing } from '../shared/config';

/** Requests per call: the first and one retry. */
export const SSM_MAX_ATTEMPTS = 2;
/** Milliseconds an attempt may take, from connecting to the last byte of the answer. */
const ATTEMPT_TIMEOUT_MS = 1000;

/** Overrides of what the environment gives (static values only: tests and local servers). */
export type SsmOptions = Pick<SSMClientConfig, 'endpoint' | 'region' | 'credentials'>;

/** One call: the operation's name and input; its output, or a rejection with a named Error. */
export type SsmCall = (operation: 'GetParameters' | 'GetParametersByPath', input: object) => Promise<Record<string, unknown>>;

export interface SsmCredentials { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
/** Where and as whom the calls go. */
export interface SsmTarget { readonly url: URL; readonly region: string; readonly credentials: SsmCredentials }

/** Region prefix, DNS suffix and dual-stack DNS suffix of each partition other than `aws` and `aws-us-gov` (the SDK's partitions). */
const PARTITIONS = ('cn- amazonaws.com.cn api.amazonwebservices.com.cn,eusc- amazonaws.eu api.amazonwebservices.eu,us-iso- c2s.ic.gov api.aws.ic.gov,'
  + 'us-isob- sc2s.sgov.gov api.aws.scloud,eu-isoe- cloud.adc-e.uk api.cloud-aws.adc-e.uk,us-isof- csp.hci.ic.gov api.aws.hci.ic.gov').split(',').map((p) => p.split(' '));

/** SSM's endpoint in a Region, as the SDK's endpoint rules give it. */
export function ssmEndpoint(region: string, fips = false, dualStack = false): string {
  const [, dns, dualDns] = PARTITIONS.find(([prefix]) => region.startsWith(prefix)) ?? ['', 'amazonaws.com', 'api.aws'];
  // In aws-us-gov, ssm.<region>.amazonaws.com is the FIPS endpoint.
  const suffix = fips && (dualStack || !region.startsWith('us-gov-')) ? '-fips' : '';
  return `https://ssm${suffix}.${region}.${dualStack ? dualDns : dns}`;
}

const isTrue = (value: string | undefined) => value?.toLowerCase() === 'true';

/** Where and as whom the calls go, from the options and the environment. */
export function ssmTarget(env: Env, options: SsmOptions = {}): SsmTarget {
  const region = options.region ?? env.AWS_REGION ?? '';
  if (typeof region !== 'string' || !/^[a-z0-9-]{1,50}$/.test(region)) throw invalid('AWS_REGION', String(region), 'a Region like us-east-1');
  const configured = isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ? undefined : env.AWS_ENDPOINT_URL_SSM ?? env.AWS_ENDPOINT_URL;
  const endpoint = options.endpoint ?? configured ?? ssmEndpoint(region, isTrue(env.AWS_USE_FIPS_ENDPOINT), isTrue(env.AWS_USE_DUALSTACK_ENDPOINT));
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) throw invalid('AWS_ENDPOINT_URL_SSM', String(endpoint), 'an http(s) URL');
  const credentials = (options.credentials ?? {
    accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined,
  }) as Partial<SsmCredentials>;
  if (!credentials.accessKeyId || !credentials.secretAccessKey) throw missing('AWS_ACCESS_KEY_ID', 'the function role\'s credentials (with AWS_SECRET_ACCESS_KEY)');
  return { url: new URL(endpoint), region, credentials: credentials as SsmCredentials };
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Signs a request to SSM (Signature Version 4, service `ssm`): every header
 * given (lower-case names, values without surrounding spaces) is signed, with
 * `x-amz-content-sha256`, `x-amz-date` and, for temporary credentials,
 * `x-amz-security-token` added as the SDK adds them; the headers with those
 * and `authorization` are returned.
 */
export function signRequest(
  headers: Record<string, string>, path: string, body: string, region: string, credentials: SsmCredentials, date: Date,
): Record<string, string> {
  const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const bodyHash = sha256(body);
  const all: Record<string, string> = { ...headers, 'x-amz-content-sha256': bodyHash, 'x-amz-date': amzDate };
  if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(all).sort();
  const signedHeaders = names.join(';');
  const canonical = ['POST', path, '', ...names.map((n) => `${n}:${all[n]}`), '', signedHeaders, bodyHash].join('\n');
  const scope = `${day}/${region}/ssm/aws4_request`;
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, 'ssm', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`).digest('hex');
  all.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return all;
}

/** A failed attempt: its name, and the bound of the random delay before another attempt (0: none may succeed). */
function failure(name: string, retryMs = 0): Error & { retryMs: number } {
  return Object.assign(new Error(`SSM call failed: ${name}`), { name, retryMs });
}

/** One attempt: the parsed output of a 200, else a rejection with a `failure`. */
function attempt({ url, region, credentials }: SsmTarget, operation: string, body: string): Promise<Record<string, unknown>> {
  const headers = signRequest({
    'content-type': 'application/x-amz-json-1.1', 'host': url.host, 'x-amz-target': `AmazonSSM.${operation}`,
  }, url.pathname, body, region, credentials, new Date());
  // A lazy require is the point: the transport loads on the first call, and `node:https` is not the authorizer's https shim.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const send = (require(url.protocol === 'http:' ? 'node:http' : 'node:https') as { request: typeof Request }).request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      // The connection lost or the attempt cut short mid-answer.
      res.on('error', (err) => reject('retryMs' in err ? err : failure('ECONNRESET', 100)));
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode!;
        try {
          if (status === 200) return resolve(JSON.parse(text) as Record<string, unknown>);
        } catch {
          return reject(failure('InvalidResponse'));
        }
        // SSM's error type: `__type` of the body (after any `#`), or the x-amzn-ErrorType header (before any `:`).
        let type: unknown = res.headers['x-amzn-errortype'];
        try {
          type = (JSON.parse(text) as { __type?: unknown }).__type ?? type;
        } catch {
          // Not JSON (a proxy's page): the header or the status names it.
        }
        const name = typeof type === 'string' ? type.split(':')[0].split('#').pop()! : `Http${status}`;
        reject(failure(name, /Throttl/.test(name) || status === 429 ? 500 : status >= 500 ? 100 : 0));
      });
    });
    const timer = setTimeout(() => req.destroy(failure('TimeoutError', 100)), ATTEMPT_TIMEOUT_MS);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject('retryMs' in err ? err : failure(err.code ?? 'NetworkError', 100));
    });
    req.end(body);
  });
}

/**
 * A function that calls SSM for the directory. The target (Region, endpoint,
 * credentials) is read on the first call: a problem with it fails that call
 * (and the directory's load), with a ConfigError naming the variable.
 */
export function ssmCaller(env: Env, options: SsmOptions = {}): SsmCall {
  let target: SsmTarget | undefined;
  return async (operation, input) => {
    target ??= ssmTarget(env, options);
    const body = JSON.stringify(input);
    for (let n = 1; ; n++) {
      try {
        return await attempt(target, operation, body);
      } catch (err) {
        const retryMs = (err as { retryMs?: number }).retryMs ?? 0;
        if (n >= SSM_MAX_ATTEMPTS || retryMs === 0) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * retryMs));
      }
    }
  };
}
