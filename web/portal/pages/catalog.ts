/**
 * The API catalog: each API's methods and the scopes that reach them, its
 * OpenAPI document, and (in a tenant) which of the tenant's clients reach
 * each method.
 */
import type { Client } from '../../../lib/private/contracts/portal-api';
import { Catalog, CatalogApi, CatalogRoute, checkCatalog, routeReachedBy, WEB_UI_FILES } from '../../../lib/private/contracts/web-ui';
import { errorAlert, loading, pageTitle } from '../components';
import { Child, h, replace } from '../dom';
import type { PageContext } from '../page';

async function fetchCatalog(): Promise<Catalog> {
  const res = await fetch(`/${WEB_UI_FILES.catalog}`, { cache: 'no-cache', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${WEB_UI_FILES.catalog} could not be loaded: ${res.status} ${res.statusText}`);
  let doc: unknown;
  try {
    doc = await res.json();
  } catch {
    throw new Error(`${WEB_UI_FILES.catalog} is not JSON`);
  }
  return checkCatalog(doc);
}

/** A link into this site, or undefined when `path` would leave it. */
function siteHref(path: string): string | undefined {
  try {
    const url = new URL(path, `${location.origin}/`);
    return url.origin === location.origin ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

/** The saved file's name: `<document name>.openapi.json` (e.g. `Orders.openapi.json`). */
function downloadName(openApiPath: string): string {
  const base = openApiPath.split('/').pop()?.replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-') || 'api';
  return `${base}.openapi.json`;
}

/** The authorizers by the kind `api.routes` names (`M2mAuthorizer.kind`). */
const AUTHORIZER_NAMES: Record<string, string> = { jwt: 'API Gateway\'s JWT authorizer', lambda: 'the tenant-aware authorizer', cognito: 'the Cognito authorizer' };

/** Which authorizer checks the method's token, and why (the reason as the element's title). */
function authorizerNote(route: CatalogRoute): Child {
  if (route.authorizer === undefined) return null;
  return h('div', { 'class': 'muted', 'title': route.authorizerReason ?? '', 'data-testid': 'route-authorizer' },
    `checked by ${AUTHORIZER_NAMES[route.authorizer] ?? route.authorizer}`);
}

function scopesCell(route: CatalogRoute): Child[] {
  if (route.isPublic) return [h('span', { class: 'badge badge-info' }, 'public')];
  if (route.scopes.length === 0) return [h('span', { class: 'muted' }, 'no scope reaches it')];
  const list = h('ul', { class: 'plain-list' }, ...route.scopes.map((s) => h('li', {}, h('code', {}, s))));
  if (route.scopes.length === 1) return [list, authorizerNote(route)];
  return [h('span', { class: 'muted' }, route.scopeMatch === 'ALL_OF' ? 'all of:' : 'any of:'), list, authorizerNote(route)];
}

function apiSection(api: CatalogApi, clients: readonly Client[]): HTMLElement {
  const titleId = `api-${api.name}`;
  const href = siteHref(api.openApiPath);
  const header = ['Method', 'Path', 'Scopes', ...clients.map((c) => c.name)];
  return h('section', { 'class': 'card', 'aria-labelledby': titleId, 'data-testid': 'catalog-api', 'data-api-name': api.name },
    h('h2', { id: titleId }, api.name),
    api.description ? h('p', {}, api.description) : null,
    h('dl', { class: 'details' },
      h('dt', {}, 'Base URL'), h('dd', {}, h('code', {}, api.url)),
      h('dt', {}, 'OpenAPI'), h('dd', {}, href
        // A download: following the link would replace the app, and with it the session it keeps in memory.
        ? h('a', { 'href': href, 'download': downloadName(api.openApiPath), 'data-testid': 'openapi-link' },
          `Download the OpenAPI document of ${api.name} (JSON)`)
        : h('code', {}, api.openApiPath)),
    ),
    h('div', { 'class': 'table-scroll', 'tabindex': '0', 'role': 'region', 'aria-label': 'Methods' },
      h('table', { 'class': 'table', 'data-testid': 'catalog-routes' },
        h('caption', { class: 'visually-hidden' }, clients.length > 0
          ? `Methods of ${api.name}, their scopes, and which clients reach them`
          : `Methods of ${api.name} and their scopes`),
        h('thead', {}, h('tr', {}, ...header.map((c, i) => h('th', { scope: 'col', class: i >= 3 ? 'center' : undefined }, c)))),
        h('tbody', {}, ...api.routes.map((route) => h('tr', { 'data-testid': 'catalog-route' },
          h('td', {}, h('span', { class: 'method' }, route.method)),
          h('th', { scope: 'row' }, h('code', {}, route.path)),
          h('td', {}, ...scopesCell(route)),
          ...clients.map((c) => {
            const yes = routeReachedBy(route, c.scopes);
            return h('td', { 'class': 'center', 'data-testid': 'reach', 'data-client-id': c.clientId },
              h('span', { class: yes ? 'badge badge-success' : 'badge badge-neutral' }, yes ? 'yes' : 'no'));
          }),
        ))),
      )),
  );
}

export async function catalogPage(ctx: PageContext, tenantId: string | undefined): Promise<void> {
  const body = h('div', {}, loading('the catalog'));
  replace(ctx.main,
    pageTitle('API catalog', h('p', { class: 'lead' }, ...(tenantId
      ? ['The APIs clients can call, the scopes each method needs, and which clients of tenant ', h('strong', {}, ctx.tenantLabel(tenantId)), ' reach it.']
      : ['The APIs clients can call and the scopes each method needs. Open a tenant to see which of its clients reach each method.']))),
    body,
  );
  let catalog: Catalog;
  let clients: Client[] = [];
  try {
    [catalog, clients] = await Promise.all([
      fetchCatalog(),
      tenantId ? ctx.api.allClients(tenantId) : Promise.resolve([]),
    ]);
  } catch (err) {
    if (ctx.isCurrent()) replace(body, errorAlert(err, 'Loading the catalog'));
    return;
  }
  if (!ctx.isCurrent()) return;
  const live = clients.filter((c) => c.status === 'active' || c.status === 'suspended');
  if (catalog.apis.length === 0) {
    replace(body, h('p', { class: 'empty' }, 'No API is catalogued yet.'));
    return;
  }
  replace(body, ...catalog.apis.map((api) => apiSection(api, live)));
}
