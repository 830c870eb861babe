import { decode } from 'jpeg-js';
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
});
