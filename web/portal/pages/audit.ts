/** The tenant's audit trail: who did what, newest first, 50 at a time. */
import type { AuditEntry } from '../../../lib/private/contracts/portal-api';
import { busy, errorAlert, Feedback, loading, pageTitle } from '../components';
import { h, replace, time } from '../dom';
import type { PageContext } from '../page';

function detailText(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}

function row(e: AuditEntry): HTMLTableRowElement {
  const detail = detailText(e.detail);
  return h('tr', { 'data-testid': 'audit-row' },
    h('td', { class: 'nowrap' }, time(e.at)),
    h('td', {}, e.actor),
    h('td', {}, h('code', { 'data-testid': 'audit-action' }, e.action)),
    h('td', {}, h('code', { class: 'small' }, e.requestId)),
    h('td', {}, detail ? h('code', { class: 'small wrap' }, detail) : h('span', { class: 'muted' }, '—')),
  );
}

export async function auditPage(ctx: PageContext, tenantId: string): Promise<void> {
  const feedback = new Feedback();
  const body = h('div', {}, loading('the audit trail'));
  replace(ctx.main,
    pageTitle('Audit trail', h('p', { class: 'lead' }, 'Every change to tenant ', h('strong', {}, ctx.tenantLabel(tenantId)),
      ' and its clients: who made it, when, and the request id to quote when asking about it.')),
    body,
  );

  let first: AuditEntry[];
  let nextToken: string | undefined;
  try {
    const page = await ctx.api.audit(tenantId);
    first = page.items;
    nextToken = page.nextToken;
  } catch (err) {
    if (ctx.isCurrent()) replace(body, errorAlert(err, 'Loading the audit trail'));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (first.length === 0) {
    replace(body, h('p', { class: 'empty' }, 'No changes recorded yet.'));
    return;
  }
  const rows = h('tbody', {}, ...first.map(row));
  const more = h('button', { 'type': 'button', 'class': 'button', 'data-testid': 'load-more' }, 'Load more');
  const count = h('p', { 'class': 'muted', 'role': 'status', 'aria-live': 'polite', 'data-testid': 'audit-count' });
  const showCount = () => {
    count.textContent = `${rows.children.length} ${rows.children.length === 1 ? 'entry' : 'entries'} shown${nextToken ? '' : ' (all)'}.`;
    more.hidden = !nextToken;
  };
  more.addEventListener('click', () => void busy(more, feedback, 'Loading more entries', async () => {
    const page = await ctx.api.audit(tenantId, nextToken);
    if (!ctx.isCurrent()) return;
    rows.append(...page.items.map(row));
    nextToken = page.nextToken;
    showCount();
  }));
  replace(body,
    h('div', { 'class': 'table-scroll', 'tabindex': '0', 'role': 'region', 'aria-label': 'Audit trail' },
      h('table', { 'class': 'table', 'data-testid': 'audit-table' },
        h('caption', { class: 'visually-hidden' }, `Audit trail of tenant ${tenantId}`),
        h('thead', {}, h('tr', {}, ...['Time', 'Actor', 'Action', 'Request id', 'Detail'].map((c) => h('th', { scope: 'col' }, c)))),
        rows,
      )),
    count,
    h('div', { class: 'button-row' }, more),
    feedback.el,
  );
  showCount();
}
