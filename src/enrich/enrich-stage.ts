import type { DecodedEventHook } from '../decode/decoded-event.ts';

/**
 * The enrich stage sits between decode and batch: it fills derived columns of a decoded
 * event's row (geo, user agent, LLM cost) and scrubs its parsed `properties` in place,
 * before they are serialised once. Enrichers never fail a message: bad or missing inputs
 * leave fields empty and count a miss.
 */
export type EnrichStage = DecodedEventHook;

/** No enrichment: rows go to ClickHouse as decoded. */
export const passThrough: EnrichStage = () => {};
