/** The console's shell: session, API, navigation, toasts, the keyboard and the shortcut help. */
import { createApi, type Api } from './api';
import { h, replace } from './dom';
import { abilities, sessionFromToken, type Abilities, type Session } from './lib/session';

const STORAGE_KEY = 'arbiter.console.token';

export interface Shortcut {
  keys: string;
  does: string;
}

export interface App {
  api: Api;
  session?: Session;
  can: Abilities;
  main: HTMLElement;
  navigate(hash: string): void;
  toast(message: string, kind?: 'ok' | 'error' | 'info'): void;
  /** The current view's key handler; return true when the key was used. */
  onKey?: (event: KeyboardEvent) => boolean;
  /** Shortcuts the help dialog lists for the current view. */
  shortcuts: Shortcut[];
  /** Runs when the view is left (timers, listeners). */
  onLeave(fn: () => void): void;
  /** Local sign-in: the persona's ID token. */
  signIn(token: string): string | undefined;
  /** Sign-in by the proxy: the session `GET /api/me` described (no token). */
  adopt(session: Session): void;
  signOut(message?: string): void;
  /** Timings the browser tests read: the last decision's key press → next case shown, in ms. */
  metrics: { lastTransitionMs?: number; transitions: number[] };
}

const NO_ABILITIES: Abilities = { work: false, lead: false, readAny: false, decide: false };

export function createApp(main: HTMLElement, toastEl: HTMLElement): App {
  let leave: Array<() => void> = [];
  let toastTimer: number | undefined;
  const app: App = {
    api: createApi(
      () => app.session?.token,
      (message) => app.signOut(`Signed out: ${message}`),
    ),
    can: NO_ABILITIES,
    main,
    shortcuts: [],
    metrics: { transitions: [] },
    navigate(hash) {
      if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
      else location.hash = hash;
    },
    toast(message, kind = 'info') {
      toastEl.className = `toast toast-${kind} show`;
      toastEl.textContent = message;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(() => toastEl.classList.remove('show'), kind === 'error' ? 8000 : 4000);
    },
    onLeave(fn) {
      leave.push(fn);
    },
    signIn(token) {
      const r = sessionFromToken(token, Date.now());
      if (!r.ok) return r.reason;
      app.session = r.session;
      app.can = abilities(r.session);
      sessionStorage.setItem(STORAGE_KEY, token);
      return undefined;
    },
    adopt(session) {
      app.session = session;
      app.can = abilities(session);
    },
    signOut(message) {
      delete app.session;
      app.can = NO_ABILITIES;
      sessionStorage.removeItem(STORAGE_KEY);
      if (message) app.toast(message, 'error');
      app.navigate('#/signin');
    },
  };
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (stored) app.signIn(stored);
  (app as unknown as { runLeave: () => void }).runLeave = () => {
    for (const fn of leave) fn();
    leave = [];
    delete app.onKey;
    app.shortcuts = [];
  };
  return app;
}

export const leaveView = (app: App): void => (app as unknown as { runLeave: () => void }).runLeave();

/** The header: navigation by role, who is signed in, sign out. */
export function renderChrome(app: App, nav: HTMLElement, who: HTMLElement, route: string): void {
  const link = (hash: string, label: string) => h('a', { href: hash, 'aria-current': route === hash.slice(2).split('/')[0] ? 'page' : undefined }, label);
  replace(
    nav,
    app.session
      ? h('ul', {}, app.can.work || app.can.readAny ? h('li', {}, link('#/queues', 'Queues')) : null, app.can.lead ? h('li', {}, link('#/lead', 'Lead')) : null, h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => showHelp(app) }, 'Shortcuts ', h('kbd', {}, '?'))))
      : null,
  );
  replace(
    who,
    app.session
      ? [h('span', { class: 'who-name' }, app.session.sub), h('span', { class: 'who-roles' }, app.session.roles.join(' · ')), h('button', { type: 'button', class: 'ghost', onclick: () => app.signOut() }, 'Sign out')]
      : null,
  );
}

let helpDialog: HTMLDialogElement | undefined;

export function showHelp(app: App): void {
  helpDialog?.remove();
  const close = h('button', { type: 'button', onclick: () => helpDialog?.close() }, 'Close');
  const list = [...app.shortcuts, { keys: '?', does: 'Show this list' }, { keys: 'Esc', does: 'Close / clear the selection' }];
  helpDialog = h(
    'dialog',
    { class: 'help', 'aria-labelledby': 'help-title' },
    h('h2', { id: 'help-title' }, 'Keyboard shortcuts'),
    h('dl', {}, list.map((s) => [h('dt', {}, h('kbd', {}, s.keys)), h('dd', {}, s.does)])),
    close,
  );
  document.body.appendChild(helpDialog);
  helpDialog.showModal();
  close.focus();
}
