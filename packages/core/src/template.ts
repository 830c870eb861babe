/**
 * Approval templates: the markdown a policy carries (`templates[].markdown`, mustache placeholders such
 * as `{{context.component}}` or `{{confidencePercent}}`) rendered with a case's data.
 *
 * The output is markdown, so nothing is HTML-escaped here (the console sanitises when it turns the
 * markdown into HTML). A placeholder whose value is missing, null or empty renders as `—`, so a
 * reviewer sees that a field was not supplied instead of a silently blank line.
 *
 * Pure: no I/O, no clock, no environment.
 */
import { Writer, type Context } from 'mustache';
import type { CaseRouted, ModelRef, PredictionSubmitted, SubjectRef } from './events';
import type { Band, Policy, Thresholds } from './policy';
import { redact } from './paths';

/** What a missing value renders as. */
export const MISSING = '—';

/**
 * The data a template is rendered with. `CaseOpened` (and a case document that extends it) fits as is;
 * routing fields are optional so a template can be rendered before and after routing.
 */
export interface TemplateCase {
  caseId?: string;
  useCase?: string;
  policy?: { id: string; version: string };
  subject?: SubjectRef;
  model?: ModelRef;
  /** The assessed confidence; falls back to `prediction.prediction.confidence`. */
  confidence?: number;
  confidenceSource?: 'prediction' | 'factors';
  band?: Band;
  thresholds?: Thresholds;
  prediction: PredictionSubmitted;
  openedAt?: string;
  dueAt?: string;
  matchedPattern?: { caseId: string; similarity: number };
  routing?: Pick<CaseRouted, 'route' | 'reason'> & Partial<Pick<CaseRouted, 'queue' | 'dueAt' | 'priority'>>;
}

export interface FactorView {
  name: string;
  value: number;
  percent: string;
}

/** The view a template sees. Every key is always present (missing data is `undefined` → `—`). */
export interface TemplateView {
  caseId: string | undefined;
  useCase: string | undefined;
  policy: { id: string; version: string } | undefined;
  subject: SubjectRef | undefined;
  model: ModelRef | undefined;
  /** `name@version`. */
  modelRef: string | undefined;
  prediction: PredictionSubmitted['prediction'];
  label: string | undefined;
  confidence: number | undefined;
  /** `78%`, `85.5%`. */
  confidencePercent: string | undefined;
  confidenceSource: 'prediction' | 'factors' | undefined;
  band: Band | undefined;
  /** `High`, `Medium`, `Low`. */
  bandLabel: string | undefined;
  thresholds: (Thresholds & { highPercent: string; lowPercent: string }) | undefined;
  category: string | undefined;
  factors: Record<string, number> | undefined;
  /** The factors as a list, for `{{#factorList}}…{{/factorList}}`. */
  factorList: FactorView[];
  pattern: { features: Record<string, string | number | boolean> } | undefined;
  evidence: Array<{ uri: string; role: string | undefined; mediaType: string | undefined }>;
  evidenceCount: number;
  regionCount: number;
  context: Record<string, unknown>;
  matchedPattern: { caseId: string; similarity: number; similarityPercent: string } | undefined;
  /** Yes when the case was fast-tracked, No when routed otherwise, `—` before routing. */
  fastTrackApproved: boolean | undefined;
  /** Yes when the case was routed to a person, No otherwise, `—` before routing. */
  humanReviewRequired: boolean | undefined;
  queue: string | undefined;
  openedAt: string | undefined;
  dueAt: string | undefined;
  /** Batch templates only (see `batchTemplateView`). */
  batch: BatchView | undefined;
}

export interface BatchView {
  size: number;
  items: TemplateView[];
  /**
   * The items' contexts merged: booleans OR-ed (any item), arrays concatenated without duplicates,
   * other values collected without duplicates (one value stays a value, several become a list).
   */
  context: Record<string, unknown>;
  /** Numeric context fields summed over the items (`{{batch.sum.estimatedDevHours}}`). */
  sum: Record<string, number>;
  confidenceMinPercent: string | undefined;
  confidenceMaxPercent: string | undefined;
}

/** The top-level names a template may use; @arbiter/policy rejects templates that use others. */
export const TEMPLATE_VIEW_KEYS: readonly string[] = [
  'caseId',
  'useCase',
  'policy',
  'subject',
  'model',
  'modelRef',
  'prediction',
  'label',
  'confidence',
  'confidencePercent',
  'confidenceSource',
  'band',
  'bandLabel',
  'thresholds',
  'category',
  'factors',
  'factorList',
  'pattern',
  'evidence',
  'evidenceCount',
  'regionCount',
  'context',
  'matchedPattern',
  'fastTrackApproved',
  'humanReviewRequired',
  'queue',
  'openedAt',
  'dueAt',
  'batch',
];

/** `0.78` → `78%`, `0.855` → `85.5%`. */
export function formatPercent(unit: number): string {
  return `${Number((unit * 100).toFixed(1))}%`;
}

const BAND_LABELS: Record<Band, string> = { high: 'High', medium: 'Medium', low: 'Low' };

export function templateView(caseData: TemplateCase): TemplateView {
  const p = caseData.prediction;
  const model = caseData.model ?? p.model;
  const confidence = caseData.confidence ?? p.prediction?.confidence;
  const factors = p.factors;
  const routing = caseData.routing;
  const matched = caseData.matchedPattern;
  return {
    caseId: caseData.caseId,
    useCase: caseData.useCase ?? p.useCase,
    policy: caseData.policy,
    subject: caseData.subject ?? p.subject,
    model,
    modelRef: model ? `${model.name}@${model.version}` : undefined,
    prediction: p.prediction,
    label: p.prediction?.label,
    confidence,
    confidencePercent: confidence === undefined ? undefined : formatPercent(confidence),
    confidenceSource: caseData.confidenceSource,
    band: caseData.band,
    bandLabel: caseData.band ? BAND_LABELS[caseData.band] : undefined,
    thresholds: caseData.thresholds
      ? {
          ...caseData.thresholds,
          highPercent: formatPercent(caseData.thresholds.high),
          lowPercent: formatPercent(caseData.thresholds.low),
        }
      : undefined,
    category: p.category,
    factors,
    factorList: Object.entries(factors ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value, percent: formatPercent(value) })),
    pattern: p.pattern,
    evidence: (p.evidence ?? []).map((e) => ({ uri: e.uri, role: e.role, mediaType: e.mediaType })),
    evidenceCount: p.evidence?.length ?? 0,
    regionCount: p.prediction?.regions?.length ?? 0,
    context: { ...(p.context ?? {}) },
    matchedPattern: matched
      ? { ...matched, similarityPercent: formatPercent(matched.similarity) }
      : undefined,
    fastTrackApproved: routing ? routing.reason === 'fast-track' : undefined,
    humanReviewRequired: routing ? routing.route === 'review' : undefined,
    queue: routing?.queue,
    openedAt: caseData.openedAt,
    dueAt: caseData.dueAt ?? routing?.dueAt,
    batch: undefined,
  };
}

/**
 * The view for a batch template: the first case's view (cases in a batch share their group key), plus
 * `batch` with every item's view, merged contexts and sums.
 */
export function batchTemplateView(cases: readonly TemplateCase[]): TemplateView {
  const items = cases.map(templateView);
  const first = items[0];
  const base = first ?? templateView({ prediction: { useCase: '', subject: { type: '', id: '' }, model: { name: '', version: '' } } });
  const confidences = items.map((i) => i.confidence).filter((c): c is number => c !== undefined);
  return {
    ...base,
    batch: {
      size: items.length,
      items,
      context: mergeContexts(items.map((i) => i.context)),
      sum: sumContexts(items.map((i) => i.context)),
      confidenceMinPercent: confidences.length ? formatPercent(Math.min(...confidences)) : undefined,
      confidenceMaxPercent: confidences.length ? formatPercent(Math.max(...confidences)) : undefined,
    },
  };
}

function mergeContexts(contexts: Array<Record<string, unknown>>): Record<string, unknown> {
  const keys = [...new Set(contexts.flatMap((c) => Object.keys(c)))];
  const merged: Record<string, unknown> = {};
  for (const key of keys) {
    const values = contexts.map((c) => c[key]).filter((v) => v !== undefined && v !== null);
    if (values.length > 0 && values.every((v) => typeof v === 'boolean')) {
      merged[key] = values.some((v) => v === true);
      continue;
    }
    const distinct: unknown[] = [];
    const seen = new Set<string>();
    for (const v of values.flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [v]))) {
      const k = JSON.stringify(v);
      if (!seen.has(k)) {
        seen.add(k);
        distinct.push(v);
      }
    }
    const anyArray = values.some((v) => Array.isArray(v));
    merged[key] = distinct.length === 1 && !anyArray ? distinct[0] : distinct;
  }
  return merged;
}

function sumContexts(contexts: Array<Record<string, unknown>>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const c of contexts) {
    for (const [k, v] of Object.entries(c)) {
      if (typeof v === 'number' && Number.isFinite(v)) sums[k] = (sums[k] ?? 0) + v;
    }
  }
  return sums;
}

/** How one value appears in the markdown. */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'string') return value.trim() === '' ? MISSING : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : MISSING;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) {
    const parts = value.map(displayValue).filter((s) => s !== MISSING);
    return parts.length ? parts.join(', ') : MISSING;
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // A money amount as in predictions' `context.amount`.
    if (typeof o.value === 'number' && typeof o.currency === 'string' && Object.keys(o).length === 2) {
      return `${o.value.toFixed(2)} ${o.currency}`;
    }
    return JSON.stringify(value);
  }
  return MISSING;
}

/** A mustache writer that never escapes and renders missing values as `—`. */
class MarkdownWriter extends Writer {
  override escapedValue(token: string[], context: Context): string {
    return this.display(token, context);
  }

  override unescapedValue(token: string[], context: Context): string {
    return this.display(token, context);
  }

  private display(token: string[], context: Context): string {
    const value: unknown = context.lookup(token[1] ?? '');
    return displayValue(value);
  }
}

const writer = new MarkdownWriter();

/**
 * Renders a policy template. Throws only on a malformed template (unclosed section): @arbiter/policy
 * rejects those when it loads the policies, so a loaded template never throws.
 */
export function renderTemplate(markdown: string, view: TemplateView | Record<string, unknown>): string {
  return writer.render(markdown, view);
}

/** The names a template uses at its top level (outside sections), for checking against the view. */
export function templateNames(markdown: string): string[] {
  const names = new Set<string>();
  for (const token of writer.parse(markdown)) {
    const [type, name] = token as unknown as [string, string];
    if (type === 'name' || type === '&' || type === '{' || type === '#' || type === '^') names.add(name);
  }
  return [...names];
}

/**
 * The post-action report of an automatic approval (HITL-OPT "automatic approval with post-action
 * reporting"): the policy's `post-action-report` template rendered with the case, the policy's PII
 * paths redacted first. Undefined when the policy has no such template.
 */
export function postActionReportOf(policy: Pick<Policy, 'templates' | 'privacy'>, templateCase: TemplateCase): { title: string; markdown: string } | undefined {
  const spec = (policy.templates ?? []).find((t) => t.kind === 'post-action-report');
  if (spec === undefined) return undefined;
  const view = templateView({ ...templateCase, prediction: redact(templateCase.prediction, policy.privacy.redact) });
  return { title: spec.title, markdown: renderTemplate(spec.markdown, view) };
}
