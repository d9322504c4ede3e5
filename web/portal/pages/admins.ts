/** A tenant's admins (people who manage its clients) and inviting one. */
import { matchesRule, USERNAME } from '../../../lib/private/contracts/ids';
import type { TenantAdmin } from '../../../lib/private/contracts/portal-api';
import { busy, confirmDialog, errorAlert, Feedback, field, loading, pageTitle } from '../components';
import { badge, h, replace } from '../dom';
import type { PageContext } from '../page';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Cognito's user statuses (UserStatusType) in words, with their badge's colour (which only repeats the words). */
const PERSON_STATUS: Readonly<Record<string, { readonly label: string; readonly tone: string }>> = {
  FORCE_CHANGE_PASSWORD: { label: 'Invitation pending', tone: 'info' },
  CONFIRMED: { label: 'Active', tone: 'success' },
  RESET_REQUIRED: { label: 'Password reset required', tone: 'warning' },
  UNCONFIRMED: { label: 'Not confirmed', tone: 'warning' },
  COMPROMISED: { label: 'Blocked: password compromised', tone: 'danger' },
  ARCHIVED: { label: 'Archived', tone: 'neutral' },
  EXTERNAL_PROVIDER: { label: 'Signs in through another provider', tone: 'neutral' },
  UNKNOWN: { label: 'Status unknown', tone: 'neutral' },
};

/** A person's status as a badge: words, with Cognito's own name kept in data-status (and as the text when it is new to the portal). */
function personStatus(status: string): HTMLElement {
  const known = PERSON_STATUS[status];
  return h('span', { 'class': `badge badge-${known?.tone ?? 'neutral'}`, 'data-testid': 'status-badge', 'data-status': status },
    known?.label ?? status);
}

export async function adminsPage(ctx: PageContext, tenantId: string): Promise<void> {
  const body = h('div', {}, loading('the admins'));
  const feedback = new Feedback();
  replace(ctx.main,
    pageTitle('Tenant admins', h('p', { class: 'lead' }, 'The people who manage the clients of tenant ', h('strong', {}, ctx.tenantLabel(tenantId)), '.')),
    feedback.el,
    body,
    inviteForm(ctx, tenantId, () => load()),
  );

  async function load(): Promise<void> {
    let admins: TenantAdmin[];
    try {
      admins = (await ctx.api.listAdmins(tenantId)).items;
    } catch (err) {
      if (ctx.isCurrent()) replace(body, errorAlert(err, 'Loading the admins'));
      return;
    }
    if (!ctx.isCurrent()) return;
    if (admins.length === 0) {
      replace(body, h('p', { 'class': 'empty', 'data-testid': 'no-admins' }, 'This tenant has no admins yet: invite one below.'));
      return;
    }
    replace(body, h('div', { 'class': 'table-scroll', 'tabindex': '0', 'role': 'region', 'aria-label': 'Tenant admins' },
      h('table', { 'class': 'table', 'data-testid': 'admins-table' },
        h('caption', { class: 'visually-hidden' }, `Admins of tenant ${tenantId}`),
        h('thead', {}, h('tr', {}, ...['Username', 'Email', 'Status', 'Sign-in', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...admins.map((a) => h('tr', { 'data-testid': 'admin-row', 'data-username': a.username },
          h('th', { scope: 'row' }, a.username),
          h('td', {}, a.email ?? h('span', { class: 'muted' }, '—')),
          h('td', {}, personStatus(a.status)),
          h('td', {}, badge(a.enabled ? 'enabled' : 'disabled', 'enabled-badge')),
          h('td', {}, removeButton(a)),
        ))),
      )),
    admins.some((a) => a.status === 'FORCE_CHANGE_PASSWORD')
      ? h('p', { 'class': 'hint table-note', 'data-testid': 'invitation-hint' }, 'Invitation pending: the person has not signed in yet. Their temporary '
        + 'password from the invitation e-mail works for 3 days; after that, remove them and invite them again.')
      : null);
  }
  function removeButton(admin: TenantAdmin): HTMLElement {
    const button: HTMLButtonElement = h('button', {
      'type': 'button', 'class': 'button button-danger-outline', 'data-testid': 'remove-admin', 'aria-label': `Remove: ${admin.username}`,
    }, 'Remove');
    button.addEventListener('click', () => void (async () => {
      feedback.clear();
      const ok = await confirmDialog({
        title: `Remove ${admin.username}?`,
        body: [
          h('p', {}, `${admin.username} is deleted from the portal's sign-in pool: they can no longer sign in, and their session ends `
            + 'when its current access token expires (at most 15 minutes).'),
          h('p', {}, 'The clients they registered and the audit trail stay. To give them access again, invite them anew.'),
        ],
        confirmLabel: 'Remove',
        danger: true,
      });
      if (!ok) return;
      await busy(button, feedback, `Removing ${admin.username}`, async () => {
        await ctx.api.removeAdmin(tenantId, admin.username);
        feedback.success(`Removed ${admin.username} from tenant ${tenantId}.`);
        await load();
      });
    })());
    return button;
  }

  await load();
}

function inviteForm(ctx: PageContext, tenantId: string, reload: () => Promise<void>): HTMLElement {
  const feedback = new Feedback();
  const username = field('Username', { 'name': 'username', 'required': true, 'maxlength': 128, 'autocomplete': 'off', 'spellcheck': 'false', 'data-testid': 'admin-username' },
    '1 to 128 letters, digits or _ . @ + -');
  const email = field('Email', { 'name': 'email', 'type': 'email', 'required': true, 'autocomplete': 'off', 'data-testid': 'admin-email' },
    'Cognito sends the temporary password to this address.');
  const submit = h('button', { 'type': 'submit', 'class': 'button button-primary', 'data-testid': 'invite-admin' }, 'Invite admin');
  const form = h('form', { 'class': 'form', 'novalidate': true, 'data-testid': 'invite-admin-form' },
    username.row, email.row, h('div', { class: 'button-row' }, submit), feedback.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    feedback.clear();
    const u = username.input.value.trim();
    const e = email.input.value.trim();
    const ok = [
      username.setError(matchesRule(USERNAME, u) ? undefined : 'Enter 1 to 128 letters, digits or _ . @ + -'),
      email.setError(EMAIL.test(e) ? undefined : 'Enter an email address, e.g. name@example.com.'),
    ];
    if (!ok.every(Boolean)) {
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    void busy(submit, feedback, 'Inviting the admin', async () => {
      const invited = await ctx.api.inviteAdmin(tenantId, u, e);
      form.reset();
      feedback.success(`Invited ${invited.username}: Cognito emailed a temporary password to ${invited.email}. `
        + 'At their first sign-in they choose their own password and set up an authenticator app for the sign-in codes.');
      await reload();
    });
  });
  return h('section', { 'class': 'card', 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title' }, 'Invite a tenant admin'),
    form,
  );
}
