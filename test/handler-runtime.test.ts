/**
 * The Node.js runtime of the library's functions (`runtime` of
 * HandlerPlacementOptions, lib/private/node-runtime.ts): by default the
 * newest Node.js runtime the installed aws-cdk-lib lists, which is what
 * cdk-nag's AwsSolutions-L1 expects, on every function the library owns (the
 * tenant-aware authorizer, the tenant claim trigger, the developer portal's
 * handler and its API's authorizer, the client-secret rotation); a chosen
 * runtime applies to the functions of the construct it is given to; a
 * runtime the bundles cannot run on is a synth error naming the prop.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mockIntegration, poolStack } from './fixtures';
import { awsSolutionsFindings } from '../bin/nag';
import { DeveloperPortal, HandlerPlacementOptions, M2mAuthorizer, M2mUserPool, ScopedRestApi, TenantClaim } from '../lib';
import { BUNDLE_NODE_MAJOR, newestNodeRuntime } from '../lib/private/node-runtime';

/** The library's functions of the app below, by construct path. */
const LIBRARY_FUNCTIONS = [
  'Test/Api/TenantAuthorizer/Function',
  'Test/Pool/ClientSecretRotation-24h/Function',
  'Test/Portal/Api/TenantAuthorizer/Function',
  'Test/Portal/Handler',
  'Test/TenantClaim/Function',
];

interface Runtimes {
  readonly api?: lambda.Runtime;
  readonly claim?: lambda.Runtime;
  readonly portal?: lambda.Runtime;
  readonly rotation?: lambda.Runtime;
}

/** A stack with each of the library's functions: rotation, tenant claim, a scoped API's authorizer, a developer portal. */
function appWithEveryFunction(runtimes: Runtimes = {}): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-test', secretRotation: { runtime: runtimes.rotation } });
  const orders = pool.addResourceServer('Orders', {
    identifier: 'https://api.acme.example/orders',
    scopes: [{ name: 'read', description: 'Read orders' }],
  });
  pool.addTenant('globex', { scopes: [orders.scope('read')], rotationSchedule: Duration.days(30) });
  new TenantClaim(stack, 'TenantClaim', { userPool: pool, runtime: runtimes.claim });
  const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ runtime: runtimes.api }) });
  api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
  new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes, runtime: runtimes.portal });
  return { app, stack };
}

/** The runtime of each of the library's functions, by construct path (synthesizes the app). */
function libraryRuntimes(app: App, stack: Stack): Record<string, string> {
  app.synth();
  const byPath: Record<string, string> = {};
  for (const c of stack.node.findAll()) {
    if (c instanceof lambda.CfnFunction && LIBRARY_FUNCTIONS.includes(c.node.scope!.node.path)) {
      byPath[c.node.scope!.node.path] = stack.resolve(c.runtime);
    }
  }
  return byPath;
}

const everyFunctionOn = (name: string): Record<string, string> => Object.fromEntries(LIBRARY_FUNCTIONS.map((p) => [p, name]));

describe('by default', () => {
  test('every function of the library runs on the newest Node.js runtime the installed aws-cdk-lib lists', () => {
    const listed = lambda.Runtime.ALL.filter((r) => r.family === lambda.RuntimeFamily.NODEJS && /^nodejs\d+\.x$/.test(r.name));
    const newest = listed.map((r) => r.name).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
    expect(newestNodeRuntime().name).toBe(newest);
    const { app, stack } = appWithEveryFunction();
    expect(libraryRuntimes(app, stack)).toEqual(everyFunctionOn(newest!));
  });

  describe('on an aws-cdk-lib that lists a newer Node.js runtime (simulated: nodejs98.x)', () => {
    let added: lambda.Runtime;
    beforeEach(() => { added = new lambda.Runtime('nodejs98.x', lambda.RuntimeFamily.NODEJS); });
    afterEach(() => { lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(added), 1); });

    test('the functions move to it, and cdk-nag\'s AwsSolutions-L1 (latest runtime) finds none of them', () => {
      const { app, stack } = appWithEveryFunction();
      expect(libraryRuntimes(app, stack)).toEqual(everyFunctionOn('nodejs98.x'));
      const l1 = awsSolutionsFindings(app).filter((f) => f.rule === 'AwsSolutions-L1');
      expect(l1.filter((f) => LIBRARY_FUNCTIONS.some((p) => f.path.startsWith(`${p}/`)))).toEqual([]);
    });

    test('a pinned runtime stays, and AwsSolutions-L1 then reports it (the user\'s choice)', () => {
      const { app, stack } = appWithEveryFunction({ claim: lambda.Runtime.NODEJS_22_X });
      expect(libraryRuntimes(app, stack)['Test/TenantClaim/Function']).toBe('nodejs22.x');
      const l1 = awsSolutionsFindings(app).filter((f) => f.rule === 'AwsSolutions-L1').map((f) => f.path);
      expect(l1).toEqual(['Test/TenantClaim/Function/Resource']);
    });
  });
});

describe('runtime', () => {
  test('applies to the functions of the construct it is given to; the portal\'s to its handler and its API\'s authorizer', () => {
    const { app, stack } = appWithEveryFunction({
      api: lambda.Runtime.NODEJS_22_X,
      claim: lambda.Runtime.NODEJS_20_X,
      portal: new lambda.Runtime('nodejs97.x', lambda.RuntimeFamily.NODEJS),
      rotation: lambda.Runtime.NODEJS_22_X,
    });
    expect(libraryRuntimes(app, stack)).toEqual({
      'Test/Api/TenantAuthorizer/Function': 'nodejs22.x',
      'Test/Pool/ClientSecretRotation-24h/Function': 'nodejs22.x',
      'Test/Portal/Api/TenantAuthorizer/Function': 'nodejs97.x',
      'Test/Portal/Handler': 'nodejs97.x',
      'Test/TenantClaim/Function': 'nodejs20.x',
    });
    lambda.Runtime.ALL.splice(lambda.Runtime.ALL.findIndex((r) => r.name === 'nodejs97.x'), 1);
  });

  test('accepts a Node.js runtime its aws-cdk-lib does not list, declared without a family', () => {
    const { stack, pool } = poolStack();
    const claim = new TenantClaim(stack, 'TenantClaim', { userPool: pool, runtime: new lambda.Runtime('nodejs96.x') });
    expect(stack.resolve((claim.triggerFunction.node.defaultChild as lambda.CfnFunction).runtime)).toBe('nodejs96.x');
  });

  const NOT_NODE = /must be a Node\.js runtime named nodejs<major>\.x \(the library's handlers are JavaScript bundles\), e\.g\. lambda\.Runtime\.NODEJS_24_X/;
  const placements: Array<[string, (runtime: lambda.Runtime) => void, string]> = [
    ['TenantClaim', (runtime) => { const { stack, pool } = poolStack(); new TenantClaim(stack, 'TenantClaim', { userPool: pool, runtime }); }, '[Test/TenantClaim] runtime'],
    ['M2mAuthorizer.tenantAware', (runtime) => {
      const { stack, pool, orders } = poolStack();
      const api = new ScopedRestApi(stack, 'Api', { userPool: pool, authorizer: M2mAuthorizer.tenantAware({ runtime }) });
      api.addScopedMethod(api.root.addResource('orders'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
    }, '[Test/Api] authorizer.runtime'],
    ['DeveloperPortal', (runtime) => {
      const { stack, pool, orders } = poolStack();
      new DeveloperPortal(stack, 'Portal', { userPool: pool, grantableScopes: orders.scopes, runtime });
    }, '[Test/Portal] runtime'],
    ['M2mUserPool secretRotation', (runtime) => {
      const stack = new Stack(new App(), 'Test');
      const secretRotation: HandlerPlacementOptions = { runtime };
      new M2mUserPool(stack, 'Pool', { secretRotation });
    }, '[Test/Pool] secretRotation.runtime'],
  ];

  test.each(placements)('of %s: a runtime other than Node.js is a synth error naming the prop and the value', (_name, build, prop) => {
    expect(() => build(lambda.Runtime.PYTHON_3_13)).toThrow(`${prop}: "python3.13" is invalid: `);
    expect(() => build(lambda.Runtime.PYTHON_3_13)).toThrow(NOT_NODE);
    expect(() => build(lambda.Runtime.PROVIDED_AL2023)).toThrow(`${prop}: "provided.al2023" is invalid: `);
  });

  test.each(placements)('of %s: a Node.js runtime older than the bundles\' target is a synth error', (_name, build, prop) => {
    expect(() => build(lambda.Runtime.NODEJS_18_X)).toThrow(
      `${prop}: "nodejs18.x" is invalid: must be Node.js ${BUNDLE_NODE_MAJOR} or later: the library's handlers are built for Node.js ${BUNDLE_NODE_MAJOR} (esbuild target node${BUNDLE_NODE_MAJOR})`);
  });

  test('the error names the default a user gets by leaving it out', () => {
    const { stack, pool } = poolStack();
    expect(() => new TenantClaim(stack, 'TenantClaim', { userPool: pool, runtime: lambda.Runtime.JAVA_21 }))
      .toThrow(`leave it out for the newest Node.js runtime this aws-cdk-lib knows (${newestNodeRuntime().name})`);
  });
});

test('the oldest runtime accepted is the handlers\' esbuild target (scripts/bundle-handlers.ts)', () => {
  const script = fs.readFileSync(path.join(__dirname, '..', 'scripts', 'bundle-handlers.ts'), 'utf8');
  const targets = [...script.matchAll(/target: 'node(\d+)'/g)].map((m) => Number(m[1]));
  expect(targets).toEqual([BUNDLE_NODE_MAJOR]);
});
