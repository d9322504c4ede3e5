/**
 * Token-budget suspensions in the UI: why a client (or the whole tenant) is
 * refused for now, until when, and, for platform admins, "Lift" to end the
 * suspension early. The authorizer denies with the reason `token_budget`
 * while it lasts.
 */
import { busy, confirmDialog, Feedback } from './components';
import { Child, h, time } from './dom';
import type { PageContext } from './page';
import type { BudgetSuspension } from '../../lib/private/contracts/portal-api';

/** Why, in words: the budget crossed, in which window, and the count. */
export function suspensionReason(s: BudgetSuspension): string {
  const who = s.subject === 'tenant' ? 'the tenant\'s clients together' : 'it';
  return `Token budget exceeded: ${who} used ${s.count} new tokens this ${s.window === 'hour' ? 'hour' : 'day'} (UTC), `
    + `over the budget of ${s.budget} per ${s.window}.`;
}

/** The suspension as a short line: a badge, the reason, and its end. */
export function suspensionLine(s: BudgetSuspension): Child[] {
  return [
    h('span', { 'class': 'badge badge-warning', 'data-testid': 'budget-suspended' }, 'budget suspended'),
    ' ',
    h('span', { 'data-testid': 'budget-reason' }, suspensionReason(s)),
    ' ',
    h('span', { 'data-testid': 'budget-until' }, 'The API refuses its calls until ', time(s.until), '.'),
  ];
}

/** Whether the person may lift budget suspensions (platform admins only, as the routes). */
export const mayLift = (ctx: PageContext): boolean => ctx.me.role === 'platform-admin';

/** Asks, lifts with `lift`, reports to `feedback`, then runs `reload`. */
export function liftButton(
  label: string, what: string, feedback: Feedback, lift: () => Promise<unknown>, reload: () => Promise<void>,
): HTMLButtonElement {
  const b = h('button', { 'type': 'button', 'class': 'button button-small', 'data-testid': 'lift-budget-suspension', 'aria-label': `${label}: ${what}` }, label);
  b.addEventListener('click', () => {
    feedback.clear();
    void busy(b, feedback, `Lifting the budget suspension of ${what}`, async () => {
      const ok = await confirmDialog({
        title: `Lift the budget suspension of ${what}?`,
        body: [
          h('p', {}, 'The API accepts its tokens again within the authorizer\'s cache times (a minute by default).'),
          h('p', {}, 'Its token counts stay: the budget it crossed does not suspend it again in the same hour or day; the next one counts afresh.'),
        ],
        confirmLabel: 'Lift suspension',
      });
      if (!ok) return;
      await lift();
      feedback.success(`Budget suspension of ${what} lifted.`);
      await reload();
    });
  });
  return b;
}

/** The tenant-wide suspension, as a warning at the top of the tenant's pages (none while there is none). */
export function tenantSuspensionNotice(ctx: PageContext, tenantId: string, s: BudgetSuspension | undefined, feedback: Feedback,
  reload: () => Promise<void>): HTMLElement | null {
  if (!s) return null;
  return h('div', { 'class': 'alert alert-warning', 'data-testid': 'tenant-budget-suspension' },
    h('p', { class: 'alert-title' }, `Every client of tenant ${ctx.tenantLabel(tenantId)} is suspended by the tenant's token budget`),
    h('p', {}, ...suspensionLine(s)),
    mayLift(ctx) ? h('p', {}, liftButton('Lift', `tenant ${tenantId}`, feedback, () => ctx.api.liftTenantBudgetSuspension(tenantId), reload)) : null,
  );
}
