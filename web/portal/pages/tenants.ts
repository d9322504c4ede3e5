/** Platform admins: the tenants, creating one, suspending and resuming. */
import { matchesRule, TENANT_ID } from '../../../lib/private/contracts/ids';
import type { Tenant } from '../../../lib/private/contracts/portal-api';
import { busy, errorAlert, Feedback, field, loading, pageTitle } from '../components';
import { badge, h, hashHref, keepFocus, replace, time } from '../dom';
import type { PageContext } from '../page';

export async function tenantsPage(ctx: PageContext): Promise<void> {
  const feedback = new Feedback();
  const body = h('div', { class: 'table-region' }, loading('tenants'));
  const createForm = createTenantForm(ctx, () => load(false));
  replace(ctx.main,
    pageTitle('Tenants', h('p', { class: 'lead' }, 'Each tenant manages its own API clients. Open a tenant to manage its clients, admins and audit trail.')),
    feedback.el,
    body,
    createForm,
  );

  let tenants: Tenant[] = [];
  let nextToken: string | undefined;

  const setStatus = (t: Tenant, status: 'active' | 'suspended') => async () => {
    await ctx.api.setTenantStatus(t, status);
    feedback.success(status === 'suspended'
      ? `Tenant ${t.tenantId} suspended: its clients' calls are refused until you resume it.`
      : `Tenant ${t.tenantId} resumed.`);
    await load(false);
  };

  const row = (t: Tenant) => {
    const label = t.status === 'active' ? 'Suspend' : 'Resume';
    const b = h('button', {
      'type': 'button',
      'class': 'button button-small',
      'aria-label': `${label}: ${t.tenantId}`,
      'data-testid': t.status === 'active' ? 'suspend-tenant' : 'resume-tenant',
      'data-focus-key': `${t.tenantId}:status`,
    }, label);
    b.addEventListener('click', () => {
      feedback.clear();
      void busy(b, feedback, `${t.status === 'active' ? 'Suspending' : 'Resuming'} tenant ${t.tenantId}`,
        setStatus(t, t.status === 'active' ? 'suspended' : 'active'));
    });
    return h('tr', { 'data-testid': 'tenant-row', 'data-tenant-id': t.tenantId },
      h('th', { scope: 'row' }, h('a', { href: hashHref('tenants', t.tenantId, 'clients') }, t.tenantId)),
      h('td', {}, t.displayName ?? h('span', { class: 'muted' }, '—')),
      h('td', {}, badge(t.status)),
      h('td', {}, time(t.createdAt), h('span', { class: 'muted' }, ` by ${t.createdBy}`)),
      h('td', {}, h('div', { class: 'actions' }, b,
        h('a', { 'class': 'button button-small', 'href': hashHref('tenants', t.tenantId, 'admins'), 'aria-label': `Admins: ${t.tenantId}` }, 'Admins'))),
    );
  };

  const render = () => {
    if (tenants.length === 0) {
      replace(body, h('p', { 'class': 'empty', 'data-testid': 'no-tenants' }, 'No tenants yet: create the first one below.'));
      return;
    }
    replace(body,
      h('div', { 'class': 'table-scroll', 'tabindex': '0', 'role': 'region', 'aria-label': 'Tenants' },
        h('table', { 'class': 'table', 'data-testid': 'tenants-table' },
          h('caption', { class: 'visually-hidden' }, 'Tenants'),
          h('thead', {}, h('tr', {}, ...['Tenant', 'Display name', 'Status', 'Created', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...tenants.map(row)),
        )),
      nextToken ? h('button', { type: 'button', class: 'button', onclick: () => void load(true) }, 'Load more tenants') : null,
    );
  };

  async function load(append: boolean): Promise<void> {
    try {
      const page = await ctx.api.listTenants(append ? nextToken : undefined);
      if (!ctx.isCurrent()) return;
      tenants = append ? [...tenants, ...page.items] : page.items;
      nextToken = page.nextToken;
      keepFocus(body, render, ctx.main.querySelector('h1'));
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (tenants.length === 0) replace(body, errorAlert(err, 'Loading the tenants'));
      else feedback.error(err, 'Reloading the tenants');
    }
  }
  await load(false);
}

function createTenantForm(ctx: PageContext, reload: () => Promise<void>): HTMLElement {
  const feedback = new Feedback('create-tenant-status');
  const id = field('Tenant id', { 'name': 'tenantId', 'required': true, 'maxlength': 64, 'autocomplete': 'off', 'spellcheck': 'false', 'data-testid': 'tenant-id' },
    '1 to 64 letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit. It cannot be changed later.');
  const name = field('Display name (optional)', { 'name': 'displayName', 'maxlength': 128, 'autocomplete': 'off', 'data-testid': 'tenant-display-name' });
  const submit = h('button', { 'type': 'submit', 'class': 'button button-primary', 'data-testid': 'create-tenant' }, 'Create tenant');
  const form = h('form', { 'class': 'form', 'novalidate': true, 'data-testid': 'create-tenant-form' },
    id.row, name.row, h('div', { class: 'button-row' }, submit), feedback.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    feedback.clear();
    const tenantId = id.input.value.trim();
    const displayName = name.input.value.trim() || undefined;
    if (!id.setError(matchesRule(TENANT_ID, tenantId) ? undefined
      : 'Enter 1 to 64 letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit.')) {
      id.input.focus();
      return;
    }
    void busy(submit, feedback, 'Creating the tenant', async () => {
      const tenant = await ctx.api.createTenant(tenantId, displayName);
      form.reset();
      feedback.success(`Tenant ${tenant.tenantId} created.`);
      await reload();
    });
  });
  return h('section', { 'class': 'card', 'aria-labelledby': 'create-tenant-title' },
    h('h2', { id: 'create-tenant-title' }, 'Create a tenant'),
    form,
  );
}
