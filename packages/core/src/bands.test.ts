import { assignBand, thresholdsFor } from './bands';
import { anAdrPolicy } from './builders.test-support';
import type { BandSpec } from './policy';

describe('thresholdsFor', () => {
  const bands = anAdrPolicy().bands;

  it('prefers the exact model version', () => {
    expect(thresholdsFor(bands, { name: 'cleanliness-vit', version: '2.3.0' })).toEqual({ high: 0.92, low: 0.65 });
  });

  it('falls back to the model’s * entry, then to the default', () => {
    expect(thresholdsFor(bands, { name: 'cleanliness-vit', version: '2.4.0' })).toEqual({ high: 0.95, low: 0.7 });
    expect(thresholdsFor(bands, { name: 'damage-detr', version: '2.3.0' })).toEqual({ high: 0.9, low: 0.6 });
  });

  it('prefers an exact version even when the * entry is listed first', () => {
    const spec: BandSpec = {
      ...bands,
      models: [
        { name: 'm', version: '*', high: 0.8, low: 0.5 },
        { name: 'm', version: '1', high: 0.99, low: 0.1 },
      ],
    };
    expect(thresholdsFor(spec, { name: 'm', version: '1' })).toEqual({ high: 0.99, low: 0.1 });
  });

  it('returns exactly { high, low }, a fresh object', () => {
    const t = thresholdsFor(bands, { name: 'cleanliness-vit', version: '2.3.0' });
    expect(Object.keys(t).sort()).toEqual(['high', 'low']);
    expect(t).not.toBe(bands.default);
    expect(thresholdsFor({ ...bands, models: undefined }, { name: 'x', version: '1' })).not.toBe(bands.default);
  });
});

describe('assignBand', () => {
  describe('HITL-OPT: >85% auto, 70–85% batch, <70% immediate ({ high: above, low: below })', () => {
    const t = { high: 0.85, low: 0.7 };
    const b: BandSpec['boundaries'] = { high: 'above', low: 'below' };
    it.each([
      [0.99, 'high'],
      [0.8500001, 'high'],
      [0.85, 'medium'],
      [0.78, 'medium'],
      [0.7, 'medium'],
      [0.6999999, 'low'],
      [0, 'low'],
    ])('%p → %s', (confidence, band) => {
      expect(assignBand(confidence, t, b)).toBe(band);
    });
  });

  describe('ADR-style at-or-above / at-or-below', () => {
    const t = { high: 0.9, low: 0.6 };
    const b: BandSpec['boundaries'] = { high: 'at-or-above', low: 'at-or-below' };
    it.each([
      [0.9, 'high'],
      [0.8999999, 'medium'],
      [0.6000001, 'medium'],
      [0.6, 'low'],
      [1, 'high'],
    ])('%p → %s', (confidence, band) => {
      expect(assignBand(confidence, t, b)).toBe(band);
    });
  });

  it('mixes the two boundary kinds independently', () => {
    expect(assignBand(0.85, { high: 0.85, low: 0.7 }, { high: 'at-or-above', low: 'below' })).toBe('high');
    expect(assignBand(0.7, { high: 0.85, low: 0.7 }, { high: 'above', low: 'at-or-below' })).toBe('low');
  });

  it('resolves overlapping thresholds towards high', () => {
    expect(assignBand(0.5, { high: 0.4, low: 0.6 }, { high: 'above', low: 'below' })).toBe('high');
  });
});
