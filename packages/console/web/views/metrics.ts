/**
 * Metrics (`#/metrics`, leads, admins, auditors): every success metric of both seeds as a chart over
 * time — one line per use case / queue / model version / reviewer, the target as a dashed line — read
 * from the audit dataset's views through `GET /api/metrics` (cached on the server); per-reviewer
 * throughput, golden accuracy and agreement; the threshold recommendations with their effect on the
 * review queue's load. Charts are uPlot (bundled, canvas).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { App } from '../app';
import { ApiError } from '../api';
import { h, replace } from '../dom';
import { percent } from '../lib/format';

interface Chart {
  id: string;
  title: string;
  seed: string;
  view: string;
  unit: 'share' | 'hours' | 'kappa' | 'count';
  targetText: string;
  times: number[];
  series: Array<{ key: string; values: Array<number | null>; target: number | null }>;
}

interface MetricsPage {
  generatedAt: string;
  refreshSeconds: number;
  readings: number;
  charts: Chart[];
  reviewers: Array<{ reviewerId: string; reviewedLast24h: number; reviewedTotal: number; goldenReviews: number; goldenAccuracy: number | null; belowGoldenBar: boolean; kappa: number | null; doubleReviewed: number }>;
  thresholds: Array<{ useCase: string; modelVersion: string; examples: number; currentHigh: number | null; recommendedHigh: number | null; precision: number | null; reviewRateNow: number; reviewRateRecommended: number; automaticRateRecommended: number; note: string }>;
  errors: string[];
}

const COLORS = ['#2f6fde', '#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#a6761d', '#444'];

const fmt = (unit: Chart['unit'], v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : unit === 'share' ? percent(v, 1) : unit === 'hours' ? `${v.toFixed(2)} h` : unit === 'kappa' ? v.toFixed(2) : String(Math.round(v));

export const mayViewMetrics = (roles: readonly string[]): boolean => roles.some((r) => r === 'lead' || r === 'admin' || r === 'auditor');

export async function metricsView(app: App): Promise<void> {
  if (!mayViewMetrics(app.session?.roles ?? [])) {
    replace(app.main, h('section', { class: 'card' }, h('h1', {}, 'Metrics'), h('p', { role: 'alert' }, 'The metrics page is for leads, admins and auditors.'), h('a', { href: '#/queues' }, 'Back to your queues')));
    return;
  }
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Reading the metric views…');
  const body = h('div', { class: 'metrics' });
  replace(app.main, h('section', { 'aria-labelledby': 'metrics-title' }, h('h1', { id: 'metrics-title' }, 'Decision quality'), status, body));
  const plots: uPlot[] = [];
  app.onLeave(() => plots.splice(0).forEach((p) => p.destroy()));

  const load = async (): Promise<void> => {
    let page: MetricsPage;
    try {
      page = await app.api.get<MetricsPage>('/metrics');
    } catch (error) {
      status.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
      return;
    }
    status.textContent = `From the audit dataset’s views · read ${new Date(page.generatedAt).toLocaleTimeString('en-GB')} (at most every ${page.refreshSeconds} s) · ${page.readings} reading${page.readings === 1 ? '' : 's'} over time${page.errors.length ? ` · ${page.errors.length} view(s) failed` : ''}`;
    body.setAttribute('data-generated-at', page.generatedAt);
    plots.splice(0).forEach((p) => p.destroy());
    const grid = h('div', { class: 'chart-grid' });
    replace(
      body,
      page.errors.length ? h('p', { class: 'error', role: 'alert' }, page.errors.join(' · ')) : null,
      grid,
      reviewersTable(page),
      thresholdsTable(page),
    );
    for (const chart of page.charts) grid.appendChild(chartCard(chart, plots));
  };
  await load();
  const timer = window.setInterval(() => void load(), 60_000);
  app.onLeave(() => window.clearInterval(timer));
  app.shortcuts = [];
}

function chartCard(chart: Chart, plots: uPlot[]): HTMLElement {
  const withData = chart.series.filter((s) => s.values.some((v) => v !== null));
  const latest = (s: Chart['series'][number]): number | null => [...s.values].reverse().find((v) => v !== null) ?? null;
  const plotBox = h('div', { class: 'chart' });
  const card = h(
    'figure',
    { class: 'card metric-chart', 'data-metric': chart.id, 'data-series': withData.length, 'data-points': chart.times.length },
    h('figcaption', {}, h('h2', {}, chart.title), h('p', { class: 'muted small' }, `${chart.seed} · target: ${chart.targetText} · view ${chart.view}`)),
    plotBox,
    // The same numbers as text (for screen readers and for reading exact values).
    withData.length
      ? h('table', { class: 'small chart-table' }, h('caption', { class: 'visually-hidden' }, `${chart.title}: latest values`), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Latest'), h('th', { scope: 'col' }, 'Target'))), h('tbody', {}, withData.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.key), h('td', { class: 'num' }, fmt(chart.unit, latest(s))), h('td', { class: 'num' }, fmt(chart.unit, s.target))))))
      : h('p', { class: 'muted small' }, 'No data yet: no events have reached this view.'),
  );
  // Draw once the card is in the page (uPlot measures nothing, but the canvas must exist to paint).
  requestAnimationFrame(() => {
    const targets = [...new Set(withData.map((s) => s.target).filter((t): t is number => t !== null))];
    const times = chart.times.length ? chart.times : [Math.round(Date.now() / 1000)];
    const data: uPlot.AlignedData = [times, ...withData.map((s) => s.values), ...targets.map((t) => times.map(() => t))];
    const width = Math.max(280, Math.floor(plotBox.getBoundingClientRect().width) || 420);
    const opts: uPlot.Options = {
      width,
      height: 200,
      series: [
        {},
        ...withData.map((s, i) => ({ label: s.key, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true, size: 5 }, value: (_u: uPlot, v: number | null) => fmt(chart.unit, v) })),
        ...targets.map((t) => ({ label: `target ${fmt(chart.unit, t)}`, stroke: '#c62828', width: 1.5, dash: [6, 4], points: { show: false } })),
      ],
      scales: { x: { time: true }, y: chart.unit === 'share' ? { range: [0, 1] } : chart.unit === 'kappa' ? { range: [-0.2, 1] } : {} },
      axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => fmt(chart.unit, t)), size: 72 }],
      legend: { show: true },
    };
    plots.push(new uPlot(opts, data, plotBox));
  });
  return card;
}

function reviewersTable(page: MetricsPage): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'reviewers-title' },
    h('h2', { id: 'reviewers-title' }, 'Reviewers'),
    page.reviewers.length === 0
      ? h('p', { class: 'muted' }, 'No reviews yet.')
      : h(
          'table',
          { class: 'reviewers-table' },
          h('thead', {}, h('tr', {}, ['Reviewer', 'Reviewed (24 h)', 'Reviewed (all)', 'Golden accuracy', 'Agreement κ'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            page.reviewers.map((r) =>
              h(
                'tr',
                { 'data-reviewer': r.reviewerId },
                h('th', { scope: 'row' }, r.reviewerId),
                h('td', { class: 'num' }, r.reviewedLast24h),
                h('td', { class: 'num' }, r.reviewedTotal),
                h('td', { class: `num${r.belowGoldenBar ? ' risk' : ''}` }, r.goldenAccuracy === null ? '—' : `${percent(r.goldenAccuracy, 1)} of ${r.goldenReviews}${r.belowGoldenBar ? ' (below the bar)' : ''}`),
                h('td', { class: 'num' }, r.kappa === null ? '—' : `${r.kappa.toFixed(2)} on ${r.doubleReviewed}`),
              ),
            ),
          ),
        ),
  );
}

function thresholdsTable(page: MetricsPage): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'thresholds-title' },
    h('h2', { id: 'thresholds-title' }, 'Threshold recommendations'),
    h('p', { class: 'muted small' }, 'The lowest high threshold whose automatic decisions would have reached 95 % precision on the cases people decided, and what it does to the review queue’s load.'),
    page.thresholds.length === 0
      ? h('p', { class: 'muted' }, 'No labelled outcomes yet.')
      : h(
          'table',
          { class: 'thresholds-table' },
          h('thead', {}, h('tr', {}, ['Use case', 'Model', 'Examples', 'High now', 'Recommended', 'Precision', 'Review load now → then', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            page.thresholds.map((t) =>
              h(
                'tr',
                { 'data-use-case': t.useCase },
                h('th', { scope: 'row' }, t.useCase),
                h('td', {}, t.modelVersion),
                h('td', { class: 'num' }, t.examples),
                h('td', { class: 'num' }, t.currentHigh === null ? '—' : percent(t.currentHigh)),
                h('td', { class: 'num' }, t.recommendedHigh === null ? 'none' : percent(t.recommendedHigh)),
                h('td', { class: 'num' }, t.precision === null ? '—' : percent(t.precision, 1)),
                h('td', { class: 'num' }, `${percent(t.reviewRateNow)} → ${percent(t.reviewRateRecommended)}`),
                h('td', { class: 'small' }, t.note),
              ),
            ),
          ),
        ),
  );
}
