/**
 * A local SSM Parameter Store for the tenant-claim tests: GetParametersByPath
 * over the real JSON protocol on 127.0.0.1 (paginated, not recursive unless
 * asked), so the trigger's real SSM client and directory loader run
 * unchanged. Parameters are set by the test; `failing` answers every call
 * with a 500. (Not a test file: no network beyond 127.0.0.1.)
 */
import { loopbackServer } from '../authorizer/helpers';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

export interface LocalSsm {
  readonly endpoint: string;
  /** Parameter name → value. */
  readonly parameters: Map<string, string>;
  /** Answer every call with an internal error. */
  failing: boolean;
  /** Requests received. */
  calls(): number;
  close(): Promise<void>;
}

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

export async function startLocalSsm(): Promise<LocalSsm> {
  const parameters = new Map<string, string>();
  const state = { failing: false };
  const server = await loopbackServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      if (state.failing) {
        res.writeHead(500, JSON_TYPE).end(JSON.stringify({ __type: 'InternalServerError', message: 'injected failure' }));
        return;
      }
      if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParametersByPath') {
        res.writeHead(400, JSON_TYPE).end(JSON.stringify({ __type: 'UnknownOperationException', message: 'not served here' }));
        return;
      }
      const input = JSON.parse(body) as { Path: string; Recursive?: boolean; MaxResults?: number; NextToken?: string };
      const prefix = input.Path.endsWith('/') ? input.Path : `${input.Path}/`;
      const names = [...parameters.keys()]
        .filter((n) => n.startsWith(prefix) && (input.Recursive || !n.slice(prefix.length).includes('/')))
        .sort();
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const end = start + (input.MaxResults ?? 10);
      res.writeHead(200, JSON_TYPE).end(JSON.stringify({
        Parameters: names.slice(start, end).map((Name) => ({ Name, Value: parameters.get(Name), Type: 'String', Version: 1 })),
        NextToken: end < names.length ? String(end) : undefined,
      }));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    parameters,
    get failing() { return state.failing; },
    set failing(v: boolean) { state.failing = v; },
    calls: server.hits,
    close: server.close,
  };
}
