/**
 * Building blocks shared by the pages: error alerts and status messages,
 * the confirmation dialog, the show-once secret panel, form fields.
 */
import { append, Child, h, replace, time, uid } from './dom';
import { describeError } from './error-text';

/** An error alert, announced as soon as it is shown: what failed and why, what to do, and the details support needs. */
export function errorAlert(err: unknown, action?: string): HTMLElement {
  const e = describeError(err);
  const title = action ? `${action} failed: ${e.title}` : e.title.charAt(0).toUpperCase() + e.title.slice(1);
  return h('div', { 'class': 'alert alert-error', 'role': 'alert', 'data-testid': 'error' },
    h('p', { class: 'alert-title' }, title),
    e.detail ? h('p', { 'data-testid': 'error-detail' }, e.detail) : null,
    e.advice ? h('p', { 'class': 'alert-advice', 'data-testid': 'error-advice' }, e.advice) : null,
    e.requestId ? h('p', { class: 'alert-meta' }, 'Request id: ', h('code', { 'data-testid': 'request-id' }, e.requestId)) : null,
    e.support ? h('details', { class: 'alert-meta' }, h('summary', {}, 'Details for support'),
      h('p', { 'data-testid': 'error-support' }, e.support)) : null,
  );
}

/**
 * The message area next to an action: a polite live region for successes and
 * a slot for error alerts.
 */
export class Feedback {
  readonly el: HTMLElement;
  private readonly status: HTMLElement;
  private readonly alerts: HTMLElement;

  /** @param testid the status region's data-testid ("status" for a page's main actions) */
  constructor(testid = 'status') {
    this.status = h('div', { 'class': 'status-message', 'role': 'status', 'aria-live': 'polite', 'data-testid': testid });
    this.alerts = h('div', { class: 'alerts' });
    this.el = h('div', { class: 'feedback' }, this.status, this.alerts);
  }

  success(message: string): void {
    this.alerts.replaceChildren();
    this.status.textContent = message;
  }

  error(err: unknown, action?: string): void {
    this.status.textContent = '';
    replace(this.alerts, errorAlert(err, action));
  }

  clear(): void {
    this.status.textContent = '';
    this.alerts.replaceChildren();
  }
}

/** The page's title (h1), focused on navigation so screen readers announce the page. */
export function pageTitle(title: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'page-head' },
    h('h1', { tabindex: -1 }, title),
    ...extra,
  );
}

export function loading(what: string): HTMLElement {
  return h('p', { 'class': 'loading', 'role': 'status', 'data-testid': 'loading' }, `Loading ${what}…`);
}

/**
 * Runs `action` with the button disabled, reporting a failure to `feedback`
 * (never swallowed).
 */
export async function busy(button: HTMLButtonElement, feedback: Feedback, action: string, work: () => Promise<void>): Promise<void> {
  // aria-disabled rather than disabled: a disabled button drops the keyboard focus.
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  button.setAttribute('aria-busy', 'true');
  try {
    await work();
  } catch (err) {
    feedback.error(err, action);
  } finally {
    button.removeAttribute('aria-disabled');
    button.removeAttribute('aria-busy');
  }
}

export interface ConfirmOptions {
  readonly title: string;
  readonly body: Child[];
  /** The confirm button's text, e.g. "Delete". */
  readonly confirmLabel: string;
  readonly danger?: boolean;
}

/** A modal `<dialog>`; resolves true when confirmed. Focus returns to where it was. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const titleId = uid('dialog-title');
  const bodyId = uid('dialog-body');
  const dialog = h('dialog', { 'class': 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId, 'data-testid': 'confirm-dialog' });
  const cancel = h('button', { 'type': 'button', 'class': 'button', 'data-testid': 'cancel' }, 'Cancel');
  const confirm = h('button', {
    'type': 'button',
    'class': options.danger ? 'button button-danger' : 'button button-primary',
    'data-testid': 'confirm',
  }, options.confirmLabel);
  append(dialog,
    h('h2', { id: titleId }, options.title),
    h('div', { id: bodyId, class: 'dialog-body' }, ...options.body),
    h('div', { class: 'button-row' }, cancel, confirm),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let confirmed = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      confirmed = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus();
      resolve(confirmed);
    });
    dialog.showModal();
    cancel.focus(); // the safe choice is the default
  });
}

/**
 * Takes the one-time secret out of an API answer (deletes the property), so
 * the only copy left is the one handed to secretPanel.
 */
export function takeSecret(answer: { clientSecret?: string }): string {
  const secret = answer.clientSecret;
  delete answer.clientSecret;
  if (typeof secret !== 'string' || secret.length === 0) throw new Error('the API answered without the client secret');
  return secret;
}

export interface SecretPanelOptions {
  readonly title: string;
  readonly clientId: string;
  readonly secret: string;
  readonly extra?: Child[];
  readonly onDismiss?: () => void;
  /** Called with a cleanup to run when the page is left. */
  readonly onLeave: (cleanup: () => void) => void;
}

/**
 * Shows a client secret once. The secret exists only in this panel's text
 * node: copying reads it from there, and dismissing the panel or leaving the
 * page blanks the node and removes the panel. It is never written to storage,
 * the URL or the console.
 */
export function secretPanel(options: SecretPanelOptions): HTMLElement {
  const titleId = uid('secret-title');
  const value = h('code', { 'class': 'secret-value', 'data-testid': 'client-secret' }, options.secret);
  const feedback = new Feedback('copy-status');
  const copy = h('button', { 'type': 'button', 'class': 'button button-primary', 'data-testid': 'copy-secret' }, 'Copy secret');
  const dismiss = h('button', { 'type': 'button', 'class': 'button', 'data-testid': 'dismiss-secret' }, 'I have stored the secret');
  const panel = h('section', { 'class': 'secret-panel', 'aria-labelledby': titleId, 'data-testid': 'secret-panel' },
    h('h2', { id: titleId, tabindex: -1 }, options.title),
    h('p', { class: 'secret-warning' },
      h('strong', {}, 'Copy this secret now: it will not be shown again. '),
      'Store it in your secret manager; the portal keeps no copy.'),
    h('dl', { class: 'details' },
      h('dt', {}, 'Client id'), h('dd', {}, h('code', { 'data-testid': 'secret-client-id' }, options.clientId)),
      h('dt', {}, 'Client secret'), h('dd', {}, value),
    ),
    ...(options.extra ?? []),
    h('div', { class: 'button-row' }, copy, dismiss),
    feedback.el,
  );
  const wipe = () => {
    value.textContent = '';
    panel.remove();
  };
  copy.addEventListener('click', () => {
    void busy(copy, feedback, 'Copying the secret', async () => {
      await navigator.clipboard.writeText(value.textContent ?? '');
      feedback.success('Secret copied to the clipboard.');
    });
  });
  // The listeners must not capture `options`: it holds the secret.
  const onDismiss = options.onDismiss;
  dismiss.addEventListener('click', () => {
    wipe();
    onDismiss?.();
  });
  options.onLeave(wipe);
  return panel;
}

/** A labelled text input with a hint and an error message wired through aria-describedby. */
export interface Field {
  readonly row: HTMLElement;
  readonly input: HTMLInputElement;
  /** Shows `message` as the field's error (or clears it when undefined); returns whether it is valid. */
  setError(message: string | undefined): boolean;
}

export function field(label: string, attrs: Record<string, string | number | boolean | undefined>, hint?: string): Field {
  const id = uid('field');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h('input', { id, 'class': 'input', ...attrs, 'aria-describedby': hint ? hintId : undefined });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const row = h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    input,
    error,
  );
  return {
    row,
    input,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = message === undefined;
      if (message === undefined) {
        input.removeAttribute('aria-invalid');
        input.setAttribute('aria-describedby', hint ? hintId : '');
        if (!hint) input.removeAttribute('aria-describedby');
      } else {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', hint ? `${errorId} ${hintId}` : errorId);
      }
      return message === undefined;
    },
  };
}

/** "Both secrets work until …" */
export function graceText(graceUntil: string): Child[] {
  return ['The old secret keeps working until ', time(graceUntil), '; after that, only the new secret works.'];
}
