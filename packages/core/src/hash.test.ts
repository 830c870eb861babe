import { fmix32, fnv1a32, inSample, mulberry32, unitInterval } from './hash';

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    // "é" is C3 A9 in UTF-8; hashing those two bytes by hand:
    let h = 0x811c9dc5;
    for (const byte of [0xc3, 0xa9]) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(h);
    expect(fnv1a32('😀')).not.toBe(fnv1a32('😁'));
  });
});

describe('fmix32', () => {
  it('matches MurmurHash3 fmix32 on known values', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });
});

describe('inSample', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `case-${i}`);

  it('is deterministic per key', () => {
    for (const id of ids.slice(0, 100)) expect(inSample(id, 0.3)).toBe(inSample(id, 0.3));
  });

  it('never samples at rate 0 and always at rate 1', () => {
    expect(ids.some((id) => inSample(id, 0))).toBe(false);
    expect(ids.every((id) => inSample(id, 1))).toBe(true);
  });

  it.each([0.05, 0.1, 0.5])('samples close to the rate %p, for sequential ids too', (rate) => {
    // 10 000 draws: the standard deviation of the share is at most 0.005; allow 3σ.
    const share = ids.filter((id) => inSample(id, rate)).length / ids.length;
    expect(Math.abs(share - rate)).toBeLessThan(0.015);
  });

  it('keeps samples of different salts independent', () => {
    const a = ids.filter((id) => inSample(`blind-review:${id}`, 0.5));
    const both = a.filter((id) => inSample(`double-review:${id}`, 0.5)).length / ids.length;
    expect(Math.abs(both - 0.25)).toBeLessThan(0.015);
  });

  it('maps into [0, 1)', () => {
    for (const id of ids.slice(0, 1000)) {
      const u = unitInterval(id);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for the same seed, in [0, 1), and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
    const other = mulberry32(43);
    expect(Array.from({ length: 100 }, () => other())).not.toEqual(first);
  });
});
