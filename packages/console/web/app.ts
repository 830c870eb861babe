/** The console's shell: session, API, navigation, toasts, the keyboard and the shortcut help. */
import { createApi, type Api } from './api';
import { h, replace } from './dom';
import { NextCase } from './next-case';
import { DEFAULT_PREFS, parsePrefs, prefsKey, type Prefs } from './lib/prefs';
import { abilities, sessionFromToken, type Abilities, type Session } from './lib/session';

const STORAGE_KEY = 'arbiter.console.token';

export interface Shortcut {
  keys: string;
  does: string;
}

export interface App {
  api: Api;
  /** The reviewer's comfort settings (this browser), applied as classes on <body>. */
  prefs: Prefs;
  setPrefs(prefs: Prefs): void;
  /** The next case, claimed and loaded ahead while the reviewer works on one. */
  next: NextCase;
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
  /**
   * Offers to undo the last decision until `until` (epoch ms, the server's window): a bar with a
   * button and `Z`. `run` undoes it on the server.
   */
  offerUndo(label: string, until: number, run: () => Promise<void>): void;
  /** Runs the offered undo, if one is still open (the `Z` key). */
  undoLast(): boolean;
  /** Local sign-in: the persona's ID token. */
  signIn(token: string): string | undefined;
  /** Sign-in by the proxy: the session `GET /api/me` described (no token). */
  adopt(session: Session): void;
  signOut(message?: string): void;
  /**
   * Timings the browser tests read: a decision's key press → the next case on screen with its photos
   * painted, in ms (and whether it had been loaded ahead).
   */
  metrics: { lastTransitionMs?: number; transitions: number[]; preloaded: boolean[] };
}

const NO_ABILITIES: Abilities = { work: false, lead: false, readAny: false, decide: false };

export function createApp(main: HTMLElement, toastEl: HTMLElement): App {
  let leave: Array<() => void> = [];
  let undoOffer: { until: number; run: () => Promise<void> } | undefined;
  let undoTimer: number | undefined;
  const undoBar = (): HTMLElement => {
    let bar = document.getElementById('undo');
    if (!bar) {
      bar = h('div', { id: 'undo', class: 'undo-bar', role: 'region', 'aria-label': 'Undo the last decision', 'aria-live': 'polite' });
      document.body.appendChild(bar);
    }
    return bar;
  };
  let toastTimer: number | undefined;
  const app: App = {
    api: createApi(
      () => app.session?.token,
      (message) => app.signOut(`Signed out: ${message}`),
    ),
    can: NO_ABILITIES,
    next: undefined as unknown as NextCase,
    prefs: { ...DEFAULT_PREFS },
    setPrefs(prefs) {
      app.prefs = prefs;
      if (app.session) localStorage.setItem(prefsKey(app.session.sub), JSON.stringify(prefs));
      applyPrefs(prefs);
    },
    main,
    shortcuts: [],
    metrics: { transitions: [], preloaded: [] },
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
    offerUndo(label, until, run) {
      undoOffer = { until, run };
      window.clearInterval(undoTimer);
      const bar = undoBar();
      const text = h('span', {});
      const button = h('button', { type: 'button', class: 'ghost', 'aria-keyshortcuts': 'z', onclick: () => void app.undoLast() }, 'Undo ', h('kbd', { 'aria-hidden': 'true' }, 'Z'));
      replace(bar, text, button);
      const tick = (): void => {
        const left = Math.ceil((until - Date.now()) / 1000);
        if (left <= 0) {
          bar.classList.remove('show');
          replace(bar);
          undoOffer = undefined;
          window.clearInterval(undoTimer);
          return;
        }
        text.textContent = `${label} · commits in ${left} s `;
      };
      tick();
      bar.classList.add('show');
      undoTimer = window.setInterval(tick, 250);
    },
    undoLast() {
      const offer = undoOffer;
      if (!offer || offer.until <= Date.now()) return false;
      undoOffer = undefined;
      window.clearInterval(undoTimer);
      const bar = undoBar();
      bar.classList.remove('show');
      replace(bar);
      void offer.run().catch((error: unknown) => app.toast(`Could not undo: ${error instanceof Error ? error.message : String(error)}`, 'error'));
      return true;
    },
    signIn(token) {
      const r = sessionFromToken(token, Date.now());
      if (!r.ok) return r.reason;
      app.session = r.session;
      app.can = abilities(r.session);
      sessionStorage.setItem(STORAGE_KEY, token);
      app.prefs = parsePrefs(localStorage.getItem(prefsKey(r.session.sub)));
      applyPrefs(app.prefs);
      return undefined;
    },
    adopt(session) {
      app.session = session;
      app.can = abilities(session);
      app.prefs = parsePrefs(localStorage.getItem(prefsKey(session.sub)));
      applyPrefs(app.prefs);
    },
    signOut(message) {
      app.next.release();
      applyPrefs(DEFAULT_PREFS);
      delete app.session;
      app.can = NO_ABILITIES;
      sessionStorage.removeItem(STORAGE_KEY);
      if (message) app.toast(message, 'error');
      app.navigate('#/signin');
    },
  };
  app.next = new NextCase(app.api, () => app.session?.token);
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

function applyPrefs(prefs: Prefs): void {
  document.body.classList.toggle('wellness-blur', prefs.blur);
  document.body.classList.toggle('wellness-grey', prefs.greyscale);
}

export const leaveView = (app: App): void => (app as unknown as { runLeave: () => void }).runLeave();

/** The header: navigation by role, who is signed in, sign out. */
export function renderChrome(app: App, nav: HTMLElement, who: HTMLElement, route: string): void {
  const link = (hash: string, label: string) => h('a', { href: hash, 'aria-current': route === hash.slice(2).split('/')[0] ? 'page' : undefined }, label);
  replace(
    nav,
    app.session
      ? h('ul', {}, app.can.work || app.can.readAny ? h('li', {}, link('#/queues', 'Queues')) : null, app.can.lead ? h('li', {}, link('#/lead', 'Lead')) : null, app.session.roles.some((r) => r === 'lead' || r === 'admin' || r === 'auditor') ? h('li', {}, link('#/metrics', 'Metrics')) : null, h('li', {}, link('#/settings', 'Settings')), h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => showHelp(app) }, 'Shortcuts ', h('kbd', {}, '?'))))
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
