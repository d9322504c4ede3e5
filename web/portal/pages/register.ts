/** Registers a client; its secret is then shown once. */
import { matchesRule } from '../../../lib/private/contracts/ids';
import {
  CLIENT_NAME, MAX_ACCESS_TOKEN_VALIDITY_MINUTES as MAX_VALIDITY, MIN_ACCESS_TOKEN_VALIDITY_MINUTES as MIN_VALIDITY,
} from '../../../lib/private/contracts/portal-api';
import type { Client, RegisteredClient } from '../../../lib/private/contracts/portal-api';
import type { GrantableScope } from '../../../lib/private/contracts/web-ui';
import { ApiError, NetworkError } from '../api';
import { ActionHost, rotate } from '../client-actions';
import { busy, Feedback, field, pageTitle, secretPanel, takeSecret } from '../components';
import { badge, h, hashHref, replace, time, uid } from '../dom';
import type { PageContext } from '../page';

function scopeChoice(scope: GrantableScope): { row: HTMLElement; box: HTMLInputElement } {
  const id = uid('scope');
  const descId = `${id}-desc`;
  const box = h('input', {
    'type': 'checkbox',
    id,
    'name': 'scopes',
    'value': scope.name,
    'aria-describedby': scope.description ? descId : undefined,
    'data-testid': 'scope-checkbox',
  });
  const row = h('div', { class: 'checkbox' },
    box,
    h('div', {},
      h('label', { for: id }, h('code', {}, scope.name)),
      scope.description ? h('p', { id: descId, class: 'hint' }, scope.description) : null,
    ),
  );
  return { row, box };
}

/**
 * The answer to a repeated registration: the client exists, but its secret
 * was only in the answer to the registration that created it. `retry`: this
 * page sent the same request before (the same Idempotency-Key) and got no
 * answer, so that answer was lost; otherwise the client was registered
 * earlier with the same name, scopes and validity. Says so, and offers a
 * rotation, whose new secret is then shown once here.
 */
function registeredWithoutSecret(ctx: PageContext, client: Client, retry: boolean, content: HTMLElement, feedback: Feedback): void {
  const clientHref = hashHref('tenants', client.tenantId, 'clients', client.clientId);
  const titleId = uid('registered-title');
  const secretSlot = h('div', { class: 'secret-slot' });
  const rotateButton = h('button', { 'type': 'button', 'class': 'button button-primary', 'data-testid': 'rotate-for-secret' },
    'Rotate to get a secret');
  const notice = h('section', { 'class': 'card', 'aria-labelledby': titleId, 'data-testid': 'registered-without-secret' },
    h('h2', { id: titleId, tabindex: -1 }, `Client ${client.name} is registered`),
    retry
      ? h('p', {}, 'The portal registered it on your first attempt, but the answer, which carried the client\'s secret, did not reach this page. '
        + 'The secret is shown only in that answer and the portal keeps no copy, so it cannot be shown again.')
      : h('p', {}, 'It was registered before, with the same scopes and token validity, by ', h('code', {}, client.createdBy), ' (',
        time(client.createdAt), '). Its secret was shown only then and the portal keeps no copy, so it cannot be shown again.'),
    h('p', {}, 'To get a secret, rotate it: the client gets a new secret, shown here once.'),
    h('dl', { class: 'details' },
      h('dt', {}, 'Client id'), h('dd', {}, h('code', { 'data-testid': 'registered-client-id' }, client.clientId)),
      h('dt', {}, 'Status'), h('dd', {}, badge(client.status)),
    ),
    h('div', { class: 'button-row' }, rotateButton, h('a', { class: 'button', href: clientHref }, 'Go to the client')),
  );
  const host: ActionHost = {
    ctx,
    feedback,
    secretSlot,
    // The rotation answered with the client's new secret: the notice has done its job.
    reload: async () => notice.remove(),
    onSecretDismissed: () => ctx.navigate(clientHref),
  };
  rotateButton.addEventListener('click', () => {
    feedback.clear();
    void busy(rotateButton, feedback, `Rotating the secret of ${client.name}`, () => rotate(client, host));
  });
  replace(content, secretSlot, notice);
  feedback.success(retry ? `Client ${client.name} is registered; its secret was only in the answer that was lost.`
    : `Client ${client.name} was already registered; its secret is not shown again.`);
  notice.querySelector('h2')?.focus();
}

export function registerPage(ctx: PageContext, tenantId: string): void {
  const { config } = ctx;
  const feedback = new Feedback();
  const name = field('Name', { 'name': 'name', 'required': true, 'maxlength': 48, 'autocomplete': 'off', 'spellcheck': 'false', 'data-testid': 'client-name' },
    '1 to 48 letters, digits, hyphens or underscores, starting and ending with a letter or digit, e.g. orders-sync.');
  const validity = field('Access-token validity (minutes)', {
    'name': 'validity',
    'type': 'number',
    'required': true,
    'min': MIN_VALIDITY,
    'max': MAX_VALIDITY,
    'step': 1,
    'inputmode': 'numeric',
    'value': String(config.defaultAccessTokenValidityMinutes),
    'data-testid': 'client-validity',
  }, `How long each access token works: ${MIN_VALIDITY} to ${MAX_VALIDITY} minutes.`);
  const choices = config.grantableScopes.map(scopeChoice);
  const scopesError = h('p', { id: uid('scopes-error'), class: 'field-error', hidden: true });
  const scopes = h('fieldset', { 'class': 'field', 'data-testid': 'scopes' },
    h('legend', {}, 'Scopes'),
    h('p', { class: 'hint' }, 'Choose only what the client needs: each scope lets it call more of the APIs.'),
    choices.length > 0
      ? h('div', { class: 'checkbox-list' }, ...choices.map((c) => c.row))
      : h('p', { class: 'empty' }, 'No scopes may be granted in this portal: ask the platform team.'),
    scopesError,
  );
  const submit = h('button', { 'type': 'submit', 'class': 'button button-primary', 'data-testid': 'register-client' }, 'Register client');
  const form = h('form', { 'class': 'form', 'novalidate': true, 'data-testid': 'register-form' },
    name.row, scopes, validity.row,
    h('div', { class: 'button-row' }, submit, h('a', { class: 'button', href: hashHref('tenants', tenantId, 'clients') }, 'Cancel')),
  );
  const content = h('div', {}, form);
  replace(ctx.main,
    pageTitle('Register a client', h('p', { class: 'lead' }, 'For tenant ', h('strong', {}, ctx.tenantLabel(tenantId)),
      '. The client gets a secret, shown once after registration.')),
    feedback.el,
    content,
  );

  // One Idempotency-Key per submitted body: a retry of the same form (after
  // a network failure) cannot register the client twice.
  let attempt: { body: string; key: string; unanswered: boolean } | undefined;

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    feedback.clear();
    const nameValue = name.input.value.trim();
    const chosen = choices.filter((c) => c.box.checked).map((c) => c.box.value);
    const minutes = Number(validity.input.value);
    const checks = [
      name.setError(matchesRule(CLIENT_NAME, nameValue) ? undefined
        : 'Enter 1 to 48 letters, digits, hyphens or underscores, starting and ending with a letter or digit.'),
      ((): boolean => {
        const ok = chosen.length > 0;
        scopesError.textContent = ok ? '' : 'Choose at least one scope.';
        scopesError.hidden = ok;
        return ok;
      })(),
      validity.setError(Number.isInteger(minutes) && minutes >= MIN_VALIDITY && minutes <= MAX_VALIDITY ? undefined
        : `Enter a whole number of minutes from ${MIN_VALIDITY} to ${MAX_VALIDITY}.`),
    ];
    if (!checks.every(Boolean)) {
      const first = form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? (scopesError.hidden ? undefined : choices[0]?.box);
      first?.focus();
      return;
    }
    const body = { name: nameValue, scopes: chosen, accessTokenValidityMinutes: minutes };
    const json = JSON.stringify(body);
    if (attempt?.body !== json) attempt = { body: json, key: crypto.randomUUID(), unanswered: false };
    const current = attempt;
    // Sent before and never answered: a client "already registered" now is that request's.
    const retry = current.unanswered;
    void busy(submit, feedback, 'Registering the client', async () => {
      let created: RegisteredClient;
      try {
        created = await ctx.api.registerClient(tenantId, body, current.key);
      } catch (err) {
        // No answer, or API Gateway's timeout (the handler may have finished after it).
        if (err instanceof NetworkError || (err instanceof ApiError && err.status === 504)) current.unanswered = true;
        throw err;
      }
      attempt = undefined;
      if (!ctx.isCurrent()) return;
      if (!('clientSecret' in created)) {
        registeredWithoutSecret(ctx, created, retry, content, feedback);
        return;
      }
      const panel = secretPanel({
        title: `Client ${created.name} registered: its secret`,
        clientId: created.clientId,
        secret: takeSecret(created),
        extra: [h('p', {}, 'Next: ', h('a', { href: hashHref('tenants', tenantId, 'clients', created.clientId) },
          'see how to get a token with it'), ' (the secret disappears from this page when you leave it).')],
        onDismiss: () => ctx.navigate(hashHref('tenants', tenantId, 'clients', created.clientId)),
        onLeave: ctx.onLeave,
      });
      replace(content, panel);
      feedback.success(`Client ${created.name} registered.`);
      panel.querySelector('h2')?.focus();
    });
  });
}
