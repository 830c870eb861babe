/** Entry: routes (#/signin, #/queues, #/case/<id>, #/batch/<queue>/<key>, #/lead), the global keyboard. */
import './styles.css';
import { createApp, leaveView, renderChrome, showHelp } from './app';
import { isTyping } from './dom';
import { batchView } from './views/batch';
import { caseView } from './views/case';
import { leadView } from './views/lead';
import { queuesView } from './views/queues';
import { signInView } from './views/signin';

const main = document.getElementById('main') as HTMLElement;
const app = createApp(main, document.getElementById('toast') as HTMLElement);
(window as unknown as { arbiterConsole: unknown }).arbiterConsole = { metrics: app.metrics };

async function route(): Promise<void> {
  leaveView(app);
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const name = parts[0] || (app.session ? 'queues' : 'signin');
  if (!app.session && name !== 'signin') return void app.navigate('#/signin');
  renderChrome(app, document.getElementById('nav') as HTMLElement, document.getElementById('who') as HTMLElement, name);
  document.title = 'Arbiter — reviewer console';
  main.setAttribute('aria-busy', 'true');
  try {
    if (name === 'signin') signInView(app);
    else if (name === 'case' && parts[1]) await caseView(app, parts[1], params.get('queue') ?? undefined);
    else if (name === 'batch' && parts[1] && parts[2]) await batchView(app, parts[1], parts[2]);
    else if (name === 'lead') await leadView(app);
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
  if (app.onKey?.(event)) event.preventDefault();
});
void route();
