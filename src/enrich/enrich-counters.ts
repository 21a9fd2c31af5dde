/**
 * What enrichment reports about the events it could not fully enrich. The metrics module
 * implements it with Prometheus counters; tests and the dry-run command count in memory.
 * Every method is called at most once per event and field, and must never throw.
 */
export interface EnrichCounters {
  /** No geo values for an event that carried an IP field (`reason` is a small fixed set). */
  geoMiss(reason: 'invalid' | 'private' | 'not_found'): void;
  /** A user agent string was present but yielded no browser and no OS. */
  userAgentUnparsed(): void;
  /** An LLM event whose model is in neither the overrides nor the bundled prices. */
  unknownModel(provider: string, model: string): void;
  /** A raw LLM content key removed from `properties` (HIP-47: prompts are never stored). */
  contentScrubbed(key: string): void;
}

export const ignoreEnrichCounts: EnrichCounters = {
  geoMiss: () => {},
  userAgentUnparsed: () => {},
  unknownModel: () => {},
  contentScrubbed: () => {},
};
