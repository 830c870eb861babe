/**
 * Where the demo's vehicle photos show their defects: one layout per booking, deterministic from the
 * use case and booking id, shared by the two sides that must agree — the demo stream, whose predictions
 * carry these boxes as the model's regions (tools/local-stack/src/demo.ts), and the local painter, which paints a
 * stain, debris, a scratch or a dent inside each box of the return photo
 * (services/review-queue/src/sample-evidence.ts). So on the demo every drawn region has its defect.
 */
import { fnv1a32, mulberry32 } from './hash';

export type SampleDefectKind = 'stain' | 'debris' | 'scratch' | 'dent';

export interface SampleDefect {
  kind: SampleDefectKind;
  /** The box, as fractions of the photo's width and height (a region's shape). */
  x: number;
  y: number;
  width: number;
  height: number;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** One to three defects inside the seat (cleanliness) or the body panel (damage); never overlapping much. */
export function sampleDefects(useCase: string, booking: string): SampleDefect[] {
  const random = mulberry32(fnv1a32(`${useCase}/${booking}/layout`));
  const damage = /damage/.test(useCase);
  // The part of the scene a defect can sit on: the seat's backrest and cushion, or the door panels.
  const area = damage ? { x0: 0.08, x1: 0.92, y0: 0.4, y1: 0.8 } : { x0: 0.27, x1: 0.73, y0: 0.17, y1: 0.9 };
  const count = 1 + Math.floor(random() * 3);
  const out: SampleDefect[] = [];
  for (let i = 0; i < count * 4 && out.length < count; i += 1) {
    const kind: SampleDefectKind = damage ? (random() < 0.6 ? 'scratch' : 'dent') : random() < 0.7 ? 'stain' : 'debris';
    const width = kind === 'scratch' ? 0.16 + random() * 0.16 : 0.1 + random() * 0.1;
    const height = kind === 'scratch' ? 0.06 + random() * 0.06 : 0.1 + random() * 0.08;
    const x = area.x0 + random() * (area.x1 - area.x0 - width);
    const y = area.y0 + random() * (area.y1 - area.y0 - height);
    const box = { kind, x: r3(x), y: r3(y), width: r3(width), height: r3(height) };
    const overlaps = out.some((o) => box.x < o.x + o.width && o.x < box.x + box.width && box.y < o.y + o.height && o.y < box.y + box.height);
    if (!overlaps) out.push(box);
  }
  return out;
}
