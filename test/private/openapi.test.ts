import { checkCatalog, CatalogRoute } from '../../lib/private/contracts/web-ui';
import {
  ApiDescriptionInput, catalogApi, checkOpenApiDocument, openApiDocument, openApiPath, operationId, SECURITY_SCHEME,
} from '../../lib/private/openapi';

const READ = 'https://api.acme.example/orders/read';
const WRITE = 'https://api.acme.example/orders/write';
const ADMIN = 'https://api.acme.example/orders/admin';

function route(method: string, path: string, scopes: string[], scopeMatch: 'ANY_OF' | 'ALL_OF' = 'ANY_OF'): CatalogRoute {
  return { method, path, scopes, scopeMatch, isPublic: false };
}

function publicRoute(method: string, path: string): CatalogRoute {
  return { method, path, scopes: [], scopeMatch: 'ANY_OF', isPublic: true };
}

function input(routes: CatalogRoute[], extra: Partial<ApiDescriptionInput> = {}): ApiDescriptionInput {
  return {
    title: 'Orders',
    url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/',
    tokenUrl: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token',
    routes,
    scopeDescriptions: new Map([[READ, 'Read orders'], [WRITE, 'Write orders'], [ADMIN, 'Administer orders']]),
    ...extra,
  };
}

describe('openApiDocument', () => {
  test('ANY_OF is one requirement per scope (OR), ALL_OF one requirement with every scope (AND), public is []', () => {
    // GIVEN
    const routes = [
      route('GET', '/orders', [READ, WRITE]),
      route('POST', '/orders', [READ, WRITE], 'ALL_OF'),
      publicRoute('GET', '/health'),
    ];

    // WHEN
    const doc = openApiDocument(input(routes));

    // THEN
    expect(doc.paths['/orders'].get!.security).toEqual([{ m2m: [READ] }, { m2m: [WRITE] }]);
    expect(doc.paths['/orders'].post!.security).toEqual([{ m2m: [READ, WRITE] }]);
    expect(doc.paths['/health'].get!.security).toEqual([]);
    expect(SECURITY_SCHEME).toBe('m2m');
  });

  test('the header, server and client-credentials scheme list only the scopes routes use, with their descriptions', () => {
    // WHEN
    const doc = openApiDocument(input([route('GET', '/orders', [WRITE, READ]), publicRoute('GET', '/health')], { description: 'Orders of every tenant' }));

    // THEN
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info).toEqual({ title: 'Orders', version: '1', description: 'Orders of every tenant' });
    // The stage URL's trailing slash goes: OpenAPI appends paths, which start with one.
    expect(doc.servers).toEqual([{ url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod' }]);
    const scheme = doc.components.securitySchemes.m2m;
    expect(scheme.type).toBe('oauth2');
    expect(scheme.flows).toEqual({
      clientCredentials: {
        tokenUrl: 'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token',
        // ADMIN has a description but no route uses it; keys sorted.
        scopes: { [READ]: 'Read orders', [WRITE]: 'Write orders' },
      },
    });
    expect(Object.keys(scheme.flows.clientCredentials.scopes)).toEqual([READ, WRITE]);
  });

  test('a scope without a known description is listed with an empty one; a public route adds no scope', () => {
    const other = 'https://imported.example/x';
    const doc = openApiDocument(input([route('GET', '/x', [other]), { ...publicRoute('GET', '/y'), scopes: [ADMIN] }]));
    expect(doc.components.securitySchemes.m2m.flows.clientCredentials.scopes).toEqual({ [other]: '' });
  });

  test('no description and no URL leave info.description and servers out', () => {
    const doc = openApiDocument(input([publicRoute('GET', '/')], { url: undefined }));
    expect(doc.info).toEqual({ title: 'Orders', version: '1' });
    expect('servers' in doc).toBe(false);
    expect(checkOpenApiDocument(doc)).toEqual([]);
  });

  test('{proxy+} becomes {proxy}, and every path parameter is declared once, required, as a string', () => {
    // WHEN
    const doc = openApiDocument(input([route('GET', '/tenants/{tenantId}/files/{proxy+}', [READ]), route('GET', '/orders/{id}', [READ])]));

    // THEN
    expect(Object.keys(doc.paths)).toEqual(['/orders/{id}', '/tenants/{tenantId}/files/{proxy}']);
    expect(doc.paths['/tenants/{tenantId}/files/{proxy}'].parameters).toEqual([
      { name: 'tenantId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'proxy', in: 'path', required: true, description: 'The rest of the path; may contain "/"', schema: { type: 'string' } },
    ]);
    expect(doc.paths['/orders/{id}'].parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(openApiPath('/{a+}')).toBe('/{a}');
    expect(openApiPath('/a/{b}/c')).toBe('/a/{b}/c');
  });

  test('a path without parameters has no parameters entry', () => {
    const doc = openApiDocument(input([route('GET', '/orders', [READ])]));
    expect(Object.keys(doc.paths['/orders'])).toEqual(['get']);
  });

  test('ANY becomes the seven operations, except those the path declares itself', () => {
    // GIVEN: API Gateway prefers an explicit GET over ANY on the same resource
    const routes = [route('ANY', '/files/{proxy+}', [WRITE]), route('GET', '/files/{proxy+}', [READ])];

    // WHEN
    const item = openApiDocument(input(routes)).paths['/files/{proxy}'];

    // THEN: OpenAPI's operation order, GET from its own route
    expect(Object.keys(item)).toEqual(['parameters', 'get', 'put', 'post', 'delete', 'options', 'head', 'patch']);
    expect(item.get!.security).toEqual([{ m2m: [READ] }]);
    expect(item.delete!.security).toEqual([{ m2m: [WRITE] }]);
  });

  test('paths are sorted and operations keep a fixed order whatever the declaration order', () => {
    const a = openApiDocument(input([route('POST', '/b', [READ]), route('GET', '/b', [READ]), route('GET', '/a', [READ])]));
    const b = openApiDocument(input([route('GET', '/a', [READ]), route('GET', '/b', [READ]), route('POST', '/b', [READ])]));
    expect(Object.keys(a.paths)).toEqual(['/a', '/b']);
    expect(Object.keys(a.paths['/b'])).toEqual(['get', 'post']);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  test('operation ids come from method and path and stay unique when two paths give the same words', () => {
    // GIVEN: "/orders/by-id" and "/orders/{id}" both read as "OrdersById"
    const doc = openApiDocument(input([
      route('GET', '/orders/{id}', [READ]),
      route('GET', '/orders/by-id', [READ]),
      route('GET', '/', [READ]),
      route('ANY', '/orders/{id}/items', [READ]),
    ]));

    // THEN
    const ids = Object.values(doc.paths).flatMap((item) => ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']
      .map((m) => (item as Record<string, { operationId?: string }>)[m]?.operationId).filter((id): id is string => id !== undefined));
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(ids.length);
    // Sorted paths: "/orders/by-id" comes before "/orders/{id}", so the parameter path gets the suffix.
    expect(doc.paths['/orders/by-id'].get!.operationId).toBe('getOrdersById');
    expect(doc.paths['/orders/{id}'].get!.operationId).toBe('getOrdersById2');
    expect(doc.paths['/'].get!.operationId).toBe('getRoot');
    expect(doc.paths['/orders/{id}/items'].patch!.operationId).toBe('patchOrdersByIdItems');
    expect(operationId('DELETE', '/tenants/{tenant_id}/files/{proxy+}')).toBe('deleteTenantsByTenantIdFilesByProxy');
  });

  test('scoped operations answer 200, 401 and 403 with RFC 6750 challenges; public ones only 200', () => {
    const doc = openApiDocument(input([route('GET', '/orders', [READ]), publicRoute('GET', '/health')]));
    const scoped = doc.paths['/orders'].get!.responses;
    expect(Object.keys(scoped)).toEqual(['200', '401', '403']);
    expect(scoped[200]).toEqual({ description: 'Success' });
    expect(scoped[401].description).toMatch(/invalid_token/);
    expect(scoped[403].description).toMatch(/insufficient_scope/);
    expect(Object.keys(scoped[403].headers!)).toEqual(['WWW-Authenticate']);
    expect(doc.paths['/health'].get!.responses).toEqual({ 200: { description: 'Success' } });
  });

  test('operations share no objects, so editing one changes no other', () => {
    const doc = openApiDocument(input([route('GET', '/a', [READ]), route('GET', '/b', [READ])]));
    (doc.paths['/a'].get!.responses[200] as { description: string }).description = 'Edited';
    expect(doc.paths['/b'].get!.responses[200].description).toBe('Success');
    expect(openApiDocument(input([route('GET', '/a', [READ])])).paths['/a'].get!.responses[200].description).toBe('Success');
  });

  test('an HTTP method OpenAPI has no operation for is refused, naming it', () => {
    expect(() => openApiDocument(input([route('CONNECT', '/x', [READ])]))).toThrow(/CONNECT \/x: HTTP method "CONNECT" has no OpenAPI operation/);
  });

  test('the same method declared twice on one path is refused', () => {
    expect(() => openApiDocument(input([route('GET', '/x', [READ]), route('GET', '/x', [WRITE])]))).toThrow(/GET \/x is declared twice/);
  });

  test('the generated document passes the structural check', () => {
    const doc = openApiDocument(input([
      route('ANY', '/{proxy+}', [READ, WRITE]),
      route('GET', '/orders/{id}', [READ, WRITE], 'ALL_OF'),
      publicRoute('GET', '/'),
    ]));
    expect(checkOpenApiDocument(doc)).toEqual([]);
  });
});

describe('checkOpenApiDocument', () => {
  function valid(): any {
    return JSON.parse(JSON.stringify(openApiDocument(input([route('GET', '/orders/{id}', [READ]), publicRoute('GET', '/health')]))));
  }

  test('finds an undeclared path parameter', () => {
    const doc = valid();
    delete doc.paths['/orders/{id}'].parameters;
    expect(checkOpenApiDocument(doc)).toEqual(['GET /orders/{id}: path parameter "id" is not declared']);
  });

  test('finds a declared path parameter that is not in the path, and one not required', () => {
    const doc = valid();
    doc.paths['/orders/{id}'].parameters.push({ name: 'other', in: 'path', required: true, schema: { type: 'string' } });
    doc.paths['/orders/{id}'].parameters[0].required = false;
    expect(checkOpenApiDocument(doc)).toEqual([
      'GET /orders/{id}: path parameter "id" must have required: true',
      'GET /orders/{id}: path parameter "other" is not in the path',
    ]);
  });

  test('finds a security requirement naming an undeclared scheme or scope', () => {
    const doc = valid();
    doc.paths['/orders/{id}'].get.security = [{ apiKey: [] }, { m2m: [WRITE] }];
    expect(checkOpenApiDocument(doc)).toEqual([
      'GET /orders/{id}: security[0] names scheme "apiKey", which components.securitySchemes does not declare',
      `GET /orders/{id}: security[1].m2m names scope "${WRITE}", which the scheme's flows do not declare`,
    ]);
  });

  test('finds duplicate operation ids, missing response descriptions and a client-credentials flow without tokenUrl', () => {
    const doc = valid();
    doc.paths['/health'].get.operationId = doc.paths['/orders/{id}'].get.operationId;
    delete doc.paths['/health'].get.responses[200].description;
    delete doc.components.securitySchemes.m2m.flows.clientCredentials.tokenUrl;
    expect(checkOpenApiDocument(doc)).toEqual([
      'components.securitySchemes.m2m.flows.clientCredentials.tokenUrl must be a string',
      'GET /health: response 200 needs a description',
      'GET /orders/{id}: operationId "getOrdersById" is also used by GET /health',
    ]);
  });

  test('finds paths that differ only in parameter names, a wrong version and a greedy template left in', () => {
    const doc = valid();
    doc.openapi = '3.1.0';
    doc.paths['/orders/{orderId}'] = { parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }] };
    doc.paths['/files/{proxy+}'] = {};
    expect(checkOpenApiDocument(doc)).toEqual([
      'openapi must be "3.0.x", got "3.1.0"',
      'paths "/orders/{id}" and "/orders/{orderId}" differ only in parameter names',
      'path "/files/{proxy+}" has a template expression that is not a plain name',
    ]);
  });
});

describe('catalogApi', () => {
  test('is the CatalogApi of the contract: name, description, URL, openapi/<name>.json and the routes as declared', () => {
    // GIVEN
    const routes = [route('ANY', '/orders/{proxy+}', [READ, WRITE], 'ALL_OF'), publicRoute('GET', '/health')];

    // WHEN
    const entry = catalogApi('orders-v1', input(routes, { description: 'Orders of every tenant' }));

    // THEN
    expect(entry).toEqual({
      name: 'orders-v1',
      description: 'Orders of every tenant',
      url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/',
      openApiPath: 'openapi/orders-v1.json',
      routes: [
        { method: 'ANY', path: '/orders/{proxy+}', scopes: [READ, WRITE], scopeMatch: 'ALL_OF', isPublic: false },
        { method: 'GET', path: '/health', scopes: [], scopeMatch: 'ANY_OF', isPublic: true },
      ],
    });
    expect(entry.routes[0].scopes).not.toBe(routes[0].scopes);
    expect(() => checkCatalog({ version: 1, apis: [entry] })).not.toThrow();
  });

  test('leaves description out when the API has none', () => {
    expect('description' in catalogApi('orders', input([]))).toBe(false);
  });

  test.each(['', 'a'.repeat(65), 'orders/v1', '../x', 'orders v1', 'ordérs', '${Token[TOKEN.1]}'])('refuses the name %j, naming the value and the rule', (name) => {
    expect(() => catalogApi(name, input([]))).toThrow(`catalog API name ${JSON.stringify(name)} is invalid: it must be 1 to 64 letters, digits, "_" or "-" (pattern ^[A-Za-z0-9_-]{1,64}$)`);
  });

  test('accepts a 64-character name', () => {
    expect(catalogApi('A_b-9'.padEnd(64, 'x'), input([])).openApiPath).toBe(`openapi/${'A_b-9'.padEnd(64, 'x')}.json`);
  });

  test('refuses an API without a URL', () => {
    expect(() => catalogApi('orders', input([], { url: undefined }))).toThrow('catalog API "orders" has no URL: the REST API "Orders" has no deployment stage');
  });
});
