import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import type { CaseFacts } from './audit-row';

/** Cases remembered at most (oldest forgotten first): a few MB, and a miss only costs the read it saves. */
export const DEFAULT_REMEMBERED_CASES = 10_000;

type RouteKind = ArbiterEvent<typeof EventTypes.caseRouted>['data']['route'];

/**
 * What the exporter has already seen of a case on `arbiter-cases`, so the row of an automatic or
 * policy-default decision needs no read of `cases/{caseId}` (`CaseUseCases.factsOf`).
 *
 * It answers only when the events say exactly what the document would:
 * - `openedAt`, the label and the category are written once, by the assessor, as `case.opened`
 *   carries them (`openedAt` is the same instant as ISO text, exact to the millisecond);
 * - the queue columns come from the document only for a review route; an `auto` or `default` route
 *   is written in the same commit as its decision, so nothing can change the case in between — and
 *   the route is known from `case.routed`, or, before it arrives, from a decision `decidedBy.kind`
 *   `auto` (only the router decides that way, and only on the auto route);
 * - the golden answer exists only on golden cases, which review-queue creates already routed for
 *   review and never announces with `case.opened`.
 * For anything else (a review route, a case it has not seen opened — another instance took that
 * delivery, or the process restarted), it answers nothing and the caller reads the case.
 */
export class CaseFactsFromEvents {
  private readonly opened = new Map<string, Pick<CaseFacts, 'openedAt' | 'label' | 'category'>>();
  private readonly routes = new Map<string, RouteKind>();

  constructor(private readonly capacity = DEFAULT_REMEMBERED_CASES) {}

  /** Remembers what `case.opened` and `case.routed` say; ignores every other event. */
  observe(event: ArbiterEvent): void {
    if (event.type === EventTypes.caseOpened) {
      const { caseId, openedAt, prediction } = (event as ArbiterEvent<typeof EventTypes.caseOpened>).data;
      const at = Date.parse(openedAt);
      if (Number.isNaN(at)) return;
      const label = prediction.prediction?.label;
      remember(this.opened, caseId, { openedAt: at, ...(label !== undefined ? { label } : {}), ...(prediction.category !== undefined ? { category: prediction.category } : {}) }, this.capacity);
    } else if (event.type === EventTypes.caseRouted) {
      const { caseId, route } = (event as ArbiterEvent<typeof EventTypes.caseRouted>).data;
      if (route === 'review') {
        // Its decision row needs the queue as the case says it: always read; nothing to keep.
        this.opened.delete(caseId);
        this.routes.delete(caseId);
      } else {
        remember(this.routes, caseId, route, this.capacity);
      }
    }
  }

  /**
   * The facts of a decided case, when the events seen say them exactly; undefined otherwise (read the
   * case). A case is decided once, so what was remembered of it is forgotten here.
   */
  factsOfDecision(event: ArbiterEvent<typeof EventTypes.decisionMade>): CaseFacts | undefined {
    const { caseId, decidedBy } = event.data;
    const opened = this.opened.get(caseId);
    const route = this.routes.get(caseId) ?? (decidedBy.kind === 'auto' ? 'auto' : undefined);
    if (opened === undefined || (route !== 'auto' && route !== 'default')) return undefined;
    this.opened.delete(caseId);
    this.routes.delete(caseId);
    return { ...opened };
  }

  /** Cases remembered (for tests and metrics). */
  get size(): number {
    return this.opened.size;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
