/** Registers a client; its secret is then shown once. */
import { matchesRule } from '../../../lib/private/contracts/ids';
import {
  CLIENT_NAME, MAX_ACCESS_TOKEN_VALIDITY_MINUTES as MAX_VALIDITY, MIN_ACCESS_TOKEN_VALIDITY_MINUTES as MIN_VALIDITY,
} from '../../../lib/private/contracts/portal-api';
import type { GrantableScope } from '../../../lib/private/contracts/web-ui';
import { busy, Feedback, field, pageTitle, secretPanel, takeSecret } from '../components';
import { h, hashHref, replace, uid } from '../dom';
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
    pageTitle('Register a client', h('p', { class: 'lead' }, 'For tenant ', h('strong', {}, tenantId),
      '. The client gets a secret, shown once after registration.')),
    feedback.el,
    content,
  );

  // One Idempotency-Key per submitted body: a retry of the same form (after
  // a network failure) cannot register the client twice.
  let attempt: { body: string; key: string } | undefined;

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
    if (attempt?.body !== json) attempt = { body: json, key: crypto.randomUUID() };
    const key = attempt.key;
    void busy(submit, feedback, 'Registering the client', async () => {
      const created = await ctx.api.registerClient(tenantId, body, key);
      attempt = undefined;
      if (!ctx.isCurrent()) return;
      if (!('clientSecret' in created)) {
        throw new Error(`Client ${created.name} was already registered: its secret is not shown again. Rotate its secret to get a new one.`);
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
