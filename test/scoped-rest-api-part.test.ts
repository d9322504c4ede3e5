import * as fs from 'fs';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { awsSolutionsFindings } from '../bin/nag';
import { M2mAuthorizer, ScopedRestApi, ScopedRestApiPart } from '../lib';
import { mockIntegration, poolStack } from './fixtures';

const READ = 'https://api.acme.example/orders/read';
const WRITE = 'https://api.acme.example/orders/write';

/** The synthesized template of a stack or nested stack, read from the app's cloud assembly (synthesized once). */
function templateOf(app: App, stack: Stack): any {
  const dir = app.synth().directory;
  return JSON.parse(fs.readFileSync(path.join(dir, stack.templateFile), 'utf8'));
}

/** The routes.json the authorizer function ships with (the one asset holding it). */
function shippedRouteTable(app: App): any {
  const outdir = app.synth().directory;
  const dirs = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'routes.json')));
  expect(dirs).toHaveLength(1);
  return JSON.parse(fs.readFileSync(path.join(outdir, dirs[0], 'routes.json'), 'utf8'));
}

/** Resource counts of a template, by type. */
function countByType(template: any): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values<any>(template.Resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  return counts;
}

/** The logical id of the API's one deployment. */
function deploymentId(template: any): string {
  const ids = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Deployment').map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** A backend URL per HTTP method (an HTTP proxy integration needs no other resource). */
function http(url: string, httpMethod: string): apigateway.Integration {
  return new apigateway.HttpIntegration(url, { httpMethod });
}

describe('an API of 300 resources and 600 methods over three parts', () => {
  const PARTS = 3;
  const CHILDREN = 99; // + one top resource per part: 300 resources
  let env: ReturnType<typeof poolStack>;
  let api: ScopedRestApi;
  let parts: ScopedRestApiPart[];
  let seconds: number;

  beforeAll(() => {
    const started = Date.now();
    env = poolStack('Big');
    api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool });
    parts = [];
    for (let p = 0; p < PARTS; p++) {
      const part = api.addPart(`Part${p}`);
      parts.push(part);
      const top = part.addResource(api.root, `s${p}`);
      const resources = [top, ...Array.from({ length: CHILDREN }, (_, i) => top.addResource(`r${i}`))];
      for (const res of resources) {
        // Both ways of declaring a method of a part: through the part and through the API.
        part.addScopedMethod(res, 'GET', http(`https://backend.acme.example${res.path}`, 'GET'), { scopes: [env.orders.scope('read')] });
        api.addScopedMethod(res, 'POST', http(`https://backend.acme.example${res.path}`, 'POST'), { scopes: [env.orders.scope('write')] });
      }
    }
    env.app.synth();
    seconds = (Date.now() - started) / 1000;
  });

  test('synthesizes with every stack under 500 resources: the parts hold the resources and methods, the API\'s stack none', () => {
    const parent = templateOf(env.app, env.stack);
    const nested = parts.map((part) => templateOf(env.app, part.nestedStack));
    const sizes = [parent, ...nested].map((t) => Object.keys(t.Resources).length);
    // Measured sizes, for the README and the report.
    process.stdout.write(`300 resources / 600 methods over ${PARTS} parts: ${seconds.toFixed(1)} s to synthesize; resources per stack: ${sizes.join(', ')}\n`);
    for (const size of sizes) expect(size).toBeLessThan(500);

    expect(countByType(parent)['AWS::ApiGateway::Resource']).toBeUndefined();
    expect(countByType(parent)['AWS::ApiGateway::Method']).toBeUndefined();
    expect(countByType(parent)['AWS::CloudFormation::Stack']).toBe(PARTS);
    for (const t of nested) {
      expect(countByType(t)).toEqual({ 'AWS::ApiGateway::Resource': 100, 'AWS::ApiGateway::Method': 200 });
    }
  });

  test('every method of a part uses the API\'s one authorizer and request validator, passed in as nested-stack parameters', () => {
    const parent = templateOf(env.app, env.stack);
    expect(countByType(parent)['AWS::ApiGateway::Authorizer']).toBe(1);
    const authorizerId = Object.entries<any>(parent.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Authorizer')![0];
    for (const part of parts) {
      const nested = templateOf(env.app, part.nestedStack);
      const stackResource = parent.Resources[env.stack.getLogicalId(part.nestedStack.nestedStackResource as any)];
      const params = stackResource.Properties.Parameters;
      const methods = Object.values<any>(nested.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
      expect(methods).toHaveLength(200);
      for (const m of methods) {
        expect(m.Properties.AuthorizationType).toBe('CUSTOM');
        expect(params[m.Properties.AuthorizerId.Ref]).toEqual({ Ref: authorizerId });
        expect(params[m.Properties.RequestValidatorId.Ref]).toEqual({ Ref: expect.stringMatching(/^ApiRequestValidator/) });
      }
    }
  });

  test('the route table shipped with the authorizer has all 600 routes', () => {
    const table = shippedRouteTable(env.app);
    expect(table.routes).toHaveLength(600);
    const shipped = new Set(table.routes.map((r: any) => `${r.method} ${r.path} ${r.scopes.map((i: number) => table.scopes[i]).join(',')}`));
    for (let p = 0; p < PARTS; p++) {
      for (const res of [`/s${p}`, ...Array.from({ length: CHILDREN }, (_, i) => `/s${p}/r${i}`)]) {
        expect(shipped).toContain(`GET ${res} ${READ}`);
        expect(shipped).toContain(`POST ${res} ${WRITE}`);
      }
    }
    expect(api.routes).toHaveLength(600);
  });

  test('the deployment depends on every part\'s nested stack', () => {
    const parent = templateOf(env.app, env.stack);
    const deployment = parent.Resources[deploymentId(parent)];
    for (const part of parts) {
      expect(deployment.DependsOn).toContain(env.stack.getLogicalId(part.nestedStack.nestedStackResource as any));
    }
  });

  test('cdk-nag AwsSolutions has no unacknowledged error in the API\'s stack or its parts', () => {
    const errors = awsSolutionsFindings(env.app).filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
  });
});

/** A small API with two parts; `variant` changes one method of part B. */
function twoParts(variant: { scope?: 'read' | 'write'; url?: string; authorizer?: M2mAuthorizer } = {}) {
  const env = poolStack();
  const api = new ScopedRestApi(env.stack, 'Api', { userPool: env.pool, authorizer: variant.authorizer });
  const a = api.addPart('A');
  const b = api.addPart('B');
  const items = a.addResource(api.root, 'items');
  a.addScopedMethod(items, 'GET', http('https://backend.acme.example/items', 'GET'), { scopes: [env.orders.scope('read')] });
  const ordersRes = b.addResource(api.root, 'orders');
  b.addScopedMethod(ordersRes, 'GET', http(variant.url ?? 'https://backend.acme.example/orders', 'GET'), { scopes: [env.orders.scope(variant.scope ?? 'read')] });
  return { ...env, api, a, b, items, ordersRes };
}

describe('deploying a change in a part', () => {
  function idOf(variant: Parameters<typeof twoParts>[0]): string {
    const { app, stack } = twoParts(variant);
    return deploymentId(templateOf(app, stack));
  }

  test('the same app gives the same deployment id (so the ids below differ because of the change)', () => {
    expect(idOf({})).toBe(idOf({}));
    expect(idOf({ authorizer: M2mAuthorizer.cognito() })).toBe(idOf({ authorizer: M2mAuthorizer.cognito() }));
  });

  test('a new integration of a method in a part gives a new deployment', () => {
    expect(idOf({ url: 'https://backend-v2.acme.example/orders' })).not.toBe(idOf({}));
  });

  test('new scopes of a method in a part give a new deployment with the Cognito authorizer (the scopes are on the method)', () => {
    const cognito = M2mAuthorizer.cognito();
    expect(idOf({ scope: 'write', authorizer: cognito })).not.toBe(idOf({ authorizer: cognito }));
  });

  test('new scopes of a method in a part reach the tenant-aware authorizer\'s route table (the scopes are in the function, not on the method)', () => {
    const before = twoParts();
    const after = twoParts({ scope: 'write' });
    const route = (app: App) => {
      const table = shippedRouteTable(app);
      const r = table.routes.find((x: any) => x.path === '/orders');
      return r.scopes.map((i: number) => table.scopes[i]);
    };
    expect(route(before.app)).toEqual([READ]);
    expect(route(after.app)).toEqual([WRITE]);
  });
});

describe('methods in parts are methods of the API', () => {
  test('an undeclared method added with resource.addMethod inside a part fails synthesis, naming it', () => {
    const { app, ordersRes } = twoParts();
    ordersRes.addResource('{id}').addMethod('DELETE', mockIntegration());
    expect(() => app.synth()).toThrow(/DELETE \/orders\/\{id\} \(Test\/Api\/B\/Resource\/orders\/\{id\}\/DELETE\) declares no scopes: add it with api\.addScopedMethod/);
  });

  test('with the Cognito authorizer a scoped method in a part carries its scopes and the API\'s authorizer', () => {
    const { app, stack, b } = twoParts({ authorizer: M2mAuthorizer.cognito() });
    const nested = templateOf(app, b.nestedStack);
    const [method] = Object.values<any>(nested.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(method.Properties).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: [READ] });
    const parent = templateOf(app, stack);
    const params = parent.Resources[stack.getLogicalId(b.nestedStack.nestedStackResource as any)].Properties.Parameters;
    expect(params[method.Properties.AuthorizerId.Ref]).toEqual({ Ref: expect.stringMatching(/^ApiCognitoAuthorizer/) });
  });

  test('a public method in a part has no authorization and records why; resources under a part resource stay in the part', () => {
    const { app, api, a, items } = twoParts();
    const health = items.addResource('health');
    const m = a.addPublicMethod(health, 'GET', mockIntegration(), { reason: 'Health check for the load balancer' });
    expect(Stack.of(health)).toBe(a.nestedStack);
    expect(m.node.metadata.filter((e) => e.type === 'aws:cdk:acknowledged-rules').pop()?.data).toEqual({
      'annotation::AwsSolutions-APIG4': 'Health check for the load balancer',
      'annotation::AwsSolutions-COG4': 'Health check for the load balancer',
    });
    Template.fromJSON(templateOf(app, a.nestedStack)).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE' });
    expect(api.routes.find((r) => r.resourcePath === '/items/health')).toEqual({
      httpMethod: 'GET', resourcePath: '/items/health', scopes: [], scopeMatch: 'ANY_OF', isPublic: true,
    });
  });

  test('openApiDocument, the catalog entry, callerContextHeaders and addCorsPreflight cover methods in parts', () => {
    const { app, stack, api, b, orders, ordersRes } = twoParts();
    const detail = ordersRes.addResource('{id}');
    b.addScopedMethod(detail, 'PUT', new apigateway.HttpIntegration('https://backend.acme.example/orders/{id}', {
      httpMethod: 'PUT',
      options: { requestParameters: { ...api.callerContextHeaders(), 'integration.request.path.id': 'method.request.path.id' } },
    }), { scopes: [orders.scope('write')], requestParameters: { 'method.request.path.id': true } });
    api.addCorsPreflight(detail, { allowOrigin: 'https://app.acme.example', allowMethods: ['PUT'] });

    const doc = api.openApiDocument();
    expect(Object.keys(doc.paths)).toEqual(['/items', '/orders', '/orders/{id}']);
    expect(doc.paths['/orders/{id}'].put.security).toEqual([{ m2m: [WRITE] }]);
    expect(api._catalogApi('orders').routes.map((r) => `${r.method} ${r.path}`))
      .toEqual(['GET /items', 'GET /orders', 'PUT /orders/{id}', 'OPTIONS /orders/{id}']);

    const nested = Template.fromJSON(templateOf(app, b.nestedStack));
    nested.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'PUT',
      Integration: Match.objectLike({ RequestParameters: Match.objectLike({ 'integration.request.header.X-Tenant-Id': 'context.authorizer.tenantId' }) }),
    });
    nested.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS', AuthorizationType: 'NONE' });
    // The origin reaches the gateway responses in the API's stack.
    Template.fromJSON(templateOf(app, stack)).hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Access-Control-Allow-Origin': '\'https://app.acme.example\'' }),
    });
  });
});

test('a part\'s nested stack is described, by default after its API and id', () => {
  const { app, api, a, orders } = twoParts();
  const c = api.addPart('C', { description: 'Orders API: reporting' });
  c.addScopedMethod(c.addResource(api.root, 'reports'), 'GET', mockIntegration(), { scopes: [orders.scope('read')] });
  expect(templateOf(app, a.nestedStack).Description).toBe('Resources and methods of Test/Api, part A');
  expect(templateOf(app, c.nestedStack).Description).toBe('Orders API: reporting');
});

describe('what a part refuses', () => {
  test('a parent resource of another API', () => {
    const { stack, pool, a } = twoParts();
    const other = new ScopedRestApi(stack, 'Other', { userPool: pool });
    expect(() => a.addResource(other.root, 'x'))
      .toThrow('[Test/Api/A] addResource: parent: "/" is invalid: belongs to another REST API (Test/Other); a part holds resources of Test/Api only');
  });

  test('a parent resource of another part', () => {
    const { a, ordersRes } = twoParts();
    expect(() => a.addResource(ordersRes, '{id}'))
      .toThrow('[Test/Api/A] addResource: parent: "/orders" is invalid: is in part Test/Api/B; a part\'s resources hang from api.root, other resources in the API\'s stack, or resources of this part');
  });

  test('a method on a resource of another part, of the API\'s stack or of another API', () => {
    const { stack, pool, api, a, orders, ordersRes } = twoParts();
    expect(() => a.addScopedMethod(ordersRes, 'DELETE', mockIntegration(), { scopes: [orders.scope('write')] }))
      .toThrow('[Test/Api/A] DELETE /orders: resource: "/orders" is invalid: is in part Test/Api/B, not in this part');
    expect(() => a.addPublicMethod(api.root.addResource('status'), 'GET', mockIntegration(), { reason: 'Status page for monitors' }))
      .toThrow('[Test/Api/A] GET /status: resource: "/status" is invalid: is in stack Test, not in this part');
    const other = new ScopedRestApi(stack, 'Other', { userPool: pool });
    expect(() => a.addScopedMethod(other.root, 'GET', mockIntegration(), { scopes: [orders.scope('read')] }))
      .toThrow('[Test/Api/A] GET /: resource: "/" is invalid: belongs to another REST API (Test/Other)');
  });

  test('a part resource handed to another API', () => {
    const { stack, pool, orders, ordersRes } = twoParts();
    const other = new ScopedRestApi(stack, 'Other', { userPool: pool });
    expect(() => other.addScopedMethod(ordersRes, 'GET', mockIntegration(), { scopes: [orders.scope('read')] }))
      .toThrow('[Test/Other] GET /orders: resource: "/orders" is invalid: belongs to another REST API');
  });

  test('a path that exists already, in the API\'s stack or in another part', () => {
    const { api, a } = twoParts();
    api.root.addResource('health');
    expect(() => a.addResource(api.root, 'health'))
      .toThrow('[Test/Api/A] addResource: pathPart: "health" is invalid: /health already exists (in stack Test); a path is added once per API');
    expect(() => a.addResource(api.root, 'orders'))
      .toThrow('[Test/Api/A] addResource: pathPart: "orders" is invalid: /orders already exists (in part Test/Api/B)');
  });

  test.each([
    ['a/b'],
    [''],
    ['{id'],
    ['or ders'],
  ])('the path part %j', (pathPart) => {
    const { api, a } = twoParts();
    expect(() => a.addResource(api.root, pathPart))
      .toThrow(`[Test/Api/A] addResource: pathPart: ${JSON.stringify(pathPart)} is invalid: must be one path segment`);
  });

  test('a part outside the API\'s stack, a description CloudFormation refuses, and a part id the API already uses', () => {
    const { app, api } = twoParts();
    const elsewhere = new Stack(app, 'Elsewhere');
    expect(() => new ScopedRestApiPart(elsewhere, 'Part', { api }))
      .toThrow('[Elsewhere/Part] scope: "Elsewhere" is invalid: a part must be created in the stack of its API (Test)');
    const nested = new NestedStack(api, 'Nested');
    expect(() => new ScopedRestApiPart(nested, 'Part', { api }))
      .toThrow('scope: "Test/Api/Nested" is invalid: a part must be created in the stack of its API (Test)');
    expect(() => api.addPart('Long', { description: 'x'.repeat(1025) }))
      .toThrow(/^\[Test\/Api\/Long\] description: "x+\.\.\." is invalid: a template description has 1 to 1024 characters \(got 1025\)$/);
    expect(() => api.addPart('Empty', { description: '' }))
      .toThrow('[Test/Api/Empty] description: "" is invalid: a template description has 1 to 1024 characters (got 0)');
    expect(() => api.addPart('A')).toThrow('[Test/Api] addPart: id: "A" is invalid: the API has or will have a child with this id');
    expect(() => api.addPart('Deployment')).toThrow('addPart: id: "Deployment" is invalid');
    // Made on the first preflight: refused before it exists.
    expect(() => api.addPart('Default4xx')).toThrow('addPart: id: "Default4xx" is invalid');
  });
});
