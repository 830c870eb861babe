import { chartsOf, METRICS, readingOf } from './metric-catalog';

describe('metrics catalog', () => {
  it('covers every success metric of both seeds, each on a metric view', () => {
    expect(METRICS.map((m) => m.id).sort()).toEqual(['automatic_rate', 'batch_same_day', 'critical_path', 'false_positive_reduction', 'golden_accuracy', 'human_alignment', 'labelled_examples', 'override_rate', 'post_action', 'queue_kappa', 'reviewer_kappa', 'sla_adherence', 'sla_p95']);
    for (const m of METRICS) {
      expect(m.view).toMatch(/^metrics_/);
      expect(m.sql).toContain('{view}');
    }
  });

  it('turns readings over time into one line per key with its target, aligned on the reading times', () => {
    const first = readingOf(1_000_000, { sla_adherence: [{ use_case: 'vehicle-cleanliness', queue: 'cleanliness-review', adherence: 0.9, target_share: 0.95, p95_seconds: 5400, target_seconds: 7200 }] });
    const second = readingOf(1_060_000, {
      sla_adherence: [
        { use_case: 'vehicle-cleanliness', queue: 'cleanliness-review', adherence: 0.97, target_share: 0.95 },
        { use_case: 'vehicle-damage', queue: 'damage-review', adherence: '0.5', target_share: 0.95 },
      ],
    });
    const charts = chartsOf([second, first]);
    expect(charts.map((c) => c.id)).toEqual(METRICS.map((m) => m.id));
    const sla = charts.find((c) => c.id === 'sla_adherence');
    expect(sla).toMatchObject({ unit: 'share', times: [1000, 1060] });
    expect(sla?.series).toEqual([
      { key: 'vehicle-cleanliness · cleanliness-review', values: [0.9, 0.97], target: 0.95 },
      { key: 'vehicle-damage · damage-review', values: [null, 0.5], target: 0.95 },
    ]);
    // A metric with nothing in its view: a chart with no lines.
    expect(charts.find((c) => c.id === 'golden_accuracy')?.series).toEqual([]);
  });

  it('reads P95 against each queue’s own target, in hours', () => {
    const p95 = METRICS.find((m) => m.id === 'sla_p95');
    const row = { use_case: 'vehicle-damage', queue: 'damage-review', p95_seconds: 1800, target_seconds: 3600 };
    expect([p95?.value(row), p95?.target(row)]).toEqual([0.5, 1]);
  });
});
