/**
 * Sign-in. The console never holds a secret and never asks for a pasted token; how a person signs in
 * depends on the identity mode the service runs (`GET /auth/config`):
 * - `local` (ARBITER_ENV=local only): pick one of the demo personas; the service's local identity
 *   provider issues its ID token (`POST /auth/local/sign-in`).
 * - `iap`: Identity-Aware Proxy has already signed the person in and vouches for every request, so the
 *   console only asks the API who that is (`GET /api/me`).
 * - `identity-platform`: for API clients with Identity Platform ID tokens; the console says to use the
 *   deployment's identity-aware proxy.
 */
import type { App } from '../app';
import { h, replace } from '../dom';
import { sessionFromMe, type Me } from '../lib/session';

interface Persona {
  id: string;
  sub: string;
  name: string;
  roles: string[];
  describes: string;
}

interface AuthConfig {
  mode: 'local' | 'iap' | 'identity-platform';
  personas?: Persona[];
}

const after = (app: App): void => app.navigate(app.can.work || app.can.readAny ? '#/queues' : app.can.lead ? '#/lead' : '#/queues');

export function signInView(app: App): void {
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  replace(app.main, h('section', { class: 'card signin', 'aria-busy': 'true' }, h('h1', {}, 'Sign in to the reviewer console'), error));
  void (async () => {
    let config: AuthConfig;
    try {
      const response = await fetch('/auth/config', { cache: 'no-store', headers: { accept: 'application/json' } });
      config = (await response.json()) as AuthConfig;
    } catch {
      error.textContent = 'The review service did not answer. Is it running?';
      return;
    }
    if (config.mode === 'local') return localSignIn(app, config.personas ?? []);
    if (config.mode === 'iap') return proxySignIn(app, error);
    error.textContent = 'This deployment identifies people with Identity Platform ID tokens for API clients; open the console through the identity-aware proxy of your organisation.';
  })();
}

function localSignIn(app: App, personas: Persona[]): void {
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  const signIn = async (persona: Persona, button: HTMLButtonElement): Promise<void> => {
    button.disabled = true;
    try {
      const response = await fetch('/auth/local/sign-in', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ persona: persona.id }), cache: 'no-store' });
      const body = (await response.json()) as { token?: string; error?: { message?: string } };
      if (!response.ok || !body.token) throw new Error(body.error?.message ?? `sign-in answered ${response.status}`);
      const problem = app.signIn(body.token);
      if (problem) throw new Error(problem);
      after(app);
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      button.disabled = false;
      button.focus();
    }
  };
  const buttons = personas.map((persona) => {
    const button: HTMLButtonElement = h(
      'button',
      { type: 'button', class: 'persona', 'data-persona': persona.id, 'aria-describedby': `persona-${persona.id}-does`, onclick: () => void signIn(persona, button) },
      h('span', { class: 'persona-name' }, persona.name),
      h('span', { class: 'persona-roles' }, persona.roles.join(' · ')),
    );
    return h('li', {}, button, h('p', { id: `persona-${persona.id}-does`, class: 'hint' }, persona.describes));
  });
  replace(
    app.main,
    h(
      'section',
      { class: 'card signin', 'aria-labelledby': 'signin-title' },
      h('h1', { id: 'signin-title' }, 'Sign in to the reviewer console'),
      h('p', { class: 'hint' }, 'Local sign-in: pick a demo persona. The service issues its ID token, signed with a local key; in production Identity-Aware Proxy signs you in instead. Only with ARBITER_ENV=local.'),
      h('ul', { class: 'personas' }, buttons),
      error,
    ),
  );
  (app.main.querySelector('button.persona') as HTMLButtonElement | null)?.focus();
}

async function proxySignIn(app: App, error: HTMLElement): Promise<void> {
  const response = await fetch('/api/me', { cache: 'no-store', headers: { accept: 'application/json' } });
  const body = (await response.json()) as Me & { error?: { message?: string } };
  if (!response.ok) {
    error.textContent = `The identity-aware proxy did not vouch for you: ${body.error?.message ?? response.statusText}. Reload the page to sign in again.`;
    return;
  }
  app.adopt(sessionFromMe(body));
  after(app);
}
