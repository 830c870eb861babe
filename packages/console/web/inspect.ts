/**
 * Inspecting photos: one zoom/pan state shared by the photos of a comparison (baseline and return move
 * together), driven by click (zoom in at the point / back out), drag (pan), the wheel with Ctrl, and the
 * keyboard (`+` `-` `0`, Shift+arrows); and a full-screen compare dialog — side by side, a swipe
 * divider, or an overlay — with the same keys plus `1` `2` `3` for the mode and ←/→ for the divider.
 * Transforms are set through the CSSOM (the CSP forbids inline style attributes).
 */
import { h } from './dom';
import { clampView, zoomAt, type ZoomView } from './lib/zoom';

export class SyncedZoom {
  private readonly layers = new Set<HTMLElement>();
  view: ZoomView = { scale: 1, x: 0, y: 0 };

  add(layer: HTMLElement): void {
    this.layers.add(layer);
    this.paint(layer);
  }

  set(view: ZoomView): void {
    this.view = clampView(view);
    for (const layer of this.layers) {
      if (!layer.isConnected) this.layers.delete(layer);
      else this.paint(layer);
    }
  }

  /** Zoom by `factor` keeping the point (fx, fy) (fractions of the photo) where it is. */
  zoom(factor: number, fx = 0.5, fy = 0.5): void {
    this.set(zoomAt(this.view, factor, fx, fy));
  }

  /** Pan by a fraction of the photo. */
  pan(dx: number, dy: number): void {
    this.set({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
  }

  reset(): void {
    this.set({ scale: 1, x: 0, y: 0 });
  }

  private paint(layer: HTMLElement): void {
    const { scale, x, y } = this.view;
    layer.style.transform = scale === 1 ? '' : `translate(${(x * 100).toFixed(3)}%, ${(y * 100).toFixed(3)}%) scale(${scale})`;
    layer.closest('.photo')?.classList.toggle('zoomed', scale > 1);
  }
}

/** Mouse on a photo frame: click zooms in at the point (or back out), drag pans, Ctrl+wheel zooms. */
export function makeInspectable(frame: HTMLElement, zoom: SyncedZoom): void {
  const layer = frame.querySelector<HTMLElement>('.zoom-layer');
  if (!layer) return;
  zoom.add(layer);
  let drag: { x: number; y: number; moved: boolean; view: ZoomView } | undefined;
  const at = (event: MouseEvent): [number, number] => {
    const r = frame.getBoundingClientRect();
    return [(event.clientX - r.left) / r.width, (event.clientY - r.top) / r.height];
  };
  frame.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, moved: false, view: zoom.view };
    frame.setPointerCapture(event.pointerId);
  });
  frame.addEventListener('pointermove', (event) => {
    if (!drag || zoom.view.scale === 1) return;
    const r = frame.getBoundingClientRect();
    const dx = (event.clientX - drag.x) / r.width;
    const dy = (event.clientY - drag.y) / r.height;
    if (Math.abs(dx) + Math.abs(dy) > 0.01) drag.moved = true;
    if (drag.moved) zoom.set({ ...drag.view, x: drag.view.x + dx, y: drag.view.y + dy });
  });
  frame.addEventListener('pointerup', (event) => {
    const was = drag;
    drag = undefined;
    if (!was || was.moved) return;
    // A click: where the photo is looked at, zoom in there; zoomed, back out.
    const [fx, fy] = at(event);
    if (zoom.view.scale > 1) zoom.reset();
    else zoom.zoom(2.5, fx, fy);
  });
  frame.addEventListener('wheel', (event) => {
    if (!event.ctrlKey) return;
    event.preventDefault();
    const [fx, fy] = at(event);
    zoom.zoom(event.deltaY < 0 ? 1.25 : 0.8, fx, fy);
  }, { passive: false });
}

/** The shared zoom keys: `+`/`=` in, `-` out, `0` reset, Shift+arrows pan. True when the key was used. */
export function zoomKey(zoom: SyncedZoom, event: KeyboardEvent): boolean {
  if (event.key === '+' || event.key === '=') zoom.zoom(1.5);
  else if (event.key === '-' || event.key === '_') zoom.zoom(1 / 1.5);
  else if (event.key === '0') zoom.reset();
  else if (event.shiftKey && event.key.startsWith('Arrow')) {
    const step = 0.1 / zoom.view.scale;
    const d = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[event.key] ?? [0, 0];
    zoom.pan(d[0] as number, d[1] as number);
  } else return false;
  return true;
}

export type CompareMode = 'side' | 'swipe' | 'overlay';

/**
 * The full-screen compare of one pair: `figures` are the baseline and return figures as the case view
 * built them (cloned here). Modes: side by side, swipe (the return photo revealed up to a divider), or
 * overlay (the return photo over the baseline at an opacity). One zoom for both.
 */
export function openCompare(baseline: HTMLElement, other: HTMLElement, options: { regions: () => boolean; onRegions?: () => void; onClose?: () => void; mode?: CompareMode }): HTMLDialogElement {
  const zoom = new SyncedZoom();
  let mode: CompareMode = options.mode ?? 'side';
  let amount = 0.5; // divider position (swipe) or the return photo's opacity (overlay)
  const photoOf = (figure: HTMLElement): HTMLElement => {
    const photo = (figure.querySelector('.photo') as HTMLElement).cloneNode(true) as HTMLElement;
    const original = figure.querySelector('img');
    const img = photo.querySelector('img');
    // Opened before the photo arrived (e.g. by address): take it when it does.
    const take = (): void => {
      if (!img || !original?.getAttribute('src')) return;
      img.src = original.src;
      photo.classList.remove('loading');
    };
    if (original?.getAttribute('src') && original.complete) take();
    else original?.addEventListener('load', take, { once: true });
    photo.classList.remove('zoomed');
    (photo.querySelector('.zoom-layer') as HTMLElement | null)?.style.removeProperty('transform');
    return photo;
  };
  const left = photoOf(baseline);
  const right = photoOf(other);
  right.classList.add('compare-top');
  const stage = h('div', { class: 'compare-stage', 'data-mode': mode }, left, right);
  const divider = h('div', { class: 'compare-divider', 'aria-hidden': 'true' });
  left.appendChild(divider);
  const status = h('p', { class: 'compare-status', 'aria-live': 'polite' });
  const modeButton = (m: CompareMode, label: string, key: string) => h('button', { type: 'button', 'data-mode': m, 'aria-pressed': String(m === mode), 'aria-keyshortcuts': key, onclick: () => setMode(m) }, h('kbd', { 'aria-hidden': 'true' }, key), ` ${label}`);
  const buttons = [modeButton('side', 'Side by side', '1'), modeButton('swipe', 'Swipe', '2'), modeButton('overlay', 'Overlay', '3')];
  const close = h('button', { type: 'button', class: 'ghost', onclick: () => dialog.close() }, 'Close ', h('kbd', { 'aria-hidden': 'true' }, 'Esc'));
  const dialog = h(
    'dialog',
    { class: 'compare', 'aria-label': 'Compare baseline and return photos' },
    h('div', { class: 'compare-bar' }, h('div', { role: 'group', 'aria-label': 'Compare mode' }, buttons), status, close),
    stage,
  );
  const apply = (): void => {
    stage.setAttribute('data-mode', mode);
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.getAttribute('data-mode') === mode));
    const pct = `${Math.round(amount * 100)}%`;
    right.style.clipPath = mode === 'swipe' ? `inset(0 0 0 ${pct})` : '';
    right.style.opacity = mode === 'overlay' ? String(amount) : '';
    divider.style.left = pct;
    divider.hidden = mode !== 'swipe';
    for (const el of stage.querySelectorAll('.regions, .region-label')) el.toggleAttribute('hidden', !options.regions());
    status.textContent = mode === 'side' ? 'Side by side · + − 0 zoom, Shift+arrows pan' : mode === 'swipe' ? `Swipe at ${pct} · ← → move the divider` : `Return photo at ${pct} opacity · ← → change it`;
  };
  const setMode = (m: CompareMode): void => {
    mode = m;
    apply();
  };
  for (const photo of [left, right]) makeInspectable(photo, zoom);
  stage.addEventListener('pointermove', (event) => {
    if (mode !== 'swipe' || zoom.view.scale > 1 || !(event.buttons & 1)) return;
    const r = left.getBoundingClientRect();
    amount = Math.min(1, Math.max(0, (event.clientX - r.left) / r.width));
    apply();
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    let used = true;
    if (event.key === '1') setMode('side');
    else if (event.key === '2') setMode('swipe');
    else if (event.key === '3') setMode('overlay');
    else if (!event.shiftKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight') && mode !== 'side') {
      amount = Math.min(1, Math.max(0, amount + (event.key === 'ArrowLeft' ? -0.05 : 0.05)));
      apply();
    } else if (event.key.toLowerCase() === 'g') {
      options.onRegions?.();
      apply();
    } else used = zoomKey(zoom, event);
    if (used) event.preventDefault();
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    options.onClose?.();
  });
  document.body.appendChild(dialog);
  apply();
  dialog.showModal();
  (buttons[0] as HTMLButtonElement).focus();
  return dialog;
}
