/** Comfort settings (`#/settings`): per reviewer, in this browser. */
import type { App } from '../app';
import { h, replace } from '../dom';
import type { Prefs } from '../lib/prefs';

export function settingsView(app: App): void {
  const box = (key: keyof Prefs, label: string, hint: string) => {
    const id = `pref-${key}`;
    const input = h('input', { type: 'checkbox', id, name: key, checked: app.prefs[key], onchange: (e: Event) => app.setPrefs({ ...app.prefs, [key]: (e.target as HTMLInputElement).checked }) });
    return h('div', { class: 'field pref' }, input, h('label', { for: id }, label), h('p', { class: 'muted small' }, hint));
  };
  replace(
    app.main,
    h(
      'section',
      { class: 'card settings', 'aria-labelledby': 'settings-title' },
      h('h1', { id: 'settings-title' }, 'Comfort settings'),
      h('p', { class: 'muted' }, `For ${app.session?.sub ?? 'you'}, kept in this browser.`),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Photos'),
        box('blur', 'Blur photos until I point at them', 'Point at a photo, or press U on a case or batch, to see it clearly.'),
        box('greyscale', 'Show photos in greyscale until I point at them', 'Colour comes back when you point at it, or with U.'),
      ),
      h('fieldset', {}, h('legend', {}, 'Batch review'), box('compactBatch', 'Compact batches: ten cases on one screen', 'Smaller cards, one photo and the key facts each. Also: add ?compact=1 to a batch’s address.')),
    ),
  );
  (app.main.querySelector('input') as HTMLInputElement | null)?.focus();
}
