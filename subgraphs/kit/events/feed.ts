/**
 * A department's change events over HTTP for the hub's own consumers:
 * GET /internal/events?after=<position>&limit=<n>, with the identity the hub signs: the
 * events the relay has positioned (events/relay.ts), in position order. With JetStream the
 * same events travel through the department's stream; the outbox stays the source of truth.
 */
import { isHubProcess } from '../auth/policy.js';
import type { Knex } from 'knex';
import type { Route } from '../http.js';
import { readOutbox } from '../outbox.js';
import { authenticateForwarded } from '../auth/context.js';

export { EVENTS_ROUTE } from '../internal-routes.js';
import { EVENTS_ROUTE } from '../internal-routes.js';

export function eventFeedRoute(db: Knex, prefix: string, secret: Uint8Array): Route {
  return async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const auth = await authenticateForwarded(req, secret);
    if (!auth.principal || !isHubProcess(auth.principal)) return reply(401, { error: 'the event feed is for the hub\'s own processes' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const after = Number(url.searchParams.get('after') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 500), 1000);
    if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) return reply(400, { error: 'after and limit are whole numbers' });
    reply(200, { events: await readOutbox(db, prefix, after, limit) });
  };
}
