/**
 * The probe of test/integ.m2m.ts: a Lambda function, deployed with the
 * integration test, that acts as a tenant's service and as a platform
 * operator, and answers with what it saw. Each scenario returns plain JSON
 * that the test's assertions compare.
 *
 * - `scopes`: the CDK-declared tenant's token reaches GET /orders (its scope)
 *   and not POST /orders (a scope it lacks).
 * - `portal`: a tenant and client registered through the developer portal get
 *   a token that works, the client is suspended, and the API denies it within
 *   the documented bound (registry cache TTL + authorizer result cache TTL).
 * - `rotation`: the portal rotates the client's secret, and tokens from both
 *   the old and the new secret work during the overlap.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// The token client package (cdk-cognito-m2m-token-client), from this repository.
import { TokenClient, credentialsFromSecretString } from '../../token-client/src';

const secrets = new SecretsManagerClient({});
const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

async function credentialsOf(secretArn: string): Promise<string> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString) throw new Error(`secret ${secretArn} has no SecretString`);
  return out.SecretString;
}

/** A fresh token client per identity; no retry on 401 so that a denial is seen as it is. */
function clientFor(credentials: { clientId: string; clientSecret: string }, scope: string): TokenClient {
  return new TokenClient({ credentials: { ...credentials, tokenEndpoint: env('TOKEN_ENDPOINT') }, scopes: [scope] });
}

async function status(tokens: TokenClient, url: string, method: string): Promise<number> {
  const token = await tokens.getToken();
  const res = await fetch(url, { method, headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

async function portal(admin: TokenClient, scenario: string, method: string, path: string, body?: unknown): Promise<any> {
  const token = await admin.getToken();
  const res = await fetch(`${env('PORTAL_URL')}${path}`, {
    method,
    headers: { 'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `integ-${scenario}-${method}-${path}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function handler(event: { scenario: 'scopes' | 'portal' | 'rotation' }): Promise<Record<string, unknown>> {
  const orders = `${env('API_URL')}orders`;
  const read = env('READ_SCOPE');
  if (event.scenario === 'scopes') {
    const globex = new TokenClient({ credentials: () => credentialsOf(env('GLOBEX_SECRET_ARN')) });
    return { get: await status(globex, orders, 'GET'), post: await status(globex, orders, 'POST') };
  }

  const adminCreds = credentialsFromSecretString(await credentialsOf(env('ADMIN_SECRET_ARN')));
  const admin = clientFor(adminCreds, env('ADMIN_SCOPE'));
  await portal(admin, event.scenario, 'POST', '/tenants', { tenantId: 'integ-initech' });
  const registered = await portal(admin, event.scenario, 'POST', '/tenants/integ-initech/clients', { name: `probe-${event.scenario}`, scopes: [read] });
  const clientPath = `/tenants/integ-initech/clients/${registered.clientId}`;
  const first = clientFor({ clientId: registered.clientId, clientSecret: registered.clientSecret }, read);
  try {
    if (event.scenario === 'rotation') {
      const rotated = await portal(admin, event.scenario, 'POST', `${clientPath}/secrets`);
      const second = clientFor({ clientId: registered.clientId, clientSecret: rotated.clientSecret }, read);
      return { oldSecret: await status(first, orders, 'GET'), newSecret: await status(second, orders, 'GET') };
    }
    const before = await status(first, orders, 'GET');
    await portal(admin, event.scenario, 'PATCH', clientPath, { status: 'suspended' });
    const suspendedAt = Date.now();
    const boundMs = Number(env('SUSPENSION_BOUND_SECONDS')) * 1000;
    let after = before;
    // The token stays valid: only the registry can deny it. Poll until denied or well past the bound.
    while (after === 200 && Date.now() - suspendedAt < boundMs + 20_000) {
      await sleep(2_000);
      after = await status(first, orders, 'GET');
    }
    const deniedAfterMs = Date.now() - suspendedAt;
    return { before, after, deniedWithinBound: after !== 200 && deniedAfterMs <= boundMs + 2_000 };
  } finally {
    await portal(admin, event.scenario, 'DELETE', clientPath).catch(() => undefined);
  }
}
