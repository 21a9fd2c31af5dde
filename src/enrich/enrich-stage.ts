import type { EventRow } from '../decode/event-row.ts';

/**
 * The enrich stage sits between decode and batch: it fills derived columns of a decoded
 * row (geo, user agent, LLM cost) in place. Enrichers never fail a message: bad or
 * missing inputs leave fields empty and count a miss.
 */
export type EnrichStage = (row: EventRow) => void;

/** No enrichment: rows go to ClickHouse as decoded. */
export const passThrough: EnrichStage = () => {};
