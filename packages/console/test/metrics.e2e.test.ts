/// <reference lib="dom" />
/**
 * The metrics page in Chromium, fed by real events: the demo's predictions go through the five
 * services (processes on the emulators), simulated reviewers decide through the reviewer API (and
 * answer golden cases), the audit exporter writes the rows into BigQuery (the emulator), the metric
 * views read them, review-queue's refresh job stores a reading in Firestore, and the page draws a
 * chart for every success metric from `GET /api/metrics`, with the per-reviewer table and the
 * threshold recommendations. The run has an audit dataset of its own, so the views see only this
 * test's rows (the suite's other tests write theirs to `arbiter_audit`).
 * Screenshots: test-artifacts/console/metrics*.png (the README's copies are in packages/console/docs/).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { BigQueryDataset } from '@arbiter/contract';
import { bigQueryClient, demoGoldenSet, loadGoldenSet, newLocalIdentityKey, provisionBigQuery, publishDemo, signReviewerToken, simulateReviewers, type Services } from '@arbiter/local-stack';
import { startArbiterForTest, testEndpoints } from '@arbiter/testing';
import { waitUntil, policiesForRun, provisionRunProject, pubsub, root, signInAsPersona } from './support';

jest.setTimeout(60_000);

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(root, 'test-artifacts', 'console');
const suffix = `met${randomUUID().slice(0, 6)}`;
const dataset = `arbiter_audit_${suffix}`;

interface Chart {
  id: string;
  title: string;
  series: Array<{ key: string; values: Array<number | null> }>;
}
interface Page {
  readings: number;
  charts: Chart[];
  reviewers: Array<{ reviewerId: string; reviewedTotal: number; goldenReviews: number; kappa: number | null }>;
  thresholds: Array<{ useCase: string; reviewRateNow: number; reviewRateRecommended: number }>;
  errors: string[];
}

/** A chart has data when one of its lines has a value at some reading. */
const drawn = (chart: Chart): boolean => chart.series.some((s) => s.values.some((v) => v !== null));

describe('metrics page in Chromium, from views fed by real events', () => {
  const policies = policiesForRun(suffix);
  let services: Services;
  let baseUrl: string;
  let context: BrowserContext;
  let userDataDir: string;
  let leadToken = '';
  let page: Page | undefined;

  beforeAll(async () => {
    if (!existsSync(join(root, 'packages', 'console', 'dist', 'index.html'))) throw new Error('the console is not built: run pnpm build first');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-chromium.sh (pnpm test does)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const suite = testEndpoints();
    // The run's own audit dataset (tables here; the exporter creates the views at start).
    const bq = bigQueryClient(suite.projectId, suite.bigqueryEmulatorHost);
    await provisionBigQuery(bq, { dataset: { ...BigQueryDataset, id: dataset } });
    // The vehicle policies sample more in this run (blind reviews of automatic decisions, golden cases,
    // second opinions), so a short stream gives every quality metric data. Every automatic decision is
    // reviewed blind: the sample is drawn from the case id, which is random here, and the stream holds
    // only a few automatic vehicle decisions (3 in one run), so a rate of 0.5 left human alignment
    // without data one run in eight.
    for (const file of ['vehicle-cleanliness.yaml', 'vehicle-damage.yaml']) {
      const text = policies.text(file).replace(/blindReviewRate: [0-9.]+/, 'blindReviewRate: 1').replace(/goldenRate: [0-9.]+/, 'goldenRate: 0.3').replace(/doubleReviewRate: [0-9.]+/, 'doubleReviewRate: 0.3');
      if (!/blindReviewRate: 1\b/.test(text) || !/goldenRate: 0\.3/.test(text)) throw new Error(`${file}: the sampling rates moved; update this test`);
      policies.write(file, text);
    }
    const project = await provisionRunProject(suffix);
    const identityKey = await newLocalIdentityKey();
    services = await startArbiterForTest({
      projectId: project,
      policiesDir: policies.dir,
      identityKey,
      logDir: join(root, '.arbiter', 'logs', 'metrics-e2e'),
      env: { ARBITER_AUDIT_DATASET: dataset, ARBITER_METRICS_REFRESH: 'PT10S' },
    });
    baseUrl = services.urlOf('review-queue');
    leadToken = (await signInAsPersona(baseUrl, 'lead')).token;

    // Golden cases in this run's queues, then the demo's stream of every shipped use case.
    const goldenFile = join(mkdtempSync(join(tmpdir(), 'arbiter-metrics-golden-')), 'golden.ndjson');
    const golden = demoGoldenSet(12).map((g) => ({ ...g, queue: policies.queue(g.useCase === 'vehicle-cleanliness' ? 'cleanliness-review' : 'damage-review') }));
    writeFileSync(goldenFile, golden.map((g) => JSON.stringify(g)).join('\n'));
    await loadGoldenSet({ ...suite, projectId: project }, goldenFile);
    const client = pubsub(project);
    await publishDemo(client, { perUseCase: 10, seed: 20_261_207, now: new Date() });
    await client.close();

    // Reviewers work every queue (the policies' queue roles) until the metrics page has every chart.
    const queueRoles = [...new Set(readdirSync(policies.dir).flatMap((f) => [...readFileSync(join(policies.dir, f), 'utf8').matchAll(/roles: \[([^\]]*)\]/g)].flatMap((m) => (m[1] ?? '').split(',').map((r) => r.trim()).filter(Boolean))))];
    const mint = (sub: string, roles: string[]) => signReviewerToken(identityKey, sub, roles, { ttlSeconds: 3600 });
    page = await waitUntil(
      'a reading of the views with every metric, reviewer and threshold on the page',
      async () => {
        await simulateReviewers({ apiUrl: `${baseUrl}/api`, queueRoles, mint, maxMs: 60_000 });
        const r = await fetch(`${baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${leadToken}` } });
        const body = (await r.json()) as Page;
        if (r.status !== 200) throw new Error(`GET /api/metrics: ${r.status} ${JSON.stringify(body)}`);
        const missing = [...body.charts.filter((c) => !drawn(c)).map((c) => c.id), ...(body.reviewers.length ? [] : ['reviewers']), ...(body.thresholds.length ? [] : ['thresholds'])];
        // Thrown, so that a timeout says what was still missing at the last reading.
        if (missing.length) throw new Error(`${body.readings} reading(s), still without data: ${missing.join(', ')}; view errors: ${JSON.stringify(body.errors)}`);
        return body;
      },
      600_000,
    );
    userDataDir = mkdtempSync(join(tmpdir(), 'arbiter-metrics-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 960 },
    });
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await services?.stop();
    policies.cleanup();
  }, 60_000);

  it('draws a chart for every success metric, with per-reviewer quality and threshold recommendations', async () => {
    const api = page as Page;
    expect(api.errors).toEqual([]);
    // Every success metric of both seeds (the catalogue's thirteen) has a line with a value.
    expect(api.charts.map((c) => c.id).sort()).toEqual(['automatic_rate', 'batch_same_day', 'critical_path', 'false_positive_reduction', 'golden_accuracy', 'human_alignment', 'labelled_examples', 'override_rate', 'post_action', 'queue_kappa', 'reviewer_kappa', 'sla_adherence', 'sla_p95']);
    // The queues' lines are this run's queues: the rows came from this test's events.
    const sla = api.charts.find((c) => c.id === 'sla_adherence') as Chart;
    expect(sla.series.map((s) => s.key).some((key) => key.endsWith(`-${suffix}`))).toBe(true);
    expect(api.reviewers.some((r) => r.goldenReviews > 0)).toBe(true);
    expect(api.reviewers.some((r) => r.kappa !== null)).toBe(true);

    const browser = await context.newPage();
    const pageErrors: string[] = [];
    browser.on('pageerror', (e) => pageErrors.push(String(e)));
    await browser.goto(baseUrl);
    await browser.click('button.persona[data-persona="lead"]');
    await browser.waitForSelector('#queues-title, #lead-title');
    await browser.goto(`${baseUrl}/#/metrics`);
    await browser.waitForSelector('.metric-chart');
    // Each card holds a painted uPlot canvas (a chart with lines, not an empty card).
    await browser.waitForFunction(() => {
      const cards = [...document.querySelectorAll<HTMLElement>('.metric-chart')];
      return cards.length === 13 && cards.every((c) => Number(c.dataset.series) > 0 && (c.querySelector('canvas')?.width ?? 0) > 0);
    }, undefined, { timeout: 30_000 });
    const painted = await browser.$$eval('.metric-chart canvas', (canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) ink += 1;
        return ink;
      }),
    );
    expect(painted).toHaveLength(13);
    for (const ink of painted) expect(ink).toBeGreaterThan(100);
    expect(await browser.locator('[data-reviewer]').count()).toBe(api.reviewers.length);
    expect(await browser.locator('[data-use-case]').count()).toBe(api.thresholds.length);
    expect(pageErrors).toEqual([]);
    await browser.screenshot({ path: join(ARTIFACTS, 'metrics-full.png'), fullPage: true });
    // For the README: the first charts as a lead sees them, and the reviewers and thresholds.
    await browser.evaluate(() => window.scrollTo(0, 0));
    await browser.screenshot({ path: join(ARTIFACTS, 'metrics.png') });
    await browser.locator('[aria-labelledby="reviewers-title"]').screenshot({ path: join(ARTIFACTS, 'metrics-reviewers.png') });
    await browser.locator('[aria-labelledby="thresholds-title"]').screenshot({ path: join(ARTIFACTS, 'metrics-thresholds.png') });
  });
});
