import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { createEvent, EventTypes, Topics, toPubSubMessage } from '@arbiter/contract';
import { mulberry32, sampleDefects, type PredictionSubmitted } from '@arbiter/core';

/**
 * A realistic stream of predictions across every shipped use case, so the queues fill with cases
 * worth looking at: vehicle returns with baseline/return photos and regions, HITL-OPT proposals with
 * the context their approval templates show, confidences spread over every band, some given as the
 * five weighted factors, a few strategic and critical-path ones, and repeated patterns for fast-track
 * and batching. Seeded, so the same seed gives the same stream.
 */
export interface DemoOptions {
  /** Predictions per use case. */
  perUseCase: number;
  seed: number;
  now: Date;
}

type Random = () => number;


const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Confidence across the bands: ~40% high, ~40% medium, ~20% low. */
function confidence(random: Random): number {
  const roll = random();
  if (roll < 0.4) return round(0.91 + random() * 0.08);
  if (roll < 0.8) return round(0.71 + random() * 0.13);
  return round(0.35 + random() * 0.3);
}

/** The five HITL-OPT factors, centred on a target confidence. */
function factorsAround(random: Random, target: number): Record<string, number> {
  const names = ['pattern_similarity', 'risk_assessment', 'business_impact', 'technical_complexity', 'precedent_match'];
  return Object.fromEntries(names.map((name) => [name, round(Math.min(1, Math.max(0, target + (random() - 0.5) * 0.1)))]));
}

const inHours = (now: Date, hours: number): string => new Date(now.getTime() + hours * 3_600_000).toISOString();

/** Where the demo's evidence lives; review-queue serves these locally from generated sample images. */
export const DemoEvidenceBucket = 'arbiter-demo-evidence';

function vehicle(useCase: 'vehicle-cleanliness' | 'vehicle-damage', random: Random, now: Date, index: number): PredictionSubmitted {
  const booking = `bk-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${String(index).padStart(4, '0')}`;
  const c = confidence(random);
  const cleanliness = useCase === 'vehicle-cleanliness';
  // Labels in each model's vocabulary, as the policies map them (modelOutcome.byLabel).
  const label = cleanliness ? (random() < 0.85 ? 'dirty' : 'clean') : random() < 0.85 ? pick(random, ['scratch', 'dent', 'crack']) : 'no_damage';
  const positive = label !== 'clean' && label !== 'no_damage';
  // The regions are where review-queue's painter puts the defects on the return photos (one layout
  // per booking, sampleDefects), so what the demo shows is true to its regions.
  const regions = sampleDefects(useCase, booking).map((d) => ({ x: d.x, y: d.y, width: d.width, height: d.height, label: d.kind, score: round(0.5 + random() * 0.5) }));
  const photo = (role: string, n: number) => ({ uri: `gs://${DemoEvidenceBucket}/${useCase}/${booking}/${role}-${n}.jpg`, role, mediaType: 'image/jpeg' });
  return {
    useCase,
    subject: { type: 'booking', id: booking },
    model: cleanliness ? { name: 'cleanliness-vit', version: random() < 0.8 ? '2.3.0' : '2.4.0-rc1' } : { name: 'damage-detr', version: '1.4.2' },
    prediction: {
      label,
      confidence: c,
      scores: cleanliness ? { dirty: positive ? c : round(1 - c), clean: positive ? round(1 - c) : c } : { [positive ? label : 'damage']: positive ? c : round(1 - c), no_damage: positive ? round(1 - c) : c },
      regions,
    },
    evidence: [photo('baseline', 1), photo('return', 1), ...(random() < 0.4 ? [photo('baseline', 2), photo('return', 2)] : [])],
    category: random() < 0.05 ? 'dispute' : 'operational',
    context: {
      nextBookingAt: inHours(now, 0.5 + random() * 30),
      amount: { value: cleanliness ? pick(random, [25, 35, 50, 80]) : pick(random, [120, 250, 480, 900, 1500]), currency: 'EUR' },
      customerId: `cus-${Math.floor(random() * 9000 + 1000)}`,
      station: pick(random, ['BER-Hbf', 'MUC-Airport', 'HAM-Altona', 'FRA-Messe']),
    },
  };
}

const userTypes = ['Mobile TikTok Users', 'Desktop Researchers', 'Returning Visitors'];

function hitl(useCase: string, random: Random, now: Date, index: number): PredictionSubmitted {
  const target = confidence(random);
  const useFactors = random() < 0.5;
  const component = pick(random, userTypes);
  const common = {
    criticalPath: random() < 0.15,
    revenueImpactEur: Math.round(random() * 250_000),
    technicalComplexity: pick(random, ['Low', 'Medium', 'High']),
    implementationWeeks: 1 + Math.floor(random() * 8),
  };
  const byUseCase: Record<string, { subject: string; model: string; features: Record<string, string | number | boolean>; context: Record<string, unknown>; category?: string }> = {
    'journey-logic-architecture': {
      subject: 'journey-logic',
      model: 'journey-planner',
      features: { component, stageCount: 4, algorithm: pick(random, ['bandit', 'gradient-boosted-ranker']) },
      context: {
        component,
        stageFlow: 'Awareness → Consideration → Decision → Conversion',
        keyAlgorithms: 'contextual bandit for stage ordering; uplift model for offers',
        integrationPoints: 'UX Intelligence Engine: session signals, layout variants',
        performanceTargets: '+4% conversion, +10% engaged sessions',
        uxImpact: 'shorter path to checkout for returning visitors',
        technicalRisks: 'cold-start for new segments',
        riskAssessment: 'medium',
        mitigationStrategies: 'staged rollout at 5% with guardrail metrics',
      },
      category: random() < 0.7 ? 'strategic' : 'journey',
    },
    'personalization-algorithm': {
      subject: 'personalization',
      model: 'personalizer',
      features: { purpose: 'offer-ranking', depth: pick(random, ['Surface', 'Medium', 'Deep']) },
      context: {
        purpose: 'rank vehicle offers by predicted fit',
        dataSources: 'search history, booking history, device',
        decisionLogic: 'gradient-boosted ranker over 40 features',
        userSegments: component,
        personalizationDepth: pick(random, ['Surface', 'Medium', 'Deep']),
        gdprComplianceStatus: 'DPIA approved 2026-10',
        optOutMechanisms: 'profile toggle; cookie banner',
        expectedConversionLiftPercent: round(1 + random() * 5, 1),
        expectedEngagement: '+6% offer clicks',
        expectedUserSatisfaction: 'neutral to positive',
      },
    },
    'scarcity-trigger': {
      subject: 'scarcity-trigger',
      model: 'scarcity-optimizer',
      features: { triggerType: pick(random, ['Inventory', 'Time', 'Social Proof']), intensity: pick(random, ['Low', 'Medium']) },
      context: {
        triggerTypes: pick(random, ['Inventory', 'Time', 'Social Proof', 'Exclusivity']),
        intensityLevels: pick(random, ['Low', 'Medium', 'High']),
        frequencyControls: 'at most once per session',
        authenticityMeasures: 'backed by live fleet availability',
        triggerConditions: 'fewer than 3 vehicles of the class at the station',
        longTermEffects: 'trust risk if overused',
        userFatiguePrevention: '7-day cooling-off per user',
      },
    },
    'api-endpoint-batch': {
      subject: 'api-endpoint',
      model: 'api-reviewer',
      features: { component: 'api-endpoint', patternType: pick(random, ['CRUD', 'Analytics']), method: pick(random, ['GET', 'POST', 'PUT']), auth: 'OAuth2' },
      context: {
        apiCategory: pick(random, ['Journey Tracking', 'Personalization', 'Analytics']),
        endpoint: pick(random, ['POST /api/journey/sessions/start', 'PUT /api/journey/sessions/{id}/stage', 'GET /api/journey/recommendations/{id}', 'POST /api/journey/optimize']),
        purpose: pick(random, ['Journey initiation', 'Stage updates', 'Personalization', 'Real-time optimization']),
        riskLevel: pick(random, ['Low', 'Medium']),
        rateLimiting: 'standard limits',
        inputValidation: 'JSON Schema',
        errorHandling: 'problem+json',
      },
    },
    'database-schema-batch': {
      subject: 'schema-change',
      model: 'schema-reviewer',
      features: { component: 'database-schema', changeType: pick(random, ['New table', 'Add columns']) },
      context: {
        schemaChangeSet: pick(random, ['journey-tracking-v1', 'conversion-events-v2']),
        table: pick(random, ['journey_sessions', 'journey_touchpoints', 'conversion_events', 'user_profiles']),
        changeType: pick(random, ['New table', 'Add columns']),
        dataVolume: pick(random, ['Medium', 'High', 'Very High']),
        riskLevel: pick(random, ['Low', 'Medium']),
        dataMigrationRequired: random() < 0.3,
      },
    },
    'code-implementation': {
      subject: 'code-change',
      model: 'code-reviewer',
      features: { component: pick(random, ['journey-service', 'offer-ranker', 'session-tracker']), pattern: 'established' },
      context: {
        component: pick(random, ['journey-service', 'offer-ranker', 'session-tracker']),
        filesChanged: 2 + Math.floor(random() * 20),
        testCoveragePercent: 70 + Math.floor(random() * 28),
        performanceImpact: 'within 2% of baseline',
        codeQualityScore: 80 + Math.floor(random() * 19),
        securityScan: 'Pass',
        performanceBenchmarks: 'Within acceptable limits',
        errorRatePercent: round(random() * 0.5, 2),
        integration: { uxIntelligenceEngine: 'Successfully integrated', databaseConnections: 'All tests passing', apiEndpoints: 'All endpoints responding', frontend: 'UI components working' },
        nextSteps: 'monitor error budget for 48 h',
      },
    },
    'performance-optimization': {
      subject: 'perf-tweak',
      model: 'perf-advisor',
      features: { component: pick(random, ['journey-service', 'offer-ranker']), optimization: pick(random, ['cache', 'index', 'batching']) },
      context: {
        component: pick(random, ['journey-service', 'offer-ranker']),
        optimization: pick(random, ['response cache', 'composite index', 'request batching']),
        metricBefore: 'p95 420 ms',
        metricAfter: 'p95 310 ms',
        improvementPercent: 26,
      },
    },
  };
  const spec = byUseCase[useCase];
  if (!spec) throw new Error(`no demo generator for ${useCase}`);
  return {
    useCase,
    subject: { type: spec.subject, id: `${spec.subject}-${String(index).padStart(4, '0')}` },
    model: { name: spec.model, version: '4.1.0' },
    ...(useFactors ? { factors: factorsAround(random, target) } : { prediction: { label: random() < 0.9 ? 'approve' : 'reject', confidence: target } }),
    ...(spec.category ? { category: spec.category } : {}),
    pattern: { features: spec.features },
    context: { ...common, ...spec.context },
  };
}

export const DemoUseCases = [
  'vehicle-cleanliness',
  'vehicle-damage',
  'journey-logic-architecture',
  'personalization-algorithm',
  'scarcity-trigger',
  'api-endpoint-batch',
  'database-schema-batch',
  'code-implementation',
  'performance-optimization',
] as const;

export function demoPredictions(options: DemoOptions): PredictionSubmitted[] {
  const random = mulberry32(options.seed);
  const predictions: PredictionSubmitted[] = [];
  for (let index = 0; index < options.perUseCase; index += 1) {
    for (const useCase of DemoUseCases) {
      predictions.push(useCase === 'vehicle-cleanliness' || useCase === 'vehicle-damage' ? vehicle(useCase, random, options.now, index) : hitl(useCase, random, options.now, index));
    }
  }
  return predictions;
}

/** Publishes the demo stream on `arbiter-predictions` in binary mode, as upstream services would. */
export async function publishDemo(pubsub: PubSub, options: DemoOptions & { source?: string }): Promise<number> {
  const topic = pubsub.topic(Topics.predictions, { batching: { maxMessages: 50, maxMilliseconds: 20 } });
  const predictions = demoPredictions(options);
  await Promise.all(
    predictions.map((data) => {
      const event = createEvent({ type: EventTypes.predictionSubmitted, source: options.source ?? '//demo/upstream', id: randomUUID(), subject: data.subject.id, data });
      if (!event.ok) throw new Error(`demo prediction for ${data.useCase} is invalid: ${event.error.message}`);
      return topic.publishMessage(toPubSubMessage(event.value));
    }),
  );
  await topic.flush();
  return predictions.length;
}
