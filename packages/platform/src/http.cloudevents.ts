import express, { type Request, type Response, type Router } from 'express';
import { fromHttpRequest, fromPushRequest, toPubSubMessage } from '@arbiter/contract';
import { processDelivery, type DeliveryDeps } from './delivery';
import { httpStatusOf, PUSH_ACK_STATUS } from './errors';

/**
 * The same handler over HTTP, so a service can run behind a Pub/Sub push subscription on Cloud Run:
 * - `POST /pubsub/push`: a push delivery (wrapped envelope or `noWrapper`). Only 2xx acks a push, so a
 *   permanent failure is dead-lettered here and answered 204; a transient one gets 503 (redelivered).
 * - `POST /events`: a CloudEvent in the HTTP binding (binary or structured). The caller is a client
 *   that can fix its request, so a permanent failure is a 4xx with the reason.
 */
export function cloudEventRoutes(deps: DeliveryDeps): Router {
  const router = express.Router();
  // A push envelope carries a message of up to Pub/Sub's 10 MB, base64-encoded: read all of it, so an
  // oversized event is dead-lettered with its reason instead of refused 413 and redelivered forever.
  const push = express.raw({ type: () => true, limit: '14mb' });
  const raw = express.raw({ type: () => true, limit: '1mb' });

  router.post('/pubsub/push', push, async (req: Request, res: Response) => {
    const envelope = fromPushRequest(headersOf(req), bodyOf(req));
    if (!envelope.ok) {
      // Not even a push envelope: nothing to redeliver usefully. Ack, but say why.
      res.status(PUSH_ACK_STATUS).set('arbiter-error-code', envelope.error.code).end();
      deps.logger.error({ code: envelope.error.code }, `unreadable push delivery: ${envelope.error.message}`);
      return;
    }
    const { message, deliveryAttempt } = envelope.value;
    const { disposition } = await processDelivery(
      { data: message.data, attributes: message.attributes, messageId: message.messageId, deliveryAttempt },
      deps,
    );
    res.status(disposition === 'retry' ? 503 : PUSH_ACK_STATUS).end();
  });

  router.post('/events', raw, async (req: Request, res: Response) => {
    const event = fromHttpRequest(headersOf(req), bodyOf(req));
    if (!event.ok) {
      res.status(httpStatusOf(event.error.code)).json({ error: event.error });
      return;
    }
    const message = toPubSubMessage(event.value);
    const outcome = await processDelivery(
      { data: message.data, attributes: message.attributes, messageId: event.value.id, deliveryAttempt: 1 },
      { ...deps, maxDeliveryAttempts: Number.POSITIVE_INFINITY },
    );
    if (outcome.disposition === 'ack') res.status(204).end();
    else if (outcome.disposition === 'retry') res.status(503).json({ error: outcome.failure });
    else res.status(outcome.failure ? httpStatusOf(outcome.failure.code) : 400).json({ error: outcome.failure });
  });

  // A body too large or unreadable for the HTTP binding: the caller can fix it, so say what to send.
  router.use((error: { type?: string; status?: number }, _req: Request, res: Response, next: (error?: unknown) => void) => {
    if (error.type === 'entity.too.large') return void res.status(413).json({ error: { code: 'EVENT.TOO_LARGE', message: 'the event is larger than this route accepts (1 MB over HTTP, 10 MB by Pub/Sub push): send smaller data, e.g. evidence by gs:// reference' } });
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) return void res.status(400).json({ error: { code: 'EVENT.UNREADABLE', message: 'the request body could not be read; send the event as JSON' } });
    next(error);
  });

  return router;
}

function headersOf(req: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
    else if (Array.isArray(value)) headers[name.toLowerCase()] = value.join(', ');
  }
  return headers;
}

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
