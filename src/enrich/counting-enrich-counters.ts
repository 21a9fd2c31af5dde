import type { EnrichCounters } from './enrich-counters.ts';
import type { DeviceColumn } from './user-agent/merge-device-columns.ts';

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
  /** Device column → events whose SDK value and user agent differ. */
  readonly sdkDeviceDisagreements = new Map<DeviceColumn, number>();
  /** Top-level field name → events it was folded into properties. */
  readonly unknownFieldsFolded = new Map<string, number>();
  geoipDisabledEvents = 0;

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

  sdkDeviceDisagreement(column: DeviceColumn): void {
    this.sdkDeviceDisagreements.set(column, (this.sdkDeviceDisagreements.get(column) ?? 0) + 1);
  }

  unknownFieldFolded(field: string): void {
    this.unknownFieldsFolded.set(field, (this.unknownFieldsFolded.get(field) ?? 0) + 1);
  }

  geoipDisabled(): void {
    this.geoipDisabledEvents++;
  }

  toJSON(): object {
    return {
      geoMisses: this.geoMisses,
      userAgentsUnparsed: this.userAgentsUnparsed,
      unknownModels: Object.fromEntries(this.unknownModels),
      scrubbed: Object.fromEntries(this.scrubbed),
      sdkDeviceDisagreements: Object.fromEntries(this.sdkDeviceDisagreements),
      unknownFieldsFolded: Object.fromEntries(this.unknownFieldsFolded),
      geoipDisabled: this.geoipDisabledEvents,
    };
  }
}
