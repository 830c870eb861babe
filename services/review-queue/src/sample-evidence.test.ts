import { decode } from 'jpeg-js';
import { sampleDefects } from '@arbiter/core';
import { parseSamplePath, renderSampleEvidence, SampleEvidenceCache } from './sample-evidence';

describe('sample evidence', () => {
  const base = 'arbiter-demo-evidence/vehicle-cleanliness/bk-20261121-0001/baseline-1.jpg';
  const ret = 'arbiter-demo-evidence/vehicle-cleanliness/bk-20261121-0001/return-1.jpg';

  it('paints only the demo bucket’s photo paths', () => {
    expect(parseSamplePath(base)).toEqual({ useCase: 'vehicle-cleanliness', booking: 'bk-20261121-0001', role: 'baseline', n: 1 });
    expect(parseSamplePath('evidence/bk-1/after-1.jpg')).toBeUndefined();
    expect(parseSamplePath('arbiter-demo-evidence/vehicle-damage/bk-1/return-1.png')).toBeUndefined();
    expect(renderSampleEvidence('arbiter-demo-evidence/../x/y/z-1.jpg')).toBeUndefined();
  });

  it('is a real JPEG, the same bytes for the same path, and the return photo differs from the baseline', () => {
    const a = renderSampleEvidence(base, 160, 120);
    const b = renderSampleEvidence(base, 160, 120);
    const r = renderSampleEvidence(ret, 160, 120);
    expect(a?.mediaType).toBe('image/jpeg');
    expect(a?.data.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(a?.data.equals(b?.data as Buffer)).toBe(true);
    expect(a?.data.equals(r?.data as Buffer)).toBe(false);
    expect(decode(a?.data as Buffer)).toMatchObject({ width: 160, height: 120 });
  });

  it('paints damage scenes too and caches what it painted', () => {
    const cache = new SampleEvidenceCache(1);
    const damage = 'arbiter-demo-evidence/vehicle-damage/bk-20261121-0002/return-2.jpg';
    const first = cache.get(damage);
    expect(first?.data.length).toBeGreaterThan(1000);
    expect(cache.get(damage)).toBe(first);
    expect(cache.get('nope/x.jpg')).toBeUndefined();
  });

  it('paints each defect inside its box of the layout the demo gives as regions (the return photo differs there, not elsewhere)', () => {
    for (const [useCase, booking] of [['vehicle-cleanliness', 'bk-20261121-0007'], ['vehicle-damage', 'bk-20261121-0008'], ['vehicle-cleanliness', 'bk-console-1a2b3c4d']] as const) {
      const layout = sampleDefects(useCase, booking);
      expect(layout.length).toBeGreaterThan(0);
      const w = 320;
      const h = 240;
      const before = decode(renderSampleEvidence(`arbiter-demo-evidence/${useCase}/${booking}/baseline-1.jpg`, w, h)?.data as Buffer);
      const after = decode(renderSampleEvidence(`arbiter-demo-evidence/${useCase}/${booking}/return-1.jpg`, w, h)?.data as Buffer);
      const diff = (px: number, py: number): number => {
        const i = (py * w + px) * 4;
        return Math.abs(before.data[i]! - after.data[i]!) + Math.abs(before.data[i + 1]! - after.data[i + 1]!) + Math.abs(before.data[i + 2]! - after.data[i + 2]!);
      };
      const inside = (px: number, py: number) => layout.some((d) => px >= d.x * w && px < (d.x + d.width) * w && py >= d.y * h && py < (d.y + d.height) * h);
      // Every box holds a visible change; outside the boxes only JPEG noise.
      for (const d of layout) {
        let changed = 0;
        for (let py = Math.floor(d.y * h); py < (d.y + d.height) * h; py += 1) for (let px = Math.floor(d.x * w); px < (d.x + d.width) * w; px += 1) if (diff(px, py) > 60) changed += 1;
        expect({ useCase, kind: d.kind, changed: changed > 20 }).toEqual({ useCase, kind: d.kind, changed: true });
      }
      let outsideChanged = 0;
      for (let py = 0; py < h; py += 1) for (let px = 0; px < w; px += 1) if (!inside(px, py) && diff(px, py) > 60) outsideChanged += 1;
      expect(outsideChanged).toBeLessThan(w * h * 0.002);
    }
  });
});
