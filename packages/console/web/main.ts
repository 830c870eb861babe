/** Entry: routes (#/signin, #/queues, #/case/<id>, #/batch/<queue>/<key>, #/lead, #/metrics), the global keyboard. */
import './styles.css';
import { createApp, leaveView, renderChrome, showHelp } from './app';
import { isTyping } from './dom';
import { batchView } from './views/batch';
import { caseView } from './views/case';
import { leadView } from './views/lead';
import { queuesView } from './views/queues';
import { signInView } from './views/signin';
import { settingsView } from './views/settings';

const main = document.getElementById('main') as HTMLElement;
const app = createApp(main, document.getElementById('toast') as HTMLElement);
(window as unknown as { arbiterConsole: unknown }).arbiterConsole = { metrics: app.metrics, next: app.next };

async function route(): Promise<void> {
  leaveView(app);
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const name = parts[0] || (app.session ? 'queues' : 'signin');
  if (!app.session && name !== 'signin') return void app.navigate('#/signin');
  if (name !== 'case') app.next.release(); // the reviewer stopped working cases: let the next one go
  renderChrome(app, document.getElementById('nav') as HTMLElement, document.getElementById('who') as HTMLElement, name);
  document.title = 'Arbiter — reviewer console';
  main.setAttribute('aria-busy', 'true');
  try {
    if (name === 'signin') signInView(app);
    else if (name === 'case' && parts[1]) await caseView(app, parts[1], params.get('queue') ?? undefined, params.get('compare') ?? undefined);
    else if (name === 'batch' && parts[1] && parts[2]) await batchView(app, parts[1], parts[2], params.get('compact') === '1');
    else if (name === 'lead') await leadView(app);
    else if (name === 'settings') settingsView(app);
    else if (name === 'metrics') await (await import('./views/metrics')).metricsView(app); // its own chunk: charts only for who opens them
    else await queuesView(app);
  } finally {
    main.removeAttribute('aria-busy');
  }
}

window.addEventListener('hashchange', () => void route());
document.addEventListener('keydown', (event) => {
  if (document.querySelector('dialog[open]')) return;
  if (event.key === '?' && !isTyping(event.target) && app.session) {
    event.preventDefault();
    showHelp(app);
    return;
  }
  // Z (or Ctrl+Z outside a text field): undo the last decision while its window is open.
  if (app.session && !isTyping(event.target) && event.key.toLowerCase() === 'z' && !event.altKey && !event.shiftKey && app.undoLast()) {
    event.preventDefault();
    return;
  }
  if (app.onKey?.(event)) event.preventDefault();
});
void route();
