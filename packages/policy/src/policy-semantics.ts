/**
 * The checks a JSON Schema cannot express: references between parts of a policy, customer-favorable
 * defaults, thresholds, calendars, durations, templates. Run on a document that passed the schema.
 */
import { Duration } from 'luxon';
import {
  TEMPLATE_VIEW_KEYS,
  templateNames,
  validatePriority,
  validateSla,
  type Band,
  type CalendarSpec,
  type Policy,
  type Thresholds,
} from '@arbiter/core';
import { jsonPath, type PathSegment } from './policy-error';

export interface SemanticProblem {
  path: string;
  code: string;
  message: string;
}

const BANDS: readonly Band[] = ['high', 'medium', 'low'];

/** The top-level fields of a prediction (`arbiter.prediction.submitted.v1`) a dotted path may start with. */
const PREDICTION_ROOTS = ['useCase', 'subject', 'model', 'prediction', 'evidence', 'category', 'factors', 'pattern', 'context'];

/** Reason codes with this scope are the policy's own (expiry, low-band default), not offered to reviewers. */
export const POLICY_SCOPE = 'policy';

const list = (xs: Iterable<string>): string => {
  const all = [...xs];
  return all.length ? all.join(', ') : '(none)';
};

export function semanticProblems(policy: Policy, fileId: string): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const add = (segments: readonly PathSegment[], code: string, message: string): void => {
    problems.push({ path: jsonPath(segments), code, message });
  };

  // --- identity -------------------------------------------------------------------------------
  if (policy.id !== fileId) {
    add(['id'], 'POLICY.ID_MISMATCH', `is "${policy.id}" but the file is ${fileId}.yaml; the id must equal the file name`);
  }

  // --- unique ids -----------------------------------------------------------------------------
  const unique = <T>(items: readonly T[], key: (t: T) => string, base: PathSegment[], field: string, what: string): void => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const first = seen.get(k);
      if (first !== undefined) add([...base, i, field], 'POLICY.DUPLICATE', `${what} "${k}" is already defined at ${jsonPath([...base, first])}`);
      else seen.set(k, i);
    });
  };
  unique(policy.outcomes, (o) => o.id, ['outcomes'], 'id', 'outcome');
  unique(policy.decisionOptions, (o) => o.id, ['decisionOptions'], 'id', 'decision option');
  unique(policy.batchOptions ?? [], (o) => o.id, ['batchOptions'], 'id', 'batch option');
  unique(policy.reasonCodes, (r) => r.code, ['reasonCodes'], 'code', 'reason code');
  unique(policy.queues, (q) => q.id, ['queues'], 'id', 'queue');
  unique(policy.bands.models ?? [], (m) => `${m.name}@${m.version}`, ['bands', 'models'], 'version', 'thresholds for model');
  unique(policy.templates ?? [], (t) => t.kind, ['templates'], 'kind', 'template kind');
  policy.queues.forEach((q, qi) => unique(q.priority.rules, (r) => r.id, ['queues', qi, 'priority', 'rules'], 'id', 'priority rule'));
  const decisionIds = new Set(policy.decisionOptions.map((o) => o.id));
  (policy.batchOptions ?? []).forEach((o, i) => {
    if (decisionIds.has(o.id)) {
      add(['batchOptions', i, 'id'], 'POLICY.DUPLICATE', `"${o.id}" is also a decision option id; reason codes name options by id, so give the batch option its own`);
    }
  });

  // --- references -----------------------------------------------------------------------------
  const outcomeIds = new Set(policy.outcomes.map((o) => o.id));
  const queueIds = new Set(policy.queues.map((q) => q.id));
  const reasonCodes = new Set(policy.reasonCodes.map((r) => r.code));
  const favorable = new Set(policy.outcomes.filter((o) => o.customerFavorable).map((o) => o.id));

  const outcome = (segments: PathSegment[], id: string): boolean => {
    if (outcomeIds.has(id)) return true;
    add(segments, 'POLICY.UNKNOWN_OUTCOME', `outcome "${id}" is not defined; add it to outcomes or use one of: ${list(outcomeIds)}`);
    return false;
  };
  const queue = (segments: PathSegment[], id: string): void => {
    if (!queueIds.has(id)) add(segments, 'POLICY.UNKNOWN_QUEUE', `queue "${id}" is not defined; add it to queues or use one of: ${list(queueIds)}`);
  };

  for (const [label, id] of Object.entries(policy.modelOutcome.byLabel)) outcome(['modelOutcome', 'byLabel', label], id);
  outcome(['modelOutcome', 'otherwise'], policy.modelOutcome.otherwise);

  for (const band of BANDS) {
    const action = policy.actions[band];
    if (action.route === 'review') {
      queue(['actions', band, 'queue'], action.queue);
      if (action.batch === true) {
        const q = policy.queues.find((x) => x.id === action.queue);
        if (q !== undefined && q.batch?.enabled !== true) {
          add(['actions', band, 'batch'], 'POLICY.BATCH_NOT_ENABLED', `the ${band} band is batched but queue "${action.queue}" has no enabled batch spec; add queues[].batch with enabled: true`);
        }
        if ((policy.batchOptions ?? []).length === 0) {
          add(['actions', band, 'batch'], 'POLICY.NO_BATCH_OPTIONS', `the ${band} band is batched but the policy has no batchOptions; add them`);
        }
      }
    } else if (action.route === 'default') {
      if (outcome(['actions', band, 'outcome'], action.outcome) && !favorable.has(action.outcome)) {
        add(['actions', band, 'outcome'], 'POLICY.NOT_CUSTOMER_FAVORABLE', `the ${band}-band default "${action.outcome}" is not customer-favorable; a default must favour the customer (no fee, defer): use one of ${list(favorable)}`);
      }
    }
  }
  queue(['alwaysHuman', 'queue'], policy.alwaysHuman.queue);

  policy.decisionOptions.forEach((o, i) => {
    if (o.kind === 'decide') {
      if (o.outcome === undefined) add(['decisionOptions', i, 'outcome'], 'POLICY.OUTCOME_MISSING', `option "${o.id}" decides the case, so it needs an outcome (one of: ${list(outcomeIds)})`);
      else outcome(['decisionOptions', i, 'outcome'], o.outcome);
    } else if (o.outcome !== undefined) {
      add(['decisionOptions', i, 'outcome'], 'POLICY.OUTCOME_NOT_ALLOWED', `option "${o.id}" requests evidence and keeps the case open; remove its outcome`);
    }
  });
  (policy.batchOptions ?? []).forEach((o, i) => outcome(['batchOptions', i, 'outcome'], o.outcome));

  // Shortcuts: one key, one option, across single-case and batch options.
  const shortcuts = new Map<string, string>();
  const shortcut = (segments: PathSegment[], key: string, id: string): void => {
    const other = shortcuts.get(key);
    if (other !== undefined) add(segments, 'POLICY.DUPLICATE_SHORTCUT', `shortcut "${key}" of "${id}" is already used by "${other}"; pick another key`);
    else shortcuts.set(key, id);
  };
  policy.decisionOptions.forEach((o, i) => shortcut(['decisionOptions', i, 'shortcut'], o.shortcut, o.id));
  (policy.batchOptions ?? []).forEach((o, i) => shortcut(['batchOptions', i, 'shortcut'], o.shortcut, o.id));

  // Reason codes: scopes name real options; every option that requires a reason has one.
  const optionIds = new Set([...decisionIds, ...(policy.batchOptions ?? []).map((o) => o.id)]);
  policy.reasonCodes.forEach((r, i) => {
    (r.appliesTo ?? []).forEach((id, j) => {
      if (id !== POLICY_SCOPE && !optionIds.has(id)) {
        add(['reasonCodes', i, 'appliesTo', j], 'POLICY.UNKNOWN_OPTION', `option "${id}" is not defined; use a decision or batch option id (${list(optionIds)}) or "${POLICY_SCOPE}"`);
      }
    });
  });
  const codesFor = (optionId: string): string[] =>
    policy.reasonCodes.filter((r) => (r.appliesTo ?? []).length === 0 || (r.appliesTo ?? []).includes(optionId)).map((r) => r.code);
  policy.decisionOptions.forEach((o, i) => {
    if (o.requiresReason && codesFor(o.id).length === 0) add(['decisionOptions', i, 'requiresReason'], 'POLICY.NO_REASON_CODE', `option "${o.id}" requires a reason but no reason code applies to it; add one with appliesTo: [${o.id}]`);
  });
  (policy.batchOptions ?? []).forEach((o, i) => {
    if (o.requiresReason && codesFor(o.id).length === 0) add(['batchOptions', i, 'requiresReason'], 'POLICY.NO_REASON_CODE', `batch option "${o.id}" requires a reason but no reason code applies to it; add one with appliesTo: [${o.id}]`);
  });

  // Approval inputs: a checklist or conditions input needs the policy's list to answer from; an
  // evidence request takes none (it decides nothing).
  unique(policy.approval?.checklist ?? [], (c) => c.id, ['approval', 'checklist'], 'id', 'checklist item');
  unique(policy.approval?.conditions ?? [], (c) => c.code, ['approval', 'conditions'], 'code', 'condition');
  const inputsOf = (inputs: Policy['decisionOptions'][number]['inputs'], base: PathSegment[], id: string, decides: boolean): void => {
    if (!inputs) return;
    if (!decides) add([...base, 'inputs'], 'POLICY.INPUTS_NOT_ALLOWED', `option "${id}" requests evidence and decides nothing; remove its inputs`);
    if (inputs.checklist && !policy.approval?.checklist) add([...base, 'inputs', 'checklist'], 'POLICY.NO_CHECKLIST', `option "${id}" asks for the checklist but the policy has none; add approval.checklist (the template's "Approval Required For" items)`);
    if (inputs.conditions && !policy.approval?.conditions) add([...base, 'inputs', 'conditions'], 'POLICY.NO_CONDITIONS', `option "${id}" asks for conditions but the policy has none; add approval.conditions`);
  };
  policy.decisionOptions.forEach((o, i) => inputsOf(o.inputs, ['decisionOptions', i], o.id, o.kind === 'decide'));
  (policy.batchOptions ?? []).forEach((o, i) => inputsOf(o.inputs, ['batchOptions', i], o.id, true));

  // --- confidence, bands, fast-track --------------------------------------------------------------
  const factors = policy.confidence.factors;
  if (policy.confidence.method !== 'prediction' && factors === undefined) {
    add(['confidence', 'factors'], 'POLICY.FACTORS_MISSING', `method ${policy.confidence.method} weighs factors, so name them with their weights`);
  }
  if (policy.confidence.method === 'prediction' && factors !== undefined) {
    add(['confidence', 'factors'], 'POLICY.FACTORS_UNUSED', 'method prediction ignores factors; remove them or use prediction-or-factors');
  }

  const thresholds = (segments: PathSegment[], t: Thresholds): void => {
    if (t.low > t.high) {
      add(segments, 'POLICY.THRESHOLDS_INVERTED', `low ${t.low} is above high ${t.high}; low must be at most high`);
    } else if (t.low === t.high && policy.bands.boundaries.high === 'at-or-above' && policy.bands.boundaries.low === 'at-or-below') {
      add(segments, 'POLICY.THRESHOLDS_OVERLAP', `low and high are both ${t.low} and both boundaries include it; make one boundary strict`);
    }
  };
  thresholds(['bands', 'default'], policy.bands.default);
  (policy.bands.models ?? []).forEach((m, i) => thresholds(['bands', 'models', i], m));

  const ft = policy.fastTrack;
  if (ft !== undefined) {
    outcome(['fastTrack', 'outcome'], ft.outcome);
    ft.approvedOutcomes.forEach((id, i) => outcome(['fastTrack', 'approvedOutcomes', i], id));
    if (factors !== undefined) {
      for (const name of Object.keys(ft.requireFactors ?? {})) {
        if (!(name in factors)) add(['fastTrack', 'requireFactors', name], 'POLICY.UNKNOWN_FACTOR', `factor "${name}" is not one of confidence.factors (${list(Object.keys(factors))})`);
      }
    }
  }

  // --- queues: SLA, calendar, priority, batch ----------------------------------------------------
  policy.queues.forEach((q, qi) => {
    const at = (...rest: PathSegment[]): PathSegment[] => ['queues', qi, ...rest];
    const expiry = q.sla.expiry;
    if (outcome(at('sla', 'expiry', 'outcome'), expiry.outcome) && !favorable.has(expiry.outcome)) {
      add(at('sla', 'expiry', 'outcome'), 'POLICY.NOT_CUSTOMER_FAVORABLE', `an expired case gets "${expiry.outcome}", which is not customer-favorable; nobody decided, so use one of ${list(favorable)}`);
    }
    if (!reasonCodes.has(expiry.reasonCode)) {
      add(at('sla', 'expiry', 'reasonCode'), 'POLICY.UNKNOWN_REASON_CODE', `reason code "${expiry.reasonCode}" is not defined; add it to reasonCodes (appliesTo: [${POLICY_SCOPE}])`);
    }
    if (q.sla.offHours === 'on-call' && q.sla.onCallTarget === undefined) {
      add(at('sla', 'onCallTarget'), 'POLICY.ON_CALL_TARGET_MISSING', 'offHours is on-call, so say how long on-call has (e.g. PT1H)');
    }
    for (const f of validateSla(q.sla, q.calendar)) add(at(...calendarOrSlaPath(f.code)), f.code, f.message);
    overlappingIntervals(q.calendar).forEach((m) => add(at('calendar', 'weekly', m.day), 'CALENDAR.OVERLAP', m.message));
    const target = millis(q.sla.target);
    q.sla.remindBefore.forEach((r, ri) => {
      const before = millis(r);
      if (target !== undefined && before !== undefined && before >= target) {
        add(at('sla', 'remindBefore', ri), 'POLICY.REMINDER_TOO_EARLY', `a reminder ${r} before due is not after the case opens (target ${q.sla.target}); make it shorter than the target`);
      }
    });
    for (const f of validatePriority(q.priority)) add(at('priority', 'rules'), f.code, f.message);
    q.priority.rules.forEach((r, ri) => field(at('priority', 'rules', ri, 'field'), r.field));
    if (q.batch !== undefined) {
      if (q.batch.minSize > q.batch.maxSize) add(at('batch'), 'POLICY.BATCH_SIZE', `minSize ${q.batch.minSize} is above maxSize ${q.batch.maxSize}`);
      q.batch.groupBy.forEach((p, pi) => field(at('batch', 'groupBy', pi), p));
    }
  });

  function field(segments: PathSegment[], path: string): void {
    const root = path.split('.')[0] ?? '';
    if (!PREDICTION_ROOTS.includes(root)) {
      add(segments, 'POLICY.UNKNOWN_FIELD', `"${path}" does not start with a prediction field (${PREDICTION_ROOTS.join(', ')})`);
    }
  }
  policy.privacy.redact.forEach((p, i) => field(['privacy', 'redact', i], p));

  // --- templates ----------------------------------------------------------------------------------
  const kinds = new Set((policy.templates ?? []).map((t) => t.kind));
  (policy.templates ?? []).forEach((t, ti) => {
    let names: string[];
    try {
      names = templateNames(t.markdown);
    } catch (e) {
      add(['templates', ti, 'markdown'], 'POLICY.TEMPLATE_SYNTAX', `is not a valid mustache template: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    for (const name of names) {
      const root = name.split('.')[0] ?? '';
      if (!TEMPLATE_VIEW_KEYS.includes(root)) {
        add(['templates', ti, 'markdown'], 'POLICY.TEMPLATE_UNKNOWN_NAME', `{{${name}}} is not case data; start placeholders with one of ${TEMPLATE_VIEW_KEYS.join(', ')} (free fields live under context.)`);
      } else if (root === 'batch' && t.kind !== 'batch-approval') {
        add(['templates', ti, 'markdown'], 'POLICY.TEMPLATE_UNKNOWN_NAME', `{{${name}}} is only set in batch-approval templates`);
      }
    }
    if (t.kind === 'batch-approval' && (policy.batchOptions ?? []).length === 0) {
      add(['templates', ti, 'kind'], 'POLICY.NO_BATCH_OPTIONS', 'a batch-approval template needs batchOptions; add them or remove the template');
    }
  });
  for (const band of BANDS) {
    const action = policy.actions[band];
    if (action.route === 'auto' && action.report === 'post-action' && !kinds.has('post-action-report')) {
      add(['actions', band, 'report'], 'POLICY.TEMPLATE_MISSING', 'a post-action report needs a template of kind post-action-report; add one');
    }
  }
  if (ft?.enabled === true && !kinds.has('fast-track')) {
    add(['fastTrack', 'enabled'], 'POLICY.TEMPLATE_MISSING', 'fast-track is enabled, so add a template of kind fast-track for the fast-track record');
  }

  return problems;
}

/** Where in a queue a core SLA/calendar problem points. */
function calendarOrSlaPath(code: string): PathSegment[] {
  switch (code) {
    case 'CALENDAR.INVALID_ZONE':
      return ['calendar', 'timeZone'];
    case 'CALENDAR.INVALID_HOLIDAY':
      return ['calendar', 'holidays'];
    default:
      return code.startsWith('CALENDAR.') ? ['calendar', 'weekly'] : ['sla'];
  }
}

/** Milliseconds of a duration (a day as 24 h); undefined when invalid (reported elsewhere). */
function millis(iso: string): number | undefined {
  const d = Duration.fromISO(iso);
  return d.isValid ? d.as('milliseconds') : undefined;
}

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

function overlappingIntervals(calendar: CalendarSpec): Array<{ day: string; message: string }> {
  const out: Array<{ day: string; message: string }> = [];
  for (const [day, intervals] of Object.entries(calendar.weekly)) {
    const sorted = [...(intervals ?? [])].sort((a, b) => minutes(a[0]) - minutes(b[0]));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev !== undefined && cur !== undefined && minutes(cur[0]) < minutes(prev[1])) {
        out.push({ day, message: `${cur[0]}–${cur[1]} overlaps ${prev[0]}–${prev[1]}; merge them` });
      }
    }
  }
  return out;
}
