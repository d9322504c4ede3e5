/**
 * The developer portal's single-page app: loads config.json, signs the user
 * in (authorization code + PKCE), asks the portal API who they are, then
 * shows the page named by the URL's hash (`#/tenants/globex/clients`).
 */
import './styles.css';
import { PortalApi } from './api';
import { accessToken, completeSignIn, initAuth, isSignedIn, signOut, SignInOutcome, startSignIn, takeSignOut } from './auth';
import { busy, errorAlert, Feedback } from './components';
import { Child, h, hashHref, replace } from './dom';
import type { PageContext } from './page';
import { adminsPage } from './pages/admins';
import { auditPage } from './pages/audit';
import { catalogPage } from './pages/catalog';
import { clientPage } from './pages/client';
import { clientsPage } from './pages/clients';
import { registerPage } from './pages/register';
import { tenantsPage } from './pages/tenants';
import type { Me, Tenant } from '../../lib/private/contracts/portal-api';
import { checkWebUiConfig, WEB_UI_FILES, WebUiConfig } from '../../lib/private/contracts/web-ui';

const APP_NAME = 'Developer portal';

export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'tenants' }
  | { readonly name: 'catalog'; readonly tenantId?: string }
  | { readonly name: 'clients' | 'register' | 'audit' | 'admins'; readonly tenantId: string }
  | { readonly name: 'client'; readonly tenantId: string; readonly clientId: string }
  | { readonly name: 'notFound' };

export function parseRoute(hash: string): Route {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { name: 'notFound' };
  }
  const [a, tenantId, c, d, ...rest] = parts;
  if (parts.length === 0) return { name: 'home' };
  if (a === 'catalog' && parts.length === 1) return { name: 'catalog' };
  if (a !== 'tenants') return { name: 'notFound' };
  if (parts.length === 1) return { name: 'tenants' };
  if (rest.length > 0 || c === undefined) return { name: 'notFound' };
  if (d === undefined) {
    if (c === 'clients' || c === 'audit' || c === 'admins') return { name: c, tenantId };
    if (c === 'catalog') return { name: 'catalog', tenantId };
    return { name: 'notFound' };
  }
  if (c !== 'clients') return { name: 'notFound' };
  return d === 'new' ? { name: 'register', tenantId } : { name: 'client', tenantId, clientId: d };
}

// The page's frame: header (brand, navigation, who is signed in), the
// tenant's navigation, main, footer.
const brandSlot = h('div', { class: 'brand' });
const navSlot = h('div', { class: 'nav-slot' });
const userSlot = h('div', { class: 'user' });
const subnavSlot = h('div', { class: 'container subnav-slot' });
const main = h('main', { id: 'main', class: 'container', tabindex: -1 });

function frame(): void {
  const skip = h('a', { class: 'skip-link', href: '#main' }, 'Skip to main content');
  // The hash is the router's: move the focus without changing it.
  skip.addEventListener('click', (ev) => {
    ev.preventDefault();
    (main.querySelector<HTMLElement>('h1') ?? main).focus();
  });
  const root = document.getElementById('app') ?? document.body;
  replace(root,
    skip,
    h('header', { class: 'site-header' }, h('div', { class: 'container header-inner' }, brandSlot, navSlot, userSlot)),
    subnavSlot,
    main,
    h('footer', { class: 'site-footer' }, h('div', { class: 'container' },
      'The portal keeps your sign-in in this tab\'s memory, never in the browser\'s storage. After a reload, the sign-in page '
      + 'signs you in again while its session lasts; Sign out ends both.')),
  );
}

/** A page with only a message: the configuration or the profile could not be loaded. */
function showProblem(title: string, err: unknown, action: string, advice: string, ...actions: Child[]): void {
  document.title = `${title} · ${APP_NAME}`;
  replace(brandSlot, APP_NAME);
  replace(main,
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, title)),
    errorAlert(err, action),
    h('p', {}, advice),
    actions.length > 0 ? h('div', { class: 'button-row' }, ...actions) : null,
  );
}

function signOutButton(onDark: boolean): HTMLButtonElement {
  const button = h('button', { 'type': 'button', 'class': onDark ? 'button button-on-dark' : 'button', 'data-testid': 'sign-out' }, 'Sign out');
  // signOut revokes the session first, then leaves the page; it never throws.
  button.addEventListener('click', () => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    button.setAttribute('aria-busy', 'true');
    button.textContent = 'Signing out…';
    void signOut();
  });
  return button;
}

/** The landing page of someone signed out, with the reason when a sign-in failed or a session ended. */
function showLanding(err?: unknown): void {
  stopRouter();
  document.title = APP_NAME;
  replace(brandSlot, APP_NAME);
  replace(navSlot);
  replace(userSlot);
  replace(subnavSlot);
  const feedback = new Feedback();
  if (err !== undefined) feedback.error(err);
  const signIn = h('button', { 'type': 'button', 'class': 'button button-primary button-large', 'data-testid': 'sign-in' }, 'Sign in');
  signIn.addEventListener('click', () => void busy(signIn, feedback, 'Signing in', () => startSignIn()));
  replace(main,
    h('section', { 'class': 'landing', 'aria-labelledby': 'landing-title' },
      h('h1', { id: 'landing-title', tabindex: -1 }, APP_NAME),
      h('p', { class: 'lead' }, 'Register the API clients your services use to call the platform\'s APIs, rotate their secrets, '
        + 'see which methods their scopes reach, and follow the audit trail of every change.'),
      feedback.el,
      signIn,
      h('p', { 'class': 'muted', 'data-testid': 'sign-in-help' }, 'You sign in on the portal\'s own sign-in page with your portal account: '
        + 'the username and password from your invitation e-mail, and a code from your authenticator app.'),
    ),
  );
}

async function loadConfig(): Promise<WebUiConfig> {
  const file = WEB_UI_FILES.config;
  const res = await fetch(`/${file}`, { cache: 'no-cache', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${file} could not be loaded: ${res.status} ${res.statusText}`.trim());
  let doc: unknown;
  try {
    doc = await res.json();
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
  return checkWebUiConfig(doc);
}

interface NavItem {
  readonly label: string;
  readonly href: string;
  readonly testid: string;
}

function tenantItems(tenantId: string, withAdmins: boolean): NavItem[] {
  return [
    { label: 'API clients', href: hashHref('tenants', tenantId, 'clients'), testid: 'nav-clients' },
    { label: 'Register client', href: hashHref('tenants', tenantId, 'clients', 'new'), testid: 'nav-register' },
    { label: 'Audit trail', href: hashHref('tenants', tenantId, 'audit'), testid: 'nav-audit' },
    { label: 'API catalog', href: hashHref('tenants', tenantId, 'catalog'), testid: 'nav-catalog' },
    ...(withAdmins ? [{ label: 'Admins', href: hashHref('tenants', tenantId, 'admins'), testid: 'nav-admins' }] : []),
  ];
}

function nav(label: string, items: readonly NavItem[], current: string, className: string, ...before: Child[]): HTMLElement {
  return h('nav', { 'aria-label': label, 'class': className }, ...before,
    h('ul', {}, ...items.map((item) => h('li', {},
      h('a', { 'href': item.href, 'aria-current': item.href === current ? 'page' : undefined, 'data-testid': item.testid }, item.label)))));
}

function routeTitle(route: Route): string {
  const titles: Record<Route['name'], string> = {
    home: APP_NAME,
    tenants: 'Tenants',
    catalog: 'API catalog',
    clients: 'API clients',
    register: 'Register a client',
    audit: 'Audit trail',
    admins: 'Tenant admins',
    client: 'Client',
    notFound: 'Page not found',
  };
  return titles[route.name];
}

let stopRouter: () => void = () => undefined;

/**
 * A tenant admin's own tenant as GET /tenants lists it (only theirs), for its
 * display name; undefined when it cannot be read (the id is shown instead).
 */
async function ownTenantOf(api: PortalApi, me: Me): Promise<Tenant | undefined> {
  if (me.role !== 'tenant-admin' || !me.tenantId) return undefined;
  try {
    return (await api.listTenants()).items.find((t) => t.tenantId === me.tenantId);
  } catch {
    return undefined;
  }
}

function startRouter(config: WebUiConfig, api: PortalApi, me: Me, own: Tenant | undefined): void {
  const isPlatformAdmin = me.role === 'platform-admin';
  const ownTenant = me.tenantId;
  const tenantLabel = (tenantId: string) =>
    (own?.tenantId === tenantId && own.displayName ? `${own.displayName} (${tenantId})` : tenantId);
  replace(brandSlot, h('a', { href: '#/' }, APP_NAME));
  replace(userSlot,
    h('span', { 'class': 'principal', 'data-testid': 'principal' }, me.principal),
    h('span', { 'class': 'badge badge-role', 'data-testid': 'role' },
      isPlatformAdmin ? 'platform admin' : `tenant admin${ownTenant ? ` · ${tenantLabel(ownTenant)}` : ''}`),
    signOutButton(true),
  );

  let generation = 0;
  let leaving: Array<() => void> = [];
  const leave = () => {
    for (const cleanup of leaving) cleanup();
    leaving = [];
  };

  const render = () => {
    leave();
    generation += 1;
    const mine = generation;
    const route = parseRoute(location.hash);
    if (route.name === 'home' || (route.name === 'tenants' && !isPlatformAdmin)) {
      location.replace(isPlatformAdmin || !ownTenant ? '#/tenants' : hashHref('tenants', ownTenant, 'clients'));
      return;
    }
    const current = location.hash;
    const tenantId = 'tenantId' in route ? route.tenantId : undefined;

    replace(navSlot, nav('Main', isPlatformAdmin
      ? [{ label: 'Tenants', href: '#/tenants', testid: 'nav-tenants' }, { label: 'API catalog', href: '#/catalog', testid: 'nav-catalog-all' }]
      : ownTenant ? tenantItems(ownTenant, false) : [], current, 'main-nav'));
    replace(subnavSlot, isPlatformAdmin && tenantId
      ? nav(`Tenant ${tenantId}`, tenantItems(tenantId, true), current, 'tenant-bar tenant-nav',
        h('p', { class: 'tenant-name' }, h('a', { href: '#/tenants' }, 'Tenants'), ' / ', h('strong', { 'data-testid': 'current-tenant' }, tenantId)))
      : null);
    document.title = [routeTitle(route), tenantId, APP_NAME].filter(Boolean).join(' · ');

    const ctx: PageContext = {
      config,
      me,
      api,
      main,
      tenantLabel,
      isCurrent: () => mine === generation,
      onLeave: (cleanup) => leaving.push(cleanup),
      navigate: (hash) => {
        location.hash = hash;
      },
    };
    main.replaceChildren();
    let page: () => void | Promise<void>;
    if (tenantId !== undefined && !isPlatformAdmin && tenantId !== ownTenant) {
      page = () => replace(main,
        h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, 'Not your tenant')),
        h('p', {}, `You manage tenant ${ownTenant ?? '(none)'}, not ${tenantId}.`),
        ownTenant ? h('a', { href: hashHref('tenants', ownTenant, 'clients') }, 'Go to your API clients') : null);
    } else {
      switch (route.name) {
        case 'tenants': page = () => tenantsPage(ctx); break;
        case 'catalog': page = () => catalogPage(ctx, route.tenantId); break;
        case 'clients': page = () => clientsPage(ctx, route.tenantId); break;
        case 'register': page = () => registerPage(ctx, route.tenantId); break;
        case 'client': page = () => clientPage(ctx, route.tenantId, route.clientId); break;
        case 'audit': page = () => auditPage(ctx, route.tenantId); break;
        case 'admins': page = () => adminsPage(ctx, route.tenantId); break;
        default: page = () => replace(main,
          h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, 'Page not found')),
          h('p', {}, 'There is no page at this address. ', h('a', { href: '#/' }, 'Go to the start page'), '.'));
      }
    }
    const failed = (err: unknown) => {
      if (ctx.isCurrent()) main.append(errorAlert(err));
    };
    try {
      Promise.resolve(page()).catch(failed);
    } catch (err) {
      failed(err);
    }
    // Pages draw their title before their first await: move the focus there
    // so screen readers announce the new page.
    main.querySelector<HTMLElement>('h1')?.focus();
  };

  window.addEventListener('hashchange', render);
  stopRouter = () => {
    window.removeEventListener('hashchange', render);
    leave();
    generation += 1;
    stopRouter = () => undefined;
  };
  render();
}

async function boot(): Promise<void> {
  frame();
  replace(brandSlot, APP_NAME);
  replace(main, h('p', { 'class': 'loading', 'role': 'status', 'data-testid': 'loading' }, 'Loading…'));
  let config: WebUiConfig;
  try {
    config = await loadConfig();
  } catch (err) {
    showProblem('The portal cannot start', err, `Reading its configuration (${WEB_UI_FILES.config})`,
      'Ask the platform team to deploy the portal again.');
    return;
  }
  config = { ...config, apiUrl: config.apiUrl.replace(/\/+$/, '') };
  initAuth(config.signIn, showLanding);

  let outcome: SignInOutcome;
  try {
    outcome = await completeSignIn();
  } catch (err) {
    showLanding(err);
    return;
  }
  if (!isSignedIn()) {
    const last = takeSignOut();
    if (outcome === 'none' && !last.signedOut) {
      // No tokens in memory (a reload, a new tab): managed login's session may still sign the person in, without a page.
      try {
        await startSignIn(true);
        return;
      } catch {
        // No silent attempt possible: the landing page asks to sign in.
      }
    }
    showLanding(last.notice);
    return;
  }
  const api = new PortalApi(config.apiUrl, accessToken);
  let me: Me;
  try {
    me = await api.me();
  } catch (err) {
    showProblem('Your profile could not be loaded', err, 'Asking the portal API who you are',
      'The portal could not tell who you are. If this persists, your account may not be a portal admin: ask the platform team.',
      signOutButton(false));
    return;
  }
  startRouter(config, api, me, await ownTenantOf(api, me));
}

void boot();
