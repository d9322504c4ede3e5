/** A tenant's API clients: the table, with each client's actions. */
import type { Client } from '../../../lib/private/contracts/portal-api';
import { liftButton, mayLift, suspensionLine, tenantSuspensionNotice } from '../budget';
import { ActionHost, clientButtons, rotationText } from '../client-actions';
import { errorAlert, Feedback, loading, pageTitle } from '../components';
import { badge, h, hashHref, keepFocus, replace } from '../dom';
import type { PageContext } from '../page';

function scopeList(scopes: readonly string[]): HTMLElement {
  if (scopes.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'plain-list' }, ...scopes.map((s) => h('li', {}, h('code', {}, s))));
}

function row(client: Client, host: ActionHost): HTMLTableRowElement {
  const { actions, confirmRotation } = clientButtons(client, host);
  const suspension = client.budgetSuspension;
  if (suspension && mayLift(host.ctx)) {
    actions.unshift(liftButton('Lift', client.name, host.feedback, () => host.ctx.api.liftClientBudgetSuspension(client), () => host.reload()));
  }
  const gone = client.status === 'deleted' || client.status === 'deleting';
  return h('tr', { 'class': gone ? 'row-gone' : undefined, 'data-testid': 'client-row', 'data-client-id': client.clientId, 'data-client-name': client.name },
    h('th', { scope: 'row' }, h('a', { href: hashHref('tenants', client.tenantId, 'clients', client.clientId) }, client.name)),
    h('td', {}, h('code', { 'class': 'small', 'data-testid': 'client-id' }, client.clientId)),
    h('td', {}, badge(client.status), suspension ? h('div', { 'class': 'small', 'data-testid': 'client-budget-suspension' }, ...suspensionLine(suspension)) : null),
    h('td', {}, scopeList(client.scopes)),
    h('td', { class: 'numeric' }, `${client.accessTokenValidityMinutes} min`),
    h('td', {}, h('div', { class: 'rotation' }, ...rotationText(client)), confirmRotation ? h('div', { class: 'rotation-action' }, confirmRotation) : null),
    h('td', {}, h('div', { class: 'actions actions-nowrap' }, ...actions)),
  );
}

export async function clientsPage(ctx: PageContext, tenantId: string): Promise<void> {
  const feedback = new Feedback();
  const secretSlot = h('div', { class: 'secret-slot' });
  const body = h('div', { 'class': 'table-region', 'aria-live': 'off' }, loading('clients'));
  const tenantNotice = h('div', {});
  replace(ctx.main,
    pageTitle('API clients',
      h('p', { class: 'lead' }, 'The clients your services use to get access tokens (OAuth 2.0 client credentials) for tenant ',
        h('strong', { 'data-testid': 'tenant-label' }, ctx.tenantLabel(tenantId)), '.'),
      h('a', { class: 'button button-primary', href: hashHref('tenants', tenantId, 'clients', 'new') }, 'Register a client')),
    secretSlot,
    feedback.el,
    tenantNotice,
    body,
  );

  let clients: Client[] = [];
  let nextToken: string | undefined;
  const host: ActionHost = { ctx, feedback, secretSlot, reload: () => load(false) };

  const render = () => {
    if (clients.length === 0) {
      replace(body, h('p', { 'class': 'empty', 'data-testid': 'no-clients' }, 'This tenant has no clients yet.'));
      return;
    }
    const more = nextToken
      ? h('button', { type: 'button', class: 'button', onclick: () => void load(true) }, 'Load more clients')
      : null;
    replace(body,
      h('div', { 'class': 'table-scroll', 'tabindex': '0', 'role': 'region', 'aria-label': 'API clients' },
        h('table', { 'class': 'table', 'data-testid': 'clients-table' },
          h('caption', { class: 'visually-hidden' }, `API clients of tenant ${tenantId}`),
          h('thead', {}, h('tr', {},
            ...['Name', 'Client id', 'Status', 'Scopes', 'Token validity', 'Secret rotation', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...clients.map((c) => row(c, host))),
        )),
      more,
    );
  };

  async function load(append: boolean): Promise<void> {
    try {
      const [page, tenant] = await Promise.all([ctx.api.listClients(tenantId, append ? nextToken : undefined), ctx.api.getTenant(tenantId)]);
      if (!ctx.isCurrent()) return;
      replace(tenantNotice, tenantSuspensionNotice(ctx, tenantId, tenant.budgetSuspension, feedback, () => load(false)));
      clients = append ? [...clients, ...page.items] : page.items;
      nextToken = page.nextToken;
      keepFocus(body, render, ctx.main.querySelector('h1'));
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (clients.length === 0) replace(body, errorAlert(err, 'Loading the clients'));
      else feedback.error(err, 'Reloading the clients');
    }
  }
  await load(false);
}
