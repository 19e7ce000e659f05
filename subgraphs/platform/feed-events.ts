/** A department's change event as the change feed carries it: what happened, to whom, where — never the facts. */
import type { StoredChangeEvent } from '../kit/outbox.js';
import type { FeedEvent } from './change-feed.js';

export function feedEventOf(event: StoredChangeEvent): FeedEvent {
  return {
    eventId: event.eventId,
    type: event.type,
    domain: event.domain,
    creditCode: event.creditCode,
    // Unknown stays unknown: masking treats it as a natural person's (fails closed).
    subjectType: event.payload.subjectType == null ? null : String(event.payload.subjectType),
    listType: event.listType,
    listKind: event.payload.listKind == null ? null : String(event.payload.listKind),
    regionCode: event.payload.regionCode == null ? null : String(event.payload.regionCode),
    entryId: event.entryId,
    status: String(event.payload.status),
    // Unknown (an event written before it was carried) stays unknown: the feed fails closed.
    previousStatus: event.payload.previousStatus == null ? null : String(event.payload.previousStatus),
    exitWay: event.payload.exitWay == null ? null : String(event.payload.exitWay),
    occurredAt: event.occurredAt,
    detail: { action: event.payload.action ?? null, validUntil: event.payload.validUntil ?? null },
    order: event.position,
  };
}
