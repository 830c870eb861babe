/**
 * Sample evidence for local runs: the demo stream (`pnpm start --demo`, tools/local-stack/src/demo.ts) refers to
 * photos at `gs://arbiter-demo-evidence/<useCase>/<booking>/<role>-<n>.jpg` that exist nowhere. The
 * local `EvidenceUrlSigner` links them under `/evidence/arbiter-demo-evidence/...`; when no file is
 * there, this module paints one, deterministically from the path: a car seat (cleanliness) or a car's
 * side panel (damage), the same scene for `baseline-<n>` and `return-<n>` of a booking, with stains,
 * debris, scratches or dents added on the return photo — each inside a box of `sampleDefects`, the
 * layout the demo's predictions carry as their regions, so the drawn regions sit on the defects. Encoded as a real JPEG (jpeg-js, pure JS), so
 * the `.jpg` name and `image/jpeg` type are honest. Production never uses this: evidence there is a
 * signed Cloud Storage URL.
 */
import { encode } from 'jpeg-js';
import { fnv1a32, mulberry32, sampleDefects, type SampleDefect } from '@arbiter/core';

/** The bucket the demo's evidence URIs name; only its paths are painted. */
export const SAMPLE_EVIDENCE_BUCKET = 'arbiter-demo-evidence';

export interface SampleImage {
  data: Buffer;
  mediaType: 'image/jpeg';
}

type Rgb = [number, number, number];

interface ParsedPath {
  useCase: string;
  booking: string;
  role: string;
  n: number;
}

/** `arbiter-demo-evidence/<useCase>/<booking>/<role>-<n>.jpg` → its parts; undefined for anything else. */
export function parseSamplePath(path: string): ParsedPath | undefined {
  const m = /^arbiter-demo-evidence\/([a-z0-9-]{1,64})\/([A-Za-z0-9._-]{1,64})\/([a-z]{1,32})-(\d{1,3})\.jpe?g$/.exec(path.replace(/^\/+/, ''));
  if (!m) return undefined;
  return { useCase: m[1] as string, booking: m[2] as string, role: m[3] as string, n: Number(m[4]) };
}

/** Cheap deterministic per-pixel noise in [-1, 1]. */
function noise(x: number, y: number, seed: number): number {
  let h = (Math.imul(x, 374761393) + Math.imul(y, 668265263) + seed) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
  return ((h ^ (h >>> 16)) & 0xffff) / 32767.5 - 1;
}

const clamp = (v: number, lo = 0, hi = 255): number => (v < lo ? lo : v > hi ? hi : v);
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const smooth = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Signed distance-ish to a rounded rectangle in normalised units (negative inside). */
function roundRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): number {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

interface Blob {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  phase: number;
  color: Rgb;
  alpha: number;
}

interface Stroke {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width: number;
  color: Rgb;
}

/** Inside-ness of an irregular blob in [0, 1] (soft edge), and whether near its rim. */
const OUTSIDE = { inside: 0, rim: 0 };

function blobCoverage(b: Blob, x: number, y: number, aspect: number): { inside: number; rim: number } {
  if (Math.abs(x - b.cx) > b.rx * 1.45 || Math.abs(y - b.cy) > b.ry * 1.45) return OUTSIDE;
  const dx = (x - b.cx) * aspect;
  const dy = y - b.cy;
  const angle = Math.atan2(dy, dx);
  const wobble = 1 + 0.22 * Math.sin(3 * angle + b.phase) + 0.12 * Math.sin(5 * angle + b.phase * 1.7);
  const d = Math.hypot(dx / (b.rx * aspect), dy / b.ry) / wobble;
  return { inside: 1 - smooth(0.85, 1.0, d), rim: smooth(0.7, 0.92, d) * (1 - smooth(0.92, 1.02, d)) };
}

function strokeCoverage(s: Stroke, px: number, py: number): number {
  const pad = s.width + 2;
  if (px < Math.min(s.x1, s.x2) - pad || px > Math.max(s.x1, s.x2) + pad || py < Math.min(s.y1, s.y2) - pad || py > Math.max(s.y1, s.y2) + pad) return 0;
  const vx = s.x2 - s.x1;
  const vy = s.y2 - s.y1;
  const t = Math.max(0, Math.min(1, ((px - s.x1) * vx + (py - s.y1) * vy) / (vx * vx + vy * vy || 1)));
  const d = Math.hypot(px - (s.x1 + t * vx), py - (s.y1 + t * vy));
  return 1 - smooth(s.width * 0.5, s.width * 0.5 + 1, d);
}

const FABRICS: Rgb[] = [
  [92, 96, 104],
  [150, 138, 118],
  [58, 66, 92],
  [112, 104, 98],
];
const PAINTS: Rgb[] = [
  [182, 186, 192],
  [226, 228, 231],
  [150, 32, 38],
  [34, 62, 118],
  [44, 46, 52],
  [64, 98, 80],
];

function paintInterior(buf: Uint8Array, w: number, h: number, scene: () => number, defects: () => number, layout: SampleDefect[], seed: number): void {
  const fabric = FABRICS[Math.floor(scene() * FABRICS.length)] as Rgb;
  const blobs: Blob[] = [];
  const crumbs: Blob[] = [];
  for (const d of layout) {
    const cx = d.x + d.width / 2;
    const cy = d.y + d.height / 2;
    if (d.kind === 'stain') {
      const dark = defects() < 0.5;
      blobs.push({ cx, cy, rx: d.width * 0.35, ry: d.height * 0.35, phase: defects() * 6.28, color: dark ? [70, 46, 28] : [118, 92, 54], alpha: 0.6 + defects() * 0.3 });
    } else {
      for (let i = 0; i < 30; i += 1) crumbs.push({ cx: cx + (defects() - 0.5) * d.width * 0.8, cy: cy + (defects() - 0.5) * d.height * 0.8, rx: 0.004 + defects() * 0.006, ry: 0.004 + defects() * 0.006, phase: defects() * 6.28, color: defects() < 0.5 ? [214, 196, 160] : [190, 150, 96], alpha: 0.95 });
    }
  }
  const aspect = w / h;
  for (let py = 0; py < h; py += 1) {
    const y = py / h;
    for (let px = 0; px < w; px += 1) {
      const x = px / w;
      // Cabin: dark, a bright window to the upper left.
      let c: Rgb = mix([46, 48, 54], [22, 23, 27], y);
      const window = 1 - smooth(-0.02, 0.03, roundRect(x, y, -0.1, -0.1, 0.2, 0.45, 0.06));
      c = mix(c, [168, 184, 200], window * 0.85);
      const headrest = roundRect(x, y, 0.39, 0.02, 0.61, 0.14, 0.04);
      const back = roundRect(x, y, 0.24, 0.12, 0.76, 0.64, 0.06);
      const cushion = roundRect(x, y, 0.16, 0.6, 0.84, 0.95, 0.07);
      const seat = Math.min(headrest, back, cushion);
      if (seat < 0.004) {
        const lit = cushion < 0 ? 1.08 : 1;
        const edge = smooth(-0.06, 0, seat);
        let f: Rgb = [fabric[0] * lit, fabric[1] * lit, fabric[2] * lit];
        f = mix(f, [f[0] * 0.55, f[1] * 0.55, f[2] * 0.55], edge);
        // Stitched channels on the backrest and cushion.
        const channel = Math.abs(((x - 0.24) * 6) % 1 - 0.5);
        if ((back < 0 || cushion < 0) && channel > 0.47) f = [f[0] * 0.78, f[1] * 0.78, f[2] * 0.78];
        const n = noise(px, py, seed) * 7;
        f = [f[0] + n, f[1] + n, f[2] + n];
        c = mix(c, f, 1 - smooth(0, 0.004, seat));
      }
      for (const b of blobs) {
        const cov = blobCoverage(b, x, y, aspect);
        if (cov.inside > 0) c = mix(c, [b.color[0] * 0.8, b.color[1] * 0.8, b.color[2] * 0.8], cov.rim * 0.5 * (seat < 0 ? 1 : 0));
        if (cov.inside > 0 && seat < 0) c = mix(c, b.color, cov.inside * b.alpha * (0.85 + noise(px, py, seed + 7) * 0.15));
      }
      for (const b of crumbs) {
        const cov = blobCoverage(b, x, y, aspect);
        if (cov.inside > 0 && seat < 0) c = mix(c, b.color, cov.inside * b.alpha);
      }
      const i = (py * w + px) * 4;
      buf[i] = clamp(c[0]);
      buf[i + 1] = clamp(c[1]);
      buf[i + 2] = clamp(c[2]);
      buf[i + 3] = 255;
    }
  }
}

function paintExterior(buf: Uint8Array, w: number, h: number, scene: () => number, defects: () => number, layout: SampleDefect[], seed: number): void {
  const paint = PAINTS[Math.floor(scene() * PAINTS.length)] as Rgb;
  const strokes: Stroke[] = [];
  const dents: Blob[] = [];
  for (const d of layout) {
    if (d.kind === 'scratch') {
      // Corner to corner of its box, rising or falling; three strands.
      const rising = defects() < 0.5;
      const ya = d.y + d.height * (rising ? 0.85 : 0.15);
      const yb = d.y + d.height * (rising ? 0.15 : 0.85);
      for (let k = 0; k < 3; k += 1) {
        const off = (k - 1) * 0.006;
        strokes.push({ x1: (d.x + 0.01 + off) * w, y1: (ya + off) * h, x2: (d.x + d.width - 0.01 + off) * w, y2: (yb + off) * h, width: k === 1 ? 2.2 : 1.1, color: [236, 236, 232] });
      }
    } else {
      dents.push({ cx: d.x + d.width / 2, cy: d.y + d.height / 2, rx: d.width * 0.45, ry: d.height * 0.45, phase: defects() * 6.28, color: [0, 0, 0], alpha: 0.5 });
    }
  }
  const aspect = w / h;
  for (let py = 0; py < h; py += 1) {
    const y = py / h;
    for (let px = 0; px < w; px += 1) {
      const x = px / w;
      let c: Rgb = y < 0.8 ? mix([150, 186, 222], [214, 226, 238], y / 0.8) : mix([88, 90, 94], [58, 60, 63], (y - 0.8) / 0.2);
      if (y >= 0.8) {
        const n = noise(px, py, seed) * 10;
        c = [c[0] + n, c[1] + n, c[2] + n];
      }
      const body = roundRect(x, y, 0.04, 0.34, 0.96, 0.84, 0.07);
      const cabin = roundRect(x, y, 0.2, 0.12, 0.78, 0.4, 0.08);
      const glass = roundRect(x, y, 0.24, 0.16, 0.74, 0.34, 0.05);
      if (Math.min(body, cabin) < 0.003) {
        let p: Rgb = paint;
        // Shading: a highlight band along the shoulder line, darker towards the sill.
        const band = Math.exp(-(((y - 0.46) / 0.035) ** 2));
        p = mix(p, [255, 255, 255], band * 0.35);
        p = mix(p, [p[0] * 0.6, p[1] * 0.6, p[2] * 0.6], smooth(0.6, 0.84, y));
        if (glass < 0) p = mix([38, 48, 60], [92, 108, 124], smooth(0.16, 0.34, y) * 0.6 + Math.max(0, 0.3 - Math.abs(x - y - 0.2)) );
        // Door seams and a handle.
        if (body < 0 && (Math.abs(x - 0.5) < 0.0025 || Math.abs(x - 0.27) < 0.0025)) p = [p[0] * 0.45, p[1] * 0.45, p[2] * 0.45];
        if (roundRect(x, y, 0.55, 0.5, 0.62, 0.525, 0.01) < 0) p = mix(p, [30, 30, 32], 0.7);
        for (const d of dents) {
          const dx = (x - d.cx) * aspect;
          const dy = y - d.cy;
          const r = Math.hypot(dx / (d.rx * aspect), dy / d.ry);
          if (r < 1) {
            const shade = (dx * 0.7 + dy * 0.7) / (d.rx * aspect);
            const k = (1 - r * r) * 0.55;
            p = shade > 0 ? mix(p, [p[0] * 0.45, p[1] * 0.45, p[2] * 0.45], k * Math.min(1, shade * 1.5)) : mix(p, [255, 255, 255], k * Math.min(1, -shade * 1.2) * 0.6);
          }
        }
        c = mix(c, p, 1 - smooth(0, 0.003, Math.min(body, cabin)));
      }
      // Wheels.
      for (const wx of [0.2, 0.8]) {
        const d = Math.hypot((x - wx) * aspect, y - 0.84);
        if (d < 0.16) c = mix(c, [18, 18, 20], 1 - smooth(0.15, 0.16, d));
        if (d < 0.075) c = mix(c, [170, 172, 176], 1 - smooth(0.07, 0.075, d));
        if (d < 0.02) c = [60, 62, 66];
      }
      if (body < 0) for (const s of strokes) {
        const cov = strokeCoverage(s, px, py);
        if (cov > 0) c = mix(c, s.color, cov * 0.9);
      }
      const i = (py * w + px) * 4;
      buf[i] = clamp(c[0]);
      buf[i + 1] = clamp(c[1]);
      buf[i + 2] = clamp(c[2]);
      buf[i + 3] = 255;
    }
  }
}

/**
 * The sample image for an evidence path under the local folder (`<bucket>/<object>`), or undefined
 * when the path is not one of the demo's. Same path, same bytes.
 */
export function renderSampleEvidence(path: string, width = 640, height = 480): SampleImage | undefined {
  const parsed = parseSamplePath(path);
  if (!parsed) return undefined;
  const sceneKey = `${parsed.useCase}/${parsed.booking}/${parsed.n}`;
  const scene = mulberry32(fnv1a32(sceneKey));
  const defects = mulberry32(fnv1a32(`${sceneKey}/defects`));
  const withDefects = parsed.role !== 'baseline' && parsed.role !== 'before';
  const layout = withDefects ? sampleDefects(parsed.useCase, parsed.booking) : [];
  const buf = new Uint8Array(width * height * 4);
  const seed = fnv1a32(`${sceneKey}/${parsed.role}`);
  if (/damage/.test(parsed.useCase)) paintExterior(buf, width, height, scene, defects, layout, seed);
  else paintInterior(buf, width, height, scene, defects, layout, seed);
  const jpeg = encode({ data: buf, width, height }, 82);
  return { data: Buffer.from(jpeg.data), mediaType: 'image/jpeg' };
}

/** A small cache of painted images (painting and encoding one takes tens of milliseconds). */
export class SampleEvidenceCache {
  private readonly entries = new Map<string, SampleImage>();

  constructor(private readonly capacity = 64) {}

  get(path: string): SampleImage | undefined {
    const hit = this.entries.get(path);
    if (hit) {
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit;
    }
    const image = renderSampleEvidence(path);
    if (!image) return undefined;
    this.entries.set(path, image);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return image;
  }
}
