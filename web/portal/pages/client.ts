/** One client: its details, its actions and how to get a token with it. */
import type { Client } from '../../../lib/private/contracts/portal-api';
import { liftButton, mayLift, suspensionLine } from '../budget';
import { ActionHost, clientButtons, rotationText } from '../client-actions';
import { busy, errorAlert, Feedback, loading } from '../components';
import { badge, Child, h, hashHref, keepFocus, replace, time } from '../dom';
import type { PageContext } from '../page';

/** The curl call for a token; the secret is a placeholder, never the real one. */
export function curlSnippet(client: Client, tokenEndpoint: string): string {
  return `curl -X POST ${tokenEndpoint} -u '${client.clientId}:<your client secret>' `
    + `-d grant_type=client_credentials -d scope=${encodeURIComponent(client.scopes.join(' '))}`;
}

function tokenPanel(client: Client, tokenEndpoint: string): HTMLElement {
  const feedback = new Feedback('copy-status');
  const snippet = h('pre', { 'class': 'code-block', 'data-testid': 'curl-snippet' }, h('code', {}, curlSnippet(client, tokenEndpoint)));
  const copy = h('button', { 'type': 'button', 'class': 'button button-small', 'data-testid': 'copy-curl' }, 'Copy command');
  copy.addEventListener('click', () => void busy(copy, feedback, 'Copying the command', async () => {
    await navigator.clipboard.writeText(snippet.textContent ?? '');
    feedback.success('Command copied to the clipboard.');
  }));
  return h('section', { 'class': 'card', 'aria-labelledby': 'get-token-title', 'data-testid': 'token-panel' },
    h('h2', { id: 'get-token-title' }, 'Get a token'),
    h('p', {}, 'Your service exchanges the client id and secret for an access token (OAuth 2.0 client credentials grant) '
      + `at the token endpoint, then sends it as "Authorization: Bearer <token>". Tokens work for ${client.accessTokenValidityMinutes} minutes.`),
    h('dl', { class: 'details' },
      h('dt', {}, 'Token endpoint'), h('dd', {}, h('code', { 'data-testid': 'token-endpoint' }, tokenEndpoint)),
      h('dt', {}, 'Client id'), h('dd', {}, h('code', {}, client.clientId)),
      h('dt', {}, 'Scopes'), h('dd', {}, client.scopes.length > 0 ? h('code', {}, client.scopes.join(' ')) : 'none'),
    ),
    h('p', {}, 'With curl (put in your secret from your secret manager):'),
    snippet,
    h('div', { class: 'button-row' }, copy),
    feedback.el,
  );
}

function details(client: Client): HTMLElement {
  const item = (label: string, ...value: Child[]) => [h('dt', {}, label), h('dd', {}, ...value)];
  return h('dl', { 'class': 'details', 'data-testid': 'client-details' },
    ...item('Client id', h('code', { 'data-testid': 'client-id' }, client.clientId)),
    ...item('Status', badge(client.status)),
    ...(client.budgetSuspension ? item('Token budget', h('span', { 'data-testid': 'client-budget-suspension' }, ...suspensionLine(client.budgetSuspension))) : []),
    ...item('Scopes', client.scopes.length > 0 ? h('code', {}, client.scopes.join(' ')) : 'none'),
    ...item('Token validity', `${client.accessTokenValidityMinutes} minutes`),
    ...item('Secret rotation', ...rotationText(client)),
    ...item('Created', time(client.createdAt), ` by ${client.createdBy}`),
    ...item('Last changed', time(client.updatedAt), ` by ${client.updatedBy}`),
    ...(client.deletedAt ? item('Deleted', time(client.deletedAt)) : []),
  );
}

export async function clientPage(ctx: PageContext, tenantId: string, clientId: string): Promise<void> {
  const feedback = new Feedback();
  const secretSlot = h('div', { class: 'secret-slot' });
  const title = h('h1', { tabindex: -1 }, 'Client');
  const summary = h('div', { class: 'card' }, loading('the client'));
  const tokenSlot = h('div', {});
  replace(ctx.main,
    h('nav', { 'aria-label': 'Breadcrumb', 'class': 'breadcrumb' },
      h('a', { href: hashHref('tenants', tenantId, 'clients') }, 'API clients'), ' / ', h('span', { 'aria-current': 'page' }, clientId)),
    h('div', { class: 'page-head' }, title),
    secretSlot,
    feedback.el,
    summary,
    tokenSlot,
  );
  const host: ActionHost = { ctx, feedback, secretSlot, reload: () => load() };

  async function load(): Promise<void> {
    let client: Client;
    try {
      client = await ctx.api.getClient(tenantId, clientId);
    } catch (err) {
      if (ctx.isCurrent()) replace(summary, errorAlert(err, 'Loading the client'));
      return;
    }
    if (!ctx.isCurrent()) return;
    title.textContent = client.name;
    document.title = `${client.name} · Developer portal`;
    const { actions, confirmRotation } = clientButtons(client, host);
    if (confirmRotation) actions.splice(1, 0, confirmRotation);
    if (client.budgetSuspension && mayLift(ctx)) {
      actions.unshift(liftButton('Lift budget suspension', client.name, feedback, () => ctx.api.liftClientBudgetSuspension(client), load));
    }
    keepFocus(summary, () => replace(summary,
      details(client),
      actions.length > 0 ? h('div', { 'class': 'actions', 'role': 'group', 'aria-label': 'Client actions' }, ...actions) : null,
    ), title);
    const live = client.status === 'active' || client.status === 'suspended';
    replace(tokenSlot, live ? tokenPanel(client, client.tokenEndpoint || ctx.config.tokenEndpoint) : null);
  }
  await load();
}
