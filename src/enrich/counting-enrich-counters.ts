import type { EnrichCounters } from './enrich-counters.ts';

/** Enrichment misses counted in memory: the dry run's summary, and tests. */
export class CountingEnrichCounters implements EnrichCounters {
  readonly geoMisses: Record<'invalid' | 'private' | 'not_found', number> = {
    invalid: 0,
    private: 0,
    not_found: 0,
  };
  userAgentsUnparsed = 0;
  /** `provider/model` → events. */
  readonly unknownModels = new Map<string, number>();
  /** Property key → removals. */
  readonly scrubbed = new Map<string, number>();

  geoMiss(reason: 'invalid' | 'private' | 'not_found'): void {
    this.geoMisses[reason]++;
  }

  userAgentUnparsed(): void {
    this.userAgentsUnparsed++;
  }

  unknownModel(provider: string, model: string): void {
    const key = `${provider}/${model}`;
    this.unknownModels.set(key, (this.unknownModels.get(key) ?? 0) + 1);
  }

  contentScrubbed(key: string): void {
    this.scrubbed.set(key, (this.scrubbed.get(key) ?? 0) + 1);
  }

  toJSON(): object {
    return {
      geoMisses: this.geoMisses,
      userAgentsUnparsed: this.userAgentsUnparsed,
      unknownModels: Object.fromEntries(this.unknownModels),
      scrubbed: Object.fromEntries(this.scrubbed),
    };
  }
}
