import type { DeviceColumn } from './user-agent/merge-device-columns.ts';

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
  /** The SDK's device value and the parsed user agent's differ (the SDK's is kept). */
  sdkDeviceDisagreement(column: DeviceColumn): void;
  /** An unknown top-level field was folded into `properties` (fold-unknown-fields.ts). */
  unknownFieldFolded(field: string): void;
  /** A `$geoip_disable`-style switch was on: the event was not located, its IP removed. */
  geoipDisabled(): void;
}

export const ignoreEnrichCounts: EnrichCounters = {
  geoMiss: () => {},
  userAgentUnparsed: () => {},
  unknownModel: () => {},
  contentScrubbed: () => {},
  sdkDeviceDisagreement: () => {},
  unknownFieldFolded: () => {},
  geoipDisabled: () => {},
};
