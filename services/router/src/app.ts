/**
 * The router: builds its handler from its dependencies and registers it on a ServiceHost (streaming
 * pull, and the same handler for Pub/Sub push and HTTP). Never listens.
 */
import { EventSources, EventTypes, SubscriptionNames } from '@arbiter/contract';
import { ok } from '@arbiter/core';
import type { Clock, ServiceHost } from '@arbiter/platform';
import type { PolicyRegistry } from '@arbiter/policy';
import type { ApprovedPatterns, RoutingCases } from './ports';
import { createRouteCase, type RouteCase } from './route-case';

export interface RouterAppDeps {
  host: ServiceHost;
  cases: RoutingCases;
  patterns: ApprovedPatterns;
  policies: Pick<PolicyRegistry, 'get'>;
  clock: Clock;
}

export function buildRouterApp(deps: RouterAppDeps): { routeCase: RouteCase } {
  const routeCase = createRouteCase({ cases: deps.cases, patterns: deps.patterns, policies: deps.policies, clock: deps.clock, source: EventSources.router });
  deps.host.consume(SubscriptionNames.routeOnCaseOpened, async (event, { logger }) => {
    if (event.type !== EventTypes.caseOpened) return ok({ ignored: event.type });
    const result = await routeCase(event);
    if (result.ok) {
      const { caseId, routed, route, decided } = result.value;
      if (routed && route) {
        logger.info({ caseId, route: route.kind, reason: route.reason, queue: route.queue, blindReview: route.blindReview, decided }, `case routed: ${route.kind}`);
      } else {
        logger.info({ caseId }, 'case already routed; nothing to do');
      }
    }
    return result;
  });
  return { routeCase };
}
