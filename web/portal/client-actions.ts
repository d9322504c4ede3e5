/**
 * What can be done to a client, from its row in the list or its own page:
 * rotate its secret (then confirm the rotation), suspend or resume it,
 * delete it. Each action reports to the page's Feedback and then reloads.
 */
import { busy, confirmDialog, Feedback, graceText, secretPanel, takeSecret } from './components';
import { Child, h, replace, time } from './dom';
import type { PageContext } from './page';
import type { Client } from '../../lib/private/contracts/portal-api';

export interface ActionHost {
  readonly ctx: PageContext;
  readonly feedback: Feedback;
  /** Where a new secret is shown. */
  readonly secretSlot: HTMLElement;
  /** Runs when the person dismisses a new secret's panel. */
  readonly onSecretDismissed?: () => void;
  /** Reloads the client(s) after a change. */
  reload(): Promise<void>;
}

function actionButton(label: string, client: Client, key: string, onClick: (b: HTMLButtonElement) => void, kind = ''): HTMLButtonElement {
  const b = h('button', {
    'type': 'button',
    'class': `button button-small ${kind}`.trim(),
    'aria-label': `${label}: ${client.name}`,
    'data-testid': key,
    // Suspend and Resume take each other's place: the focus follows.
    'data-focus-key': `${client.clientId}:${key === 'suspend' || key === 'resume' ? 'status' : key}`,
  }, label);
  b.addEventListener('click', () => onClick(b));
  return b;
}

/** Rotates the client's secret after the person confirms, then shows the new secret once in `host.secretSlot`. */
export async function rotate(client: Client, host: ActionHost): Promise<void> {
  const { ctx } = host;
  const hours = ctx.config.rotationGraceHours;
  const ok = await confirmDialog({
    title: `Rotate the secret of ${client.name}?`,
    body: [
      h('p', {}, 'A new secret is created and shown once.'),
      h('p', {}, `For ${hours} ${hours === 1 ? 'hour' : 'hours'} (the grace period), both the old and the new secret work, `
        + 'so you can deploy the new secret without downtime. After that, only the new secret works.'),
      h('p', {}, 'Once every caller uses the new secret, you can end the grace period early with "Confirm rotation".'),
    ],
    confirmLabel: 'Rotate secret',
  });
  if (!ok) return;
  const answer = await ctx.api.rotateSecret(client);
  if (!ctx.isCurrent()) return;
  const panel = secretPanel({
    title: `New secret for ${client.name}`,
    clientId: client.clientId,
    secret: takeSecret(answer),
    extra: [h('p', { 'data-testid': 'grace-until' }, ...graceText(answer.graceUntil))],
    onDismiss: host.onSecretDismissed,
    onLeave: ctx.onLeave,
  });
  replace(host.secretSlot, panel);
  host.feedback.success(`Secret of ${client.name} rotated: both secrets work for ${hours} ${hours === 1 ? 'hour' : 'hours'}.`);
  await host.reload();
  panel.querySelector('h2')?.focus();
}

async function confirmRotationNow(client: Client, oldSecretId: string, graceUntil: string, host: ActionHost): Promise<void> {
  const ok = await confirmDialog({
    title: `Confirm the rotation of ${client.name}?`,
    body: [
      h('p', {}, 'The old secret is deleted now and stops working at once, before the grace period ends (', time(graceUntil), ').'),
      h('p', {}, 'Do this only when every caller uses the new secret.'),
    ],
    confirmLabel: 'Confirm rotation',
    danger: true,
  });
  if (!ok) return;
  await host.ctx.api.deleteSecret(client, oldSecretId);
  host.feedback.success(`Rotation of ${client.name} confirmed: the old secret no longer works.`);
  await host.reload();
}

async function setStatus(client: Client, status: 'active' | 'suspended', host: ActionHost): Promise<void> {
  await host.ctx.api.patchClient(client, { status });
  host.feedback.success(status === 'suspended'
    ? `Client ${client.name} suspended: within the authorizer's cache times (a minute by default) the API refuses its calls, also with tokens issued before, until you resume it.`
    : `Client ${client.name} resumed.`);
  await host.reload();
}

async function remove(client: Client, host: ActionHost): Promise<void> {
  const ok = await confirmDialog({
    title: `Delete client ${client.name}?`,
    body: [
      h('p', {}, 'Client ', h('strong', {}, client.name), ' (', h('code', {}, client.clientId), ') is deleted: ',
        'its secrets stop working and it can no longer get tokens.'),
      h('p', {}, 'This cannot be undone.'),
    ],
    confirmLabel: 'Delete',
    danger: true,
  });
  if (!ok) return;
  await host.ctx.api.deleteClient(client);
  host.feedback.success(`Client ${client.name} deleted.`);
  await host.reload();
}

export interface ClientButtons {
  /** Rotate secret, Suspend or Resume, Delete (as the client's state allows). */
  readonly actions: HTMLButtonElement[];
  /** "Confirm rotation", while two secrets work. */
  readonly confirmRotation?: HTMLButtonElement;
}

/** The buttons for what can be done to `client` in its current state. */
export function clientButtons(client: Client, host: ActionHost): ClientButtons {
  const run = (action: string, work: () => Promise<void>) => (b: HTMLButtonElement) => {
    host.feedback.clear();
    void busy(b, host.feedback, action, work);
  };
  if (client.status !== 'active' && client.status !== 'suspended') return { actions: [] };
  const actions: HTMLButtonElement[] = [];
  if (client.rotation?.state !== 'in_progress') {
    actions.push(actionButton('Rotate secret', client, 'rotate', run(`Rotating the secret of ${client.name}`, () => rotate(client, host))));
  }
  actions.push(client.status === 'active'
    ? actionButton('Suspend', client, 'suspend', run(`Suspending ${client.name}`, () => setStatus(client, 'suspended', host)))
    : actionButton('Resume', client, 'resume', run(`Resuming ${client.name}`, () => setStatus(client, 'active', host))));
  actions.push(actionButton('Delete', client, 'delete', run(`Deleting ${client.name}`, () => remove(client, host)), 'button-danger-outline'));
  const rotation = client.rotation;
  const confirmRotation = rotation?.state === 'overlap'
    ? actionButton('Confirm rotation', client, 'confirm-rotation',
      run(`Confirming the rotation of ${client.name}`, () => confirmRotationNow(client, rotation.oldSecretId, rotation.graceUntil, host)))
    : undefined;
  return { actions, confirmRotation };
}

/** The rotation state in words. */
export function rotationText(client: Client): Child[] {
  const r = client.rotation;
  if (!r) return [client.lastRotatedAt ? h('span', {}, 'Last rotated ', time(client.lastRotatedAt)) : 'Never rotated'];
  if (r.state === 'in_progress') return [h('span', { 'class': 'badge badge-info', 'data-testid': 'rotation-state' }, 'rotation in progress')];
  return [
    h('span', { 'class': 'badge badge-warning', 'data-testid': 'rotation-state' }, 'two secrets'),
    ' ',
    h('span', { class: 'muted' }, 'the old one works until ', time(r.graceUntil)),
  ];
}
