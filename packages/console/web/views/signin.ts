/**
 * Sign-in: paste a token. Locally `pnpm mint-token` mints one with the same secret the API verifies; in
 * production the identity provider would put one here (or an identity-aware proxy in front). No
 * password form: the console never holds a secret that can mint tokens.
 */
import type { App } from '../app';
import { h, replace } from '../dom';

export function signInView(app: App): void {
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  const field = h('textarea', { id: 'token', name: 'token', rows: 4, required: true, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'token-help signin-error' });
  const form = h(
    'form',
    {
      class: 'card signin',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const problem = app.signIn(field.value);
        if (problem) {
          error.textContent = problem;
          field.setAttribute('aria-invalid', 'true');
          field.focus();
          return;
        }
        app.navigate(app.can.work || app.can.readAny ? '#/queues' : app.can.lead ? '#/lead' : '#/queues');
      },
    },
    h('h1', {}, 'Sign in to the reviewer console'),
    h('label', { for: 'token' }, 'Access token'),
    field,
    h(
      'p',
      { id: 'token-help', class: 'hint' },
      'Paste the token your identity provider issued. Locally, mint one with ',
      h('code', {}, 'pnpm mint-token --sub reviewer-17 --roles reviewer,cleanliness-reviewer --ttl 8h'),
      ' (add ',
      h('code', {}, 'lead'),
      ' for the lead view). It stays in this tab only.',
    ),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  replace(app.main, form);
  field.focus();
}
