import path from 'node:path';
import { EventTypes, createEvent, type ArbiterEvent } from '@arbiter/contract';
import type { PredictionSubmitted } from '@arbiter/core';
import type { CaseDoc } from '@arbiter/case-store';
import { loadPolicies, type PolicyRegistry } from '@arbiter/policy';
import type { CaseOpenings } from './ports';

/** The shipped policies (policies/*.yaml). */
export function shippedPolicies(): PolicyRegistry {
  const loaded = loadPolicies(path.resolve(__dirname, '..', '..', '..', 'policies'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

export function cleanlinessPrediction(overrides: Partial<PredictionSubmitted> = {}): PredictionSubmitted {
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: 'bk-20261121-0042' },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence: 0.78 },
    evidence: [{ uri: 'gs://evidence/bk-20261121-0042/after-1.jpg', role: 'return', mediaType: 'image/jpeg' }],
    context: { customerId: 'cus-881' },
    ...overrides,
  };
}

export function predictionEvent(data: PredictionSubmitted, identity: { id?: string; source?: string } = {}): ArbiterEvent<typeof EventTypes.predictionSubmitted> {
  const event = createEvent({ type: EventTypes.predictionSubmitted, source: identity.source ?? '//vision/cleanliness', id: identity.id ?? 'pred-1', data });
  if (!event.ok) throw new Error(event.error.message);
  return event.value;
}

/** The in-memory twin of the Firestore adapter: same contract, a Map for the collection. */
export class InMemoryCaseOpenings implements CaseOpenings {
  readonly cases = new Map<string, CaseDoc>();
  readonly staged: ArbiterEvent[] = [];
  async openIfAbsent(caseDoc: CaseDoc, events: readonly ArbiterEvent[]): Promise<'opened' | 'exists'> {
    if (this.cases.has(caseDoc.caseId)) return 'exists';
    this.cases.set(caseDoc.caseId, structuredClone(caseDoc));
    this.staged.push(...events);
    return 'opened';
  }
}
