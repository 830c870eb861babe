/**
 * Routing (ADR-0016 §1, HITL-OPT stage 2): where a case goes once its confidence and band are known.
 *
 * Precedence, first rule that applies wins:
 *
 *  1. Always-human category. A prediction whose `category` is in `policy.alwaysHuman.categories`
 *     goes to a person in `alwaysHuman.queue`, whatever its confidence (even 0.99) — unless
 *     fast-track applies (rule 3's conditions) AND `fastTrack.appliesToAlwaysHuman` is true
 *     (HITL-OPT: strategic journey logic "always requires HITL", but a journey-logic pattern that
 *     matches an approved one may be fast-tracked). A low-band case keeps its band's review queue
 *     when it has one (HITL-OPT "Low Confidence (<70%): immediate HITL escalation": the immediate
 *     path, with its short SLA and on-call, applies to strategic cases too).
 *  2. Automatic band. When the band's action is `auto` (normally the high band), the case is decided
 *     automatically with the model's outcome (`policy.modelOutcome`, by label). The model's own
 *     outcome wins over the fast-track outcome: fast-track exists to spare a person, and no person is
 *     involved here.
 *  3. Fast-track. When enabled, and confidence ≥ `minConfidence`, every `requireFactors` floor holds,
 *     and the best previously approved pattern (outcome in `approvedOutcomes`, same values for every
 *     `requireSameFeatures` name, not the case itself) has similarity ≥ `minSimilarity`: decided
 *     automatically with `fastTrack.outcome`, naming the matched pattern.
 *  4. The band's action: `review` → the action's queue (with its batch flag; HITL-OPT medium = batch
 *     review, HITL-OPT low = immediate individual review), `default` → the policy's customer-favorable
 *     default outcome, flagged for dataset enrichment when the action says so (ADR-0016 low band).
 *
 * Then, for automatic decisions only (rules 2 and 3 — not policy defaults, which are not the model's
 * decision), blind review sampling: a deterministic share `sampling.blindReviewRate` of cases, chosen
 * by an FNV-1a hash of the case id, is also sent to blind human review. The route and its reason stay
 * as they are; `blindReview` is set and `blindReviewQueue` says where the copy goes.
 */
import type { Band, BandAction, Policy } from './policy';
import type { PredictionSubmitted, RouteReason } from './events';
import type { FeatureMap } from './similarity';
import { cosineSimilarity, weightedFeatureSimilarity } from './case-similarity';
import { inSample } from './hash';
import { wallDuration } from './durations';

/** A previously decided case whose pattern may be matched for fast-track. */
/** A person's approval remembered for fast-track (automatic and fast-tracked approvals never are). */
export interface ApprovedPattern {
  caseId: string;
  outcome: string;
  features: FeatureMap;
  /** The approved case's `pattern.embedding`, when upstream sent one. */
  embedding?: number[];
  /** When it was approved (epoch ms): patterns older than `fastTrack.maxPatternAge` age out. */
  decidedAt?: number;
}

export interface RouteInput {
  caseId: string;
  policy: Policy;
  prediction: PredictionSubmitted;
  /** As assessed (see `assessCase`). */
  confidence: number;
  band: Band;
  /** Decided cases of the same use case to match against; filtered here by `approvedOutcomes` and age. */
  approvedPatterns?: readonly ApprovedPattern[];
  /** Now, for the age of patterns (`fastTrack.maxPatternAge`); without it patterns do not age. */
  now?: Date;
}

interface RouteCommon {
  reason: RouteReason;
  band: Band;
  /** One or two sentences a person reading the audit trail understands. */
  rationale: string;
}

export interface AutoRoute extends RouteCommon {
  route: 'auto';
  reason: 'band-high' | 'band-medium' | 'band-low' | 'fast-track';
  outcome: string;
  customerFavorable: boolean;
  /** The band action asks for a post-action report (HITL-OPT automatic approval). */
  postActionReport: boolean;
  blindReview: boolean;
  /** Where the blind review copy goes, when `blindReview`. */
  blindReviewQueue?: string;
  /** Fast-track only. */
  matchedPattern?: { caseId: string; similarity: number };
}

export interface ReviewRoute extends RouteCommon {
  route: 'review';
  reason: 'band-high' | 'band-medium' | 'band-low' | 'always-human-category';
  queue: string;
  batch: boolean;
}

export interface DefaultRoute extends RouteCommon {
  route: 'default';
  reason: 'band-high' | 'band-medium' | 'band-low';
  outcome: string;
  customerFavorable: boolean;
  enrichment: boolean;
}

export type RouteDecision = AutoRoute | ReviewRoute | DefaultRoute;

export type FastTrackCheck =
  | { eligible: true; outcome: string; match: { caseId: string; similarity: number } }
  | { eligible: false; why: string };

const fmt = (x: number): string => String(Math.round(x * 10_000) / 10_000);

const bandReason = (band: Band): 'band-high' | 'band-medium' | 'band-low' => `band-${band}`;

/** Whether fast-track applies (conditions of rule 3, without the category rule). */
export function checkFastTrack(input: RouteInput): FastTrackCheck {
  const spec = input.policy.fastTrack;
  if (spec === undefined || !spec.enabled) return { eligible: false, why: 'fast-track is not enabled' };
  const features = input.prediction.pattern?.features;
  if (features === undefined) return { eligible: false, why: 'the prediction carries no pattern' };
  if (!(input.confidence >= spec.minConfidence)) {
    return { eligible: false, why: `confidence ${fmt(input.confidence)} < ${fmt(spec.minConfidence)}` };
  }
  for (const [name, floor] of Object.entries(spec.requireFactors ?? {})) {
    const value = input.prediction.factors?.[name];
    if (value === undefined) return { eligible: false, why: `factor ${name} is missing` };
    if (!(value >= floor.gte)) return { eligible: false, why: `factor ${name} ${fmt(value)} < ${fmt(floor.gte)}` };
  }
  const same = spec.requireSameFeatures ?? [];
  const missingSame = same.filter((name) => features[name] === undefined);
  if (missingSame.length > 0) {
    return { eligible: false, why: `the pattern lacks required features: ${missingSame.join(', ')}` };
  }
  const oldest = spec.maxPatternAge !== undefined && input.now !== undefined ? input.now.getTime() - wallDuration(spec.maxPatternAge).toMillis() : undefined;
  const candidates = (input.approvedPatterns ?? []).filter(
    (p) =>
      p.caseId !== input.caseId &&
      (oldest === undefined || (p.decidedAt !== undefined && p.decidedAt >= oldest)) &&
      spec.approvedOutcomes.includes(p.outcome) &&
      same.every((name) => p.features[name] !== undefined && p.features[name] === features[name]),
  );
  const embedding = input.prediction.pattern?.embedding;
  let best: { pattern: ApprovedPattern; similarity: number } | undefined;
  for (const pattern of candidates) {
    const similarity = patternSimilarity({ features, ...(embedding ? { embedding } : {}) }, pattern, spec.featureWeights);
    if (best === undefined || similarity > best.similarity) best = { pattern, similarity };
  }
  if (best === undefined) return { eligible: false, why: 'no approved pattern to match' };
  if (!(best.similarity >= spec.minSimilarity)) {
    return {
      eligible: false,
      why: `best approved pattern ${best.pattern.caseId} is ${fmt(best.similarity)} similar, < ${fmt(spec.minSimilarity)}`,
    };
  }
  return { eligible: true, outcome: spec.outcome, match: { caseId: best.pattern.caseId, similarity: best.similarity } };
}

/** The modelled outcome of the prediction's label (`policy.modelOutcome`). */
export function modelOutcomeOf(policy: Policy, label: string | undefined): string {
  if (label !== undefined && Object.prototype.hasOwnProperty.call(policy.modelOutcome.byLabel, label)) {
    return policy.modelOutcome.byLabel[label] ?? policy.modelOutcome.otherwise;
  }
  return policy.modelOutcome.otherwise;
}

export function isCustomerFavorable(policy: Policy, outcome: string): boolean {
  return policy.outcomes.find((o) => o.id === outcome)?.customerFavorable ?? false;
}

/** The queue blind-review copies go to: the first review queue of the medium, low, high actions, else the always-human queue. */
export function blindReviewQueueOf(policy: Policy): string {
  for (const band of ['medium', 'low', 'high'] as const) {
    const action = policy.actions[band];
    if (action.route === 'review') return action.queue;
  }
  return policy.alwaysHuman.queue;
}

export function decideRoute(input: RouteInput): RouteDecision {
  const { policy, prediction, confidence, band } = input;
  const action: BandAction = policy.actions[band];
  const where = `confidence ${fmt(confidence)} is in the ${band} band`;
  const category = prediction.category;

  // 1. Always-human category.
  if (category !== undefined && policy.alwaysHuman.categories.includes(category)) {
    const fastTrack = policy.fastTrack?.appliesToAlwaysHuman === true ? checkFastTrack(input) : undefined;
    if (fastTrack?.eligible === true) {
      return withSampling(input, fastTrackRoute(input, fastTrack, `category ${category} always needs a person, but fast-track applies to it: `));
    }
    const note = fastTrack !== undefined && !fastTrack.eligible ? ` (fast-track: ${fastTrack.why})` : '';
    const immediate = band === 'low' && action.route === 'review' ? action.queue : undefined;
    const queue = immediate ?? policy.alwaysHuman.queue;
    return {
      route: 'review',
      reason: 'always-human-category',
      band,
      queue,
      batch: false,
      rationale: `category ${category} always goes to a person, whatever the confidence (${fmt(confidence)}); review in queue ${queue}${immediate && immediate !== policy.alwaysHuman.queue ? ' (the low band\'s immediate path)' : ''}${note}.`,
    };
  }

  // 2. Automatic band.
  if (action.route === 'auto') {
    const outcome = modelOutcomeOf(policy, prediction.prediction?.label);
    const label = prediction.prediction?.label;
    return withSampling(input, {
      route: 'auto',
      reason: bandReason(band),
      band,
      outcome,
      customerFavorable: isCustomerFavorable(policy, outcome),
      postActionReport: action.report === 'post-action',
      blindReview: false,
      rationale: `${where}: decided automatically as ${outcome}${label !== undefined ? ` (model label ${label})` : ''}.`,
    });
  }

  // 3. Fast-track.
  const fastTrack = checkFastTrack(input);
  if (fastTrack.eligible) return withSampling(input, fastTrackRoute(input, fastTrack, `${where}, but `));
  const ftNote = policy.fastTrack?.enabled === true ? ` (fast-track: ${fastTrack.why})` : '';

  // 4. The band's action.
  if (action.route === 'review') {
    return {
      route: 'review',
      reason: bandReason(band),
      band,
      queue: action.queue,
      batch: action.batch === true,
      rationale: `${where}: ${action.batch === true ? 'batch review' : 'review'} in queue ${action.queue}${ftNote}.`,
    };
  }
  return {
    route: 'default',
    reason: bandReason(band),
    band,
    outcome: action.outcome,
    customerFavorable: isCustomerFavorable(policy, action.outcome),
    enrichment: action.enrichment,
    rationale: `${where}: the policy's default outcome ${action.outcome} applies${action.enrichment ? ', flagged for dataset enrichment' : ''}${ftNote}.`,
  };
}

function fastTrackRoute(
  input: RouteInput,
  { outcome, match }: Extract<FastTrackCheck, { eligible: true }>,
  prefix: string,
): AutoRoute {
  return {
    route: 'auto',
    reason: 'fast-track',
    band: input.band,
    outcome,
    customerFavorable: isCustomerFavorable(input.policy, outcome),
    postActionReport: false,
    blindReview: false,
    matchedPattern: match,
    rationale: `${prefix}it is ${fmt(match.similarity)} similar to approved case ${match.caseId}: fast-tracked as ${outcome}.`,
  };
}

function withSampling(input: RouteInput, route: AutoRoute): AutoRoute {
  if (!inSample(`blind-review:${input.caseId}`, input.policy.sampling.blindReviewRate)) return route;
  const queue = blindReviewQueueOf(input.policy);
  return {
    ...route,
    blindReview: true,
    blindReviewQueue: queue,
    rationale: `${route.rationale} Sampled for blind review in queue ${queue}.`,
  };
}

/**
 * How similar a proposal is to an approved pattern (fast-track): the pattern features, weighted as the
 * policy says (`fastTrack.featureWeights`); when both carry an embedding of the same length, its cosine
 * counts too (weight 3 to the features' 2, as in `caseSimilarity`).
 */
export function patternSimilarity(proposal: { features: FeatureMap; embedding?: readonly number[] }, pattern: { features: FeatureMap; embedding?: readonly number[] }, featureWeights?: Readonly<Record<string, number>>): number {
  const features = weightedFeatureSimilarity(proposal.features, pattern.features, featureWeights);
  const cos = proposal.embedding && pattern.embedding ? cosineSimilarity(proposal.embedding, pattern.embedding) : undefined;
  return cos === undefined ? features : (2 * features + 3 * cos) / 5;
}
