/**
 * Browser journeys through the developer portal's web UI, in Debian's
 * chromium (playwright-core, never a downloaded browser), against the real
 * portal handler and authorizer behind a local gateway (support/local-portal.ts):
 * sign-in with authorization code + PKCE at a real OpenID Connect provider,
 * a tenant admin's whole client lifecycle, tenant isolation, a platform
 * admin's tenants and invitations, errors in plain words, sign-out that
 * revokes the refresh token (and says so when it cannot), a reload that signs
 * in again silently while managed login's session lasts, a registration
 * whose answer was lost, the OpenAPI document downloaded without leaving the
 * app, error links that only count with the pending sign-in's state, token-budget
 * suspensions shown with their reason and lifted by a platform admin, and
 * axe-core on every main page. Screenshots of the main pages go to test-reports/screenshots.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { BUDGET_TABLE, LocalPortal, startLocalPortal, WEB_CLIENT_ID } from './support/local-portal';
import { BudgetStore } from '../../lambda/token-budget/counter';
import { expectNoSecretLeak, READ, WRITE } from '../lambda/portal/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(__dirname, '..', '..', 'test-reports', 'screenshots');

if (!fs.existsSync(CHROMIUM)) {
  throw new Error(`The browser journeys need Debian's chromium at ${CHROMIUM} (npm test installs it: scripts/ensure-chromium.sh), or CHROMIUM_PATH`);
}

let portal: LocalPortal;
let browser: Browser;
beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  portal = await startLocalPortal();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  // Two tenants exist; a platform admin creates more in the UI.
  const root = await portal.env.call('POST', '/tenants', { body: { tenantId: 'globex', displayName: 'Globex Corporation' } });
  expect(root.status).toBe(201);
  expect((await portal.env.call('POST', '/tenants', { body: { tenantId: 'initech' } })).status).toBe(201);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly consoleErrors: string[];
  /** The refresh token of the tab's latest sign-in, read from the token endpoint's answer to the page. */
  refreshToken(): Promise<string>;
}

interface SessionOptions {
  /** Runs on the fresh page before it loads the site (routes, a fake clock). */
  readonly before?: (page: Page) => Promise<void>;
}

/** A fresh browser profile signed in as `username` with `groups`, through the real redirect and code exchange. */
async function signIn(username: string, groups: string[], options: SessionOptions = {}): Promise<Session> {
  await portal.signInAs(username, groups);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(portal.siteUrl).origin });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const answers: Array<Promise<{ refresh_token?: string }>> = [];
  page.on('response', (r) => {
    if (r.url() !== portal.signInUrls.token || r.request().method() !== 'POST' || r.status() !== 200) return;
    // Read now; a page closed before the body arrives rejects it, which only matters to a test that asks for the token.
    const body = r.json() as Promise<{ refresh_token?: string }>;
    body.catch(() => undefined);
    answers.push(body);
  });
  await options.before?.(page);
  await page.goto(portal.siteUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('principal').filter({ hasText: username }).waitFor();
  const refreshToken = async () => {
    const tokens = (await Promise.all(answers)).map((a) => a.refresh_token).filter((t): t is string => typeof t === 'string');
    expect(tokens.length).toBeGreaterThan(0);
    return tokens.at(-1)!;
  };
  return { context, page, consoleErrors, refreshToken };
}

/** axe-core in the page: no serious or critical violation (WCAG 2 A and AA). */
async function expectAccessible(page: Page, label: string): Promise<void> {
  // The page's CSP allows scripts from its own origin only: axe runs through the DevTools protocol instead.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Runtime.evaluate', { expression: fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const { result } = await cdp.send('Runtime.evaluate', {
    expression: 'axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })'
      + '.then((r) => JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }))))',
    awaitPromise: true,
    returnByValue: true,
  });
  const violations = JSON.parse(result.value as string) as Array<{ id: string; impact: string }>;
  expect({ page: label, violations: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ page: label, violations: [] });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function storageOf(page: Page): Promise<string> {
  // A string expression: it runs in the page, whose globals this Node.js test does not type.
  return page.evaluate('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })');
}

async function secretShownOnce(page: Page): Promise<string> {
  const secret = (await page.getByTestId('client-secret').textContent())!.trim();
  expect(secret.length).toBeGreaterThan(10);
  return secret;
}

function row(page: Page, name: string) {
  return page.locator(`[data-testid="client-row"][data-client-name="${name}"]`);
}

describe('a tenant admin', () => {
  let s: Session;
  let clientId: string;
  let firstSecret: string;
  let secondSecret: string;
  beforeAll(async () => { s = await signIn('alice', ['tenant-globex']); }, 60_000);
  afterAll(async () => s?.context.close());

  test('signs in with the authorization code and PKCE, no client secret, and lands on the tenant\'s clients', async () => {
    await s.page.getByRole('heading', { name: 'API clients', level: 1 }).waitFor();
    // The tenant by its display name (GET /tenants lists a tenant admin's own tenant), its id beside it.
    await expectText(s.page.getByTestId('role'), 'tenant admin · Globex Corporation (globex)');
    await expectText(s.page.getByTestId('tenant-label'), 'Globex Corporation (globex)');
    const requests = await portal.signInRequests();
    expect(requests.at(-1)).toEqual({ kind: 'token', grantType: 'authorization_code', clientId: 'portalwebclient0000000001', codeVerifier: true, clientSecret: false, status: 200 });
    // Nothing about the session is kept in the browser: the PKCE verifier is gone, tokens live in memory.
    expect(JSON.parse(await storageOf(s.page))).toEqual({ local: {}, session: {}, cookie: '' });
    await expectAccessible(s.page, 'clients (empty)');
  });

  test('registers a client and sees its secret once: not in storage, not after a reload', async () => {
    await s.page.getByRole('link', { name: 'Register a client' }).click();
    await s.page.getByLabel('Name').fill('orders-sync');
    await s.page.getByRole('checkbox', { name: READ }).check();
    await expectAccessible(s.page, 'register');
    await shot(s.page, 'register-client');
    await s.page.getByRole('button', { name: 'Register client' }).click();
    firstSecret = await secretShownOnce(s.page);
    clientId = (await s.page.getByTestId('secret-client-id').textContent())!.trim();
    await expectText(s.page.getByTestId('secret-panel'), /will not be shown again/i);
    await shot(s.page, 'secret-shown-once');
    await expectAccessible(s.page, 'secret shown once');
    expect(await storageOf(s.page)).not.toContain(firstSecret);
    // The copy button puts exactly the secret on the clipboard.
    await s.page.getByRole('button', { name: 'Copy secret' }).click();
    expect(await s.page.evaluate('navigator.clipboard.readText()')).toBe(firstSecret);
    await s.page.getByRole('button', { name: 'I have stored the secret' }).click();
    expect(await s.page.content()).not.toContain(firstSecret);
    // The registry and the audit name the person who did it.
    expect((await portal.env.call('GET', `/tenants/globex/clients/${clientId}`)).body).toMatchObject({ name: 'orders-sync', createdBy: 'user:alice' });

    await s.page.reload();
    // Signed in again silently (managed login's session), on the client's page, without the secret.
    await s.page.getByRole('heading', { name: 'orders-sync', level: 1 }).waitFor();
    expect(await s.page.content()).not.toContain(firstSecret);
    expect(await storageOf(s.page)).not.toContain(firstSecret);
    await s.page.getByTestId('nav-clients').click();
    await row(s.page, 'orders-sync').waitFor();
    expect(await s.page.content()).not.toContain(firstSecret);
    await shot(s.page, 'clients');
    await expectAccessible(s.page, 'clients');
  });

  test('obtains a token with the secret and calls the API with it; the token panel never shows the secret', async () => {
    const token = await portal.m2mToken(clientId, firstSecret, READ);
    expect(token.status).toBe(200);
    expect(await portal.getOrders(token.body.access_token)).toEqual({ status: 200, body: { tenantId: 'globex', clientId } });

    await row(s.page, 'orders-sync').getByRole('link', { name: 'orders-sync' }).click();
    const panel = s.page.getByTestId('token-panel');
    await expectText(panel.getByTestId('token-endpoint'), portal.tokenUrl);
    const curl = (await panel.getByTestId('curl-snippet').textContent())!;
    expect(curl).toContain(`curl -X POST ${portal.tokenUrl}`);
    expect(curl).toContain(clientId);
    expect(curl).not.toContain(firstSecret);
    await shot(s.page, 'client-token-panel');
    await expectAccessible(s.page, 'client');
  });

  test('rotates (confirm, new secret once, grace period), then confirms the rotation: the old secret stops working', async () => {
    await s.page.getByTestId('nav-clients').click();
    await row(s.page, 'orders-sync').getByRole('button', { name: /Rotate secret/ }).click();
    const dialog = s.page.getByRole('dialog');
    await expectText(dialog, /24 hours/);
    await dialog.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    secondSecret = await secretShownOnce(s.page);
    expect(secondSecret).not.toBe(firstSecret);
    await s.page.getByTestId('grace-until').waitFor();
    // During the grace period both secrets work.
    expect((await portal.m2mToken(clientId, firstSecret)).status).toBe(200);
    expect((await portal.m2mToken(clientId, secondSecret)).status).toBe(200);
    await s.page.getByRole('button', { name: 'I have stored the secret' }).click();
    expect(await s.page.content()).not.toContain(secondSecret);

    await row(s.page, 'orders-sync').getByRole('button', { name: /Confirm rotation/ }).click();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Confirm rotation', exact: true }).click();
    await expectText(s.page.getByTestId('status'), /.+/);
    expect(await portal.m2mToken(clientId, firstSecret)).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect((await portal.m2mToken(clientId, secondSecret)).status).toBe(200);
  });

  test('suspends (with the local registry cache of 0 s its tokens are refused at once) and resumes', async () => {
    const token = (await portal.m2mToken(clientId, secondSecret, READ)).body.access_token;
    await row(s.page, 'orders-sync').getByRole('button', { name: /^Suspend/ }).click();
    await expectText(row(s.page, 'orders-sync'), /suspended/);
    expect((await portal.getOrders(token)).status).toBe(401);
    await row(s.page, 'orders-sync').getByRole('button', { name: /^Resume/ }).click();
    await expectText(row(s.page, 'orders-sync'), /active/);
    expect((await portal.getOrders(token)).status).toBe(200);
  });

  test('sees the audit trail of its tenant, naming the person', async () => {
    await s.page.getByTestId('nav-audit').click();
    await s.page.getByTestId('audit-table').waitFor();
    const actions = await s.page.getByTestId('audit-action').allTextContents();
    expect(actions.join(' ')).toMatch(/client\.registered/);
    expect(await s.page.getByTestId('audit-table').textContent()).toContain('user:alice');
    await shot(s.page, 'audit');
    await expectAccessible(s.page, 'audit');
  });

  test('sees the API catalog and which methods each client reaches', async () => {
    await s.page.getByTestId('nav-catalog').click();
    const api = s.page.locator('[data-testid="catalog-api"][data-api-name="Orders"]');
    await api.waitFor();
    expect(await api.getByTestId('catalog-route').count()).toBe(2);
    const reach = await api.locator(`[data-testid="reach"][data-client-id="${clientId}"]`).allTextContents();
    // orders-sync holds read only: GET /orders yes, POST /orders no.
    expect(reach.map((t) => t.trim().toLowerCase())).toEqual(['yes', 'no']);
    // Which authorizer checks each method's token, with api.routes' reason as its title.
    const authorizers = api.getByTestId('route-authorizer');
    expect((await authorizers.allTextContents()).map((t) => t.trim())).toEqual(['checked by the tenant-aware authorizer', 'checked by the tenant-aware authorizer']);
    expect(await authorizers.first().getAttribute('title')).toBe('the API\'s authorizer: M2mAuthorizer.tenantAware()');
    await shot(s.page, 'catalog');
    await expectAccessible(s.page, 'catalog');
  });

  test('cannot see another tenant: the UI refuses and so does the API', async () => {
    await s.page.goto(`${portal.siteUrl}#/tenants/initech/clients`);
    await expectText(s.page.locator('main'), /not your tenant/i);
    expect(await s.page.getByTestId('clients-table').count()).toBe(0);
  });

  test('deletes the client after confirming: it is gone and its secret no longer gets a token', async () => {
    await s.page.goto(`${portal.siteUrl}#/tenants/globex/clients`);
    await row(s.page, 'orders-sync').getByRole('button', { name: /^Delete/ }).click();
    const dialog = s.page.getByRole('dialog');
    await expectText(dialog, /orders-sync/);
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expectText(row(s.page, 'orders-sync'), /deleted/);
    expect((await portal.m2mToken(clientId, secondSecret)).status).toBe(400);
    expect(s.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  test('no secret the portal issued is in a log line (portal or authorizer) or a stored item', async () => {
    // The harness records every secret Cognito (cognito-local and its fake second secrets) created.
    expect([...portal.env.allSecrets]).toEqual(expect.arrayContaining([firstSecret, secondSecret]));
    await expectNoSecretLeak(portal.env);
  });

  test('signs out: the refresh token is revoked before the hosted UI\'s logout, then the landing page, nothing left in the browser', async () => {
    const refreshToken = await s.refreshToken();
    // Until sign-out, the tab's refresh token gets tokens: the refusal below is sign-out's doing.
    expect((await portal.refreshSignIn(refreshToken)).status).toBe(200);
    const seen = (await portal.signInEvents()).length;

    await s.page.getByRole('button', { name: 'Sign out' }).click();
    await s.page.getByRole('button', { name: 'Sign in' }).waitFor();

    expect(await portal.refreshSignIn(refreshToken)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Refresh Token has been revoked' } });
    // Exactly one revoke, of a live refresh token, by the public client (no secret), then the logout.
    expect((await portal.signInEvents()).slice(seen).filter((e) => e.kind !== 'token')).toEqual([
      { kind: 'revoke', clientId: WEB_CLIENT_ID, liveRefreshToken: true, clientSecret: false, status: 200 },
      { kind: 'logout', clientId: WEB_CLIENT_ID },
    ]);
    expect(await s.page.getByTestId('error').count()).toBe(0);
    expect(JSON.parse(await storageOf(s.page))).toEqual({ local: {}, session: {}, cookie: '' });
    // What the landing page says of signing in is true: the portal's own pool, managed login, an authenticator app.
    await expectText(s.page.getByTestId('sign-in-help'), /portal's own sign-in page .* authenticator app/);
    expect(await s.page.locator('body').textContent()).not.toMatch(/company account/i);
    await shot(s.page, 'signed-out');
    await expectAccessible(s.page, 'landing');

    // The logout ended managed login's session too: a reload asks silently, is refused, and shows the sign-in card.
    const before = (await portal.signInEvents()).length;
    await s.page.reload();
    await s.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await portal.signInEvents()).slice(before)).toEqual([{ kind: 'authorize', prompt: 'none', session: false, answer: 'login_required' }]);
    expect(await s.page.getByTestId('principal').count()).toBe(0);
    expect(await s.page.getByTestId('error').count()).toBe(0);
  });
});

test('the API refuses a tenant admin\'s token for another tenant, and a person without a role entirely', async () => {
  const s = await signIn('alice', ['tenant-globex']);
  try {
    // The access token the page uses, read from the Authorization header of its own API call.
    const [request] = await Promise.all([
      s.page.waitForRequest((r) => r.url().startsWith(portal.apiUrl) && r.method() === 'GET' && Boolean(r.headers().authorization)),
      s.page.reload(),
    ]);
    const token = request.headers().authorization.replace(/^Bearer /, '');
    expect(await portal.api('GET', '/tenants/globex/clients', token)).toMatchObject({ status: 200 });
    expect(await portal.api('GET', '/tenants/initech/clients', token)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await portal.api('POST', '/tenants', token)).status).toBe(403);
  } finally {
    await s.context.close();
  }
  const nobody = await portal.signInAs('mallory', []).then(async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(portal.siteUrl);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByTestId('error').first();
    await alert.waitFor();
    const text = await alert.textContent();
    await context.close();
    return text;
  });
  expect(nobody).toMatch(/401|sign/i);
});

describe('a platform admin', () => {
  let s: Session;
  beforeAll(async () => { s = await signIn('root', ['platform-admins']); }, 60_000);
  afterAll(async () => s?.context.close());

  test('sees every tenant, creates one and invites its admin', async () => {
    await s.page.getByTestId('tenants-table').waitFor();
    expect(await s.page.getByTestId('tenant-row').count()).toBeGreaterThanOrEqual(2);
    await s.page.getByLabel('Tenant id').fill('umbrella');
    await s.page.getByLabel('Display name (optional)').fill('Umbrella Corp');
    await s.page.getByRole('button', { name: 'Create tenant' }).click();
    await s.page.locator('[data-testid="tenant-row"][data-tenant-id="umbrella"]').waitFor();
    await shot(s.page, 'tenants');
    await expectAccessible(s.page, 'tenants');
    expect((await portal.env.call('GET', '/tenants/umbrella')).body).toMatchObject({ tenantId: 'umbrella', createdBy: 'user:root' });

    await s.page.goto(`${portal.siteUrl}#/tenants/umbrella/admins`);
    await s.page.getByLabel('Username').fill('erin');
    await s.page.getByLabel('Email').fill('erin@umbrella.example');
    await s.page.getByRole('button', { name: 'Invite admin' }).click();
    await expectText(s.page.getByTestId('invite-admin-form').getByTestId('status'), /Invited erin/);
    const erin = s.page.locator('[data-testid="admin-row"][data-username="erin"]');
    await erin.waitFor();
    // Cognito's FORCE_CHANGE_PASSWORD, in words.
    await expectText(erin.getByTestId('status-badge'), 'Invitation pending');
    expect(await erin.getByTestId('status-badge').getAttribute('data-status')).toBe('FORCE_CHANGE_PASSWORD');
    expect(await s.page.locator('main').textContent()).not.toContain('FORCE_CHANGE_PASSWORD');
    await expectText(s.page.getByTestId('invitation-hint'), /has not signed in yet/);
    await shot(s.page, 'invite-admin');
    await expectAccessible(s.page, 'admins');
    const groups = await portal.env.real.send(new AdminListGroupsForUserCommand({ UserPoolId: portal.env.config.people!.userPoolId, Username: 'erin' }));
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['tenant-umbrella']);
  });

  test('removes a tenant admin after confirming: the person is gone from the sign-in pool', async () => {
    await s.page.goto(`${portal.siteUrl}#/tenants/umbrella/admins`);
    const erin = s.page.locator('[data-testid="admin-row"][data-username="erin"]');
    await erin.getByRole('button', { name: /^Remove/ }).click();
    const dialog = s.page.getByRole('dialog');
    await expectText(dialog, /erin is deleted from the portal's sign-in pool/);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await expectText(s.page.getByTestId('status').first(), /Removed erin/);
    await s.page.getByTestId('no-admins').waitFor();
    await expect(portal.env.real.send(new AdminListGroupsForUserCommand({ UserPoolId: portal.env.config.people!.userPoolId, Username: 'erin' })))
      .rejects.toMatchObject({ name: 'UserNotFoundException' });
  });

  test('suspends and resumes a tenant', async () => {
    await s.page.goto(`${portal.siteUrl}#/tenants`);
    const umbrella = s.page.locator('[data-testid="tenant-row"][data-tenant-id="umbrella"]');
    await umbrella.getByRole('button', { name: /^Suspend/ }).click();
    await expectText(umbrella, /suspended/);
    await umbrella.getByRole('button', { name: /^Resume/ }).click();
    await expectText(umbrella, /active/);
  });

  test('sees a client\'s and a tenant\'s token-budget suspensions, with the reason and the end, and lifts them; a tenant admin sees them without Lift', async () => {
    // GIVEN a client of initech whose budget function wrote a suspension, and a tenant-wide one
    const created = await portal.env.call('POST', '/tenants/initech/clients', { body: { name: 'nightly', scopes: [READ] } });
    expect(created.status).toBe(201);
    const id: string = created.body.clientId;
    const store = new BudgetStore(DynamoDBDocumentClient.from(portal.env.ddb), BUDGET_TABLE);
    const until = Math.floor(Date.now() / 1000) + 1800;
    await store.suspend({ subject: 'client', id, until, window: 'hour', budget: 100, count: 101 }, new Date().toISOString());
    await store.suspend({ subject: 'tenant', id: 'initech', until, window: 'day', budget: 5000, count: 5001 }, new Date().toISOString());

    // THEN the platform admin sees both, why and until when
    await s.page.goto(`${portal.siteUrl}#/tenants/initech/clients`);
    const notice = s.page.getByTestId('tenant-budget-suspension');
    await expectText(notice, 'used 5001 new tokens this day (UTC), over the budget of 5000 per day');
    const nightly = row(s.page, 'nightly');
    await expectText(nightly.getByTestId('budget-reason'), 'Token budget exceeded: it used 101 new tokens this hour (UTC), over the budget of 100 per hour.');
    expect(await nightly.getByTestId('budget-until').locator('time').getAttribute('datetime')).toBe(new Date(until * 1000).toISOString());
    await shot(s.page, 'budget-suspension');
    await expectAccessible(s.page, 'clients (budget suspensions)');

    // AND a tenant admin of initech sees them, with no Lift
    const t = await signIn('ivan', ['tenant-initech']);
    try {
      await t.page.goto(`${portal.siteUrl}#/tenants/initech/clients`);
      await expectText(row(t.page, 'nightly').getByTestId('budget-reason'), 'used 101 new tokens this hour');
      await t.page.getByTestId('tenant-budget-suspension').waitFor();
      expect(await t.page.getByTestId('lift-budget-suspension').count()).toBe(0);
    } finally {
      await t.context.close();
    }

    // WHEN the platform admin lifts the client's suspension (confirming), then the tenant's
    await nightly.getByRole('button', { name: 'Lift: nightly' }).click();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Lift suspension' }).click();
    await expectText(s.page.getByTestId('status').first(), 'Budget suspension of nightly lifted.');
    await nightly.getByTestId('client-id').waitFor();
    expect(await nightly.getByTestId('client-budget-suspension').count()).toBe(0);
    expect(await store.suspension('client', id)).toBeUndefined();
    await notice.getByRole('button', { name: 'Lift: tenant initech' }).click();
    await s.page.getByRole('dialog').getByRole('button', { name: 'Lift suspension' }).click();
    await s.page.getByTestId('tenant-budget-suspension').waitFor({ state: 'detached' });
    expect(await store.suspension('tenant', 'initech')).toBeUndefined();

    // THEN both lifts are in the audit trail, by the person
    const trail = (await portal.env.call('GET', '/tenants/initech/audit')).body.items as Array<{ action: string; actor: string; detail?: { subject?: string } }>;
    expect(trail.filter((e) => e.action === 'token_budget.lifted').map((e) => [e.actor, e.detail?.subject]).sort()).toEqual([['user:root', 'client'], ['user:root', 'tenant']]);
    // Back where the next journey starts.
    await s.page.goto(`${portal.siteUrl}#/tenants`);
    await s.page.getByTestId('tenants-table').waitFor();
  }, 60_000);

  test('a failed API call says in plain words what happened and what to do, with the API\'s message and the details for support', async () => {
    // The tenant exists already: the API answers 409 conflict with a message naming it.
    await s.page.getByLabel('Tenant id').fill('globex');
    await s.page.getByRole('button', { name: 'Create tenant' }).click();
    const alert = s.page.getByTestId('error').first();
    await alert.waitFor();
    await expectText(alert.locator('.alert-title'), 'Creating the tenant failed: it clashes with the current state');
    const message = (await portal.env.call('POST', '/tenants', { body: { tenantId: 'globex' } })).body.message as string;
    await expectText(alert.getByTestId('error-detail'), message);
    await expectText(alert.getByTestId('error-advice'), /Reload the page, check, and try again/);
    // The status and code are there for support, not as the headline.
    expect(await alert.getByTestId('error-support').isVisible()).toBe(false);
    await alert.getByText('Details for support').click();
    await expectText(alert.getByTestId('error-support'), 'HTTP 409, error code conflict');
    expect(await alert.textContent()).not.toContain('409 Conflict');
    await shot(s.page, 'error-message');
    await expectAccessible(s.page, 'tenants with an error');
  });
});

/** Waits until the locator's text matches (the UI updates asynchronously). */
async function expectText(locator: ReturnType<Page['locator']>, expected: string | RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: 10_000 })) ?? '';
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toMatch(typeof expected === 'string' ? new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : expected);
}

test.each([[WRITE]])('the grantable scope %s is offered but not pre-selected', async (scope) => {
  const s = await signIn('alice', ['tenant-globex']);
  try {
    await s.page.goto(`${portal.siteUrl}#/tenants/globex/clients/new`);
    const box = s.page.getByRole('checkbox', { name: scope });
    await box.waitFor();
    expect(await box.isChecked()).toBe(false);
  } finally {
    await s.context.close();
  }
});

describe('sign-out when the refresh token cannot be revoked', () => {
  const NOT_REVOKED = 'Signed out, but your session could not be revoked';

  /** Signs out of `s` and checks what the landing page says, and that the sign-out completed anyway. */
  async function signOutAndExpectNotice(s: Session, reason: RegExp, label: string): Promise<void> {
    const refreshToken = await s.refreshToken();
    const seen = (await portal.signInEvents()).length;
    await s.page.getByRole('button', { name: 'Sign out' }).click();
    const alert = s.page.getByTestId('error');
    await alert.waitFor();
    expect(await alert.count()).toBe(1);
    await expectText(alert, NOT_REVOKED);
    await expectText(alert, reason);
    await expectText(alert, /may stay usable until it expires/);
    // Signed out all the same: the landing page, the hosted UI's logout, nothing kept in the tab (the notice is read once).
    await s.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await s.page.getByTestId('principal').count()).toBe(0);
    expect((await portal.signInEvents()).slice(seen).filter((e) => e.kind === 'logout')).toEqual([{ kind: 'logout', clientId: WEB_CLIENT_ID }]);
    expect(JSON.parse(await storageOf(s.page))).toEqual({ local: {}, session: {}, cookie: '' });
    // What the notice says is true: the stand-in still honours the refresh token.
    expect((await portal.refreshSignIn(refreshToken)).status).toBe(200);
    await shot(s.page, `signed-out-${label}`);
    await expectAccessible(s.page, `landing after ${label}`);
    await s.page.reload();
    await s.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await s.page.getByTestId('error').count()).toBe(0);
  }

  test.each([
    [503, /answered 503/],
    [400, /answered 400 \(invalid_request\)/],
  ])('the revoke endpoint answers %s', async (status, reason) => {
    const s = await signIn('alice', ['tenant-globex']);
    try {
      await portal.failNextRevoke(status);
      await signOutAndExpectNotice(s, reason, `revoke-${status}`);
    } finally {
      await s.context.close();
    }
  });

  test('the revoke endpoint cannot be reached', async () => {
    const s = await signIn('alice', ['tenant-globex']);
    try {
      await s.page.route(portal.signInUrls.revoke, (r) => r.abort('connectionrefused'));
      await signOutAndExpectNotice(s, /could not be reached/, 'revoke-unreachable');
    } finally {
      await s.context.close();
    }
  });

  test('the revoke endpoint never answers: sign-out goes on when the page\'s clock passes the wait', async () => {
    const s = await signIn('alice', ['tenant-globex'], { before: (page) => page.clock.install() });
    const stuck: Array<import('playwright-core').Route> = [];
    try {
      await s.page.route(portal.signInUrls.revoke, (r) => { stuck.push(r); });
      await Promise.all([
        s.page.waitForRequest(portal.signInUrls.revoke),
        s.page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      // Still waiting for the revoke: the button says so and cannot be pressed twice.
      const button = s.page.getByTestId('sign-out');
      await expectText(button, 'Signing out…');
      expect(await button.getAttribute('aria-disabled')).toBe('true');
      await s.page.clock.runFor(60_000);
      const alert = s.page.getByTestId('error');
      await alert.waitFor();
      await expectText(alert, NOT_REVOKED);
      await expectText(alert, /did not answer within \d+ seconds/);
      await s.page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(stuck).toHaveLength(1);
    } finally {
      await s.context.close();
    }
  });
});

describe('error links on the landing page', () => {
  const LURE = 'Your account is locked. Call +1-555-0100 to restore it';
  const crafted = `?error=access_denied&error_description=${encodeURIComponent(LURE).replace('%20%2B1', '%20+1')}`;

  async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    return { context, page: await context.newPage() };
  }

  /** The page shows the plain sign-in page: no alert, nothing of the link, and the address bar without its query. */
  async function expectIgnored(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByTestId('error').count()).toBe(0);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain('555');
    expect(text).not.toContain('access_denied');
    expect(page.url()).toBe(portal.siteUrl);
  }

  test('a crafted link without a state shows nothing of it', async () => {
    const { context, page } = await freshPage();
    try {
      await page.goto(`${portal.siteUrl}${crafted}`);
      await expectIgnored(page);
      await expectAccessible(page, 'landing after an ignored error link');
    } finally {
      await context.close();
    }
  });

  test('a crafted link with a state that is not the pending sign-in\'s shows nothing of it', async () => {
    const { context, page } = await freshPage();
    try {
      // A sign-in is pending in this tab (its trip to the sign-in service is cut short).
      await page.goto(portal.siteUrl);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.route(`${portal.signInUrls.authorize}?*`, (r) => r.abort('aborted'));
      await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(portal.signInUrls.authorize)),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      const pending = JSON.parse(await page.evaluate('sessionStorage.getItem("portal.pending-sign-in")') as string);
      expect(typeof pending.state).toBe('string');
      await page.unroute(`${portal.signInUrls.authorize}?*`);
      await page.goto(`${portal.siteUrl}${crafted}&state=${encodeURIComponent(`${pending.state}x`)}`);
      await expectIgnored(page);
      // The pending sign-in ended with the answer that did not match (the next one starts afresh).
      expect(JSON.parse(await storageOf(page))).toEqual({ local: {}, session: {}, cookie: '' });
    } finally {
      await context.close();
    }
  });

  test('the sign-in service\'s own refusal, with the pending state, is shown as text', async () => {
    const description = `<img src=x onerror="document.title='injected'"> ${LURE}`;
    await portal.refuseNextSignIn('access_denied', description);
    const { context, page } = await freshPage();
    try {
      await page.goto(portal.siteUrl);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByTestId('error');
      await alert.waitFor();
      await expectText(alert, 'Sign-in failed (access_denied)');
      await expectText(alert, description);
      expect(await alert.locator('img').count()).toBe(0);
      expect(await page.title()).not.toBe('injected');
      expect(page.url()).toBe(portal.siteUrl);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await shot(page, 'sign-in-refused');
      await expectAccessible(page, 'landing with a refused sign-in');
    } finally {
      await context.close();
    }
  });
});

describe('a session that outlives a reload, and links that keep it', () => {
  test('a reload signs the person in again silently while managed login\'s session lasts: same person, same page, tokens only in memory', async () => {
    const s = await signIn('alice', ['tenant-globex']);
    try {
      await s.page.goto(`${portal.siteUrl}#/tenants/globex/catalog`);
      await s.page.locator('[data-testid="catalog-api"][data-api-name="Orders"]').waitFor();
      const historyLength = await s.page.evaluate('history.length');
      // Whoever would sign in next at the provider, the session is alice's.
      await portal.signInAs('mallory', []);
      const before = (await portal.signInEvents()).length;

      await s.page.reload();
      await s.page.locator('[data-testid="catalog-api"][data-api-name="Orders"]').waitFor();
      await expectText(s.page.getByTestId('principal'), 'alice');
      expect(new URL(s.page.url()).hash).toBe('#/tenants/globex/catalog');
      expect(await s.page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
      // One silent request (prompt=none) answered from the session, one code exchange with PKCE: no page at the sign-in service.
      expect((await portal.signInEvents()).slice(before)).toEqual([
        { kind: 'authorize', prompt: 'none', session: true, answer: 'code' },
        { kind: 'token', grantType: 'authorization_code', clientId: WEB_CLIENT_ID, codeVerifier: true, clientSecret: false, status: 200 },
      ]);
      // Tokens still never in storage; the silent trip replaced the reloaded page, so Back does not bounce through it.
      expect(JSON.parse(await storageOf(s.page))).toEqual({ local: {}, session: {}, cookie: '' });
      expect(await s.page.evaluate('history.length')).toBe(historyLength);

      // A new tab of the same browser is signed in the same way.
      const tab = await s.context.newPage();
      await tab.goto(`${portal.siteUrl}#/tenants/globex/clients`);
      await tab.getByRole('heading', { name: 'API clients', level: 1 }).waitFor();
      await expectText(tab.getByTestId('principal'), 'alice');
      await expectAccessible(tab, 'clients after a silent sign-in');
    } finally {
      await s.context.close();
    }
  });

  test('the OpenAPI document downloads (keyboard too) and the app, and its session, carry on', async () => {
    const s = await signIn('alice', ['tenant-globex']);
    try {
      await s.page.goto(`${portal.siteUrl}#/tenants/globex/catalog`);
      const link = s.page.locator('[data-testid="catalog-api"][data-api-name="Orders"]').getByTestId('openapi-link');
      await expectText(link, 'Download the OpenAPI document of Orders (JSON)');
      await s.page.evaluate('window.sameDocument = true');

      await link.focus();
      const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.keyboard.press('Enter')]);
      expect(download.suggestedFilename()).toBe('Orders.openapi.json');
      const doc = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
      expect(doc).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'Orders' } });

      // The same document, still signed in, and the API still answers it.
      expect(await s.page.evaluate('window.sameDocument')).toBe(true);
      expect(new URL(s.page.url()).hash).toBe('#/tenants/globex/catalog');
      await s.page.getByTestId('nav-clients').click();
      await s.page.getByRole('heading', { name: 'API clients', level: 1 }).waitFor();
      await s.page.getByTestId('clients-table').or(s.page.getByTestId('no-clients')).waitFor();
      expect(await s.page.getByTestId('error').count()).toBe(0);
      await expectText(s.page.getByTestId('principal'), 'alice');
    } finally {
      await s.context.close();
    }
  });
});

test('a registration whose answer was lost: the retry says the client is registered and offers a rotation for its secret', async () => {
  const s = await signIn('alice', ['tenant-globex']);
  const url = `${portal.apiUrl}/tenants/globex/clients`;
  const keys: string[] = [];
  s.page.on('request', (r) => { if (r.url() === url && r.method() === 'POST') keys.push(r.headers()['idempotency-key']); });
  let lostSecret: string | undefined;
  try {
    await s.page.goto(`${portal.siteUrl}#/tenants/globex/clients/new`);
    await s.page.getByLabel('Name').fill('billing-export');
    await s.page.getByRole('checkbox', { name: READ }).check();
    // The first answer is lost on its way back: the API registers the client, the page sees the connection reset.
    await s.page.route(url, async (route) => {
      if (route.request().method() !== 'POST' || lostSecret !== undefined) return route.fallback();
      lostSecret = (await (await route.fetch()).json()).clientSecret;
      return route.abort('connectionreset');
    });
    await s.page.getByRole('button', { name: 'Register client' }).click();
    await expectText(s.page.getByTestId('error'), 'Registering the client failed: the portal API could not be reached');
    expect(typeof lostSecret).toBe('string');

    // The person tries again: the same Idempotency-Key, and the API answers with the client but not its secret.
    await s.page.getByRole('button', { name: 'Register client' }).click();
    const notice = s.page.getByTestId('registered-without-secret');
    await notice.getByRole('heading', { name: 'Client billing-export is registered', level: 2 }).waitFor();
    await expectText(notice, /the answer, which carried the client's secret, did not reach this page/);
    await expectText(notice, /cannot be shown again/);
    await expectText(s.page.getByTestId('status'), 'Client billing-export is registered');
    expect(await s.page.getByTestId('error').count()).toBe(0);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    const clientId = (await notice.getByTestId('registered-client-id').textContent())!.trim();
    expect((await portal.env.call('GET', `/tenants/globex/clients/${clientId}`)).body).toMatchObject({ name: 'billing-export', status: 'active' });
    await shot(s.page, 'registered-without-secret');
    await expectAccessible(s.page, 'registered without its secret');

    // "Rotate to get a secret": the rotation's confirmation, then the new secret, once.
    await notice.getByRole('button', { name: 'Rotate to get a secret' }).click();
    const dialog = s.page.getByRole('dialog');
    await expectText(dialog, 'Rotate the secret of billing-export?');
    await dialog.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    const secret = await secretShownOnce(s.page);
    expect(secret).not.toBe(lostSecret);
    expect(await s.page.getByTestId('registered-without-secret').count()).toBe(0);
    expect(await s.page.content()).not.toContain(lostSecret);
    expect((await portal.m2mToken(clientId, secret, READ)).status).toBe(200);
    await expectAccessible(s.page, 'secret after a lost registration answer');

    await s.page.getByRole('button', { name: 'I have stored the secret' }).click();
    await s.page.getByRole('heading', { name: 'billing-export', level: 1 }).waitFor();
    expect(await s.page.content()).not.toContain(secret);

    // Registering the same client afresh (no lost answer): the page says it was registered before, and by whom.
    await s.page.goto(`${portal.siteUrl}#/tenants/globex/clients/new`);
    await s.page.getByLabel('Name').fill('billing-export');
    await s.page.getByRole('checkbox', { name: READ }).check();
    await s.page.getByRole('button', { name: 'Register client' }).click();
    const again = s.page.getByTestId('registered-without-secret');
    await expectText(again, /It was registered before, with the same scopes and token validity, by user:alice/);
    expect(await again.textContent()).not.toContain('first attempt');
    await expectText(s.page.getByTestId('status'), 'Client billing-export was already registered');
    await expectText(again.getByRole('button', { name: 'Rotate to get a secret' }), 'Rotate to get a secret');
  } finally {
    await s.context.close();
  }
});
