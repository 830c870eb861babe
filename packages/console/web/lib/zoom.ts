/**
 * Zoom and pan of a photo as a pure value: `scale` ≥ 1 and the layer's offset (`x`, `y`, fractions of
 * the photo's width and height, ≤ 0) under `translate(x, y) scale(scale)` with the origin at the top
 * left. A point u of the photo (0–1) shows at x + scale · u.
 */
export interface ZoomView {
  scale: number;
  x: number;
  y: number;
}

export const MAX_SCALE = 8;

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Keeps the photo covering its frame: scale within 1…MAX_SCALE, no empty edge. */
export function clampView(v: ZoomView): ZoomView {
  const scale = clamp(Number.isFinite(v.scale) ? v.scale : 1, 1, MAX_SCALE);
  if (scale === 1) return { scale, x: 0, y: 0 };
  return { scale, x: clamp(v.x, 1 - scale, 0), y: clamp(v.y, 1 - scale, 0) };
}

/** Zooms by `factor` keeping the photo point under (fx, fy) of the frame where it is. */
export function zoomAt(v: ZoomView, factor: number, fx: number, fy: number): ZoomView {
  const scale = clamp(v.scale * factor, 1, MAX_SCALE);
  const ux = (fx - v.x) / v.scale;
  const uy = (fy - v.y) / v.scale;
  return clampView({ scale, x: fx - ux * scale, y: fy - uy * scale });
}
