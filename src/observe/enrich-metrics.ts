import type { Registry } from 'prom-client';
import type { EnrichCounters } from '../enrich/enrich-counters.ts';
import { METRICS } from './metric-names.ts';
import { counterOf } from './prom.ts';

/** Distinct (provider, model) series kept before the rest are counted as model="other". */
export const MAX_UNKNOWN_MODEL_SERIES = 200;
/** Distinct scrubbed keys kept before the rest are counted as key="other". */
export const MAX_SCRUBBED_KEY_SERIES = 50;
/** Distinct folded top-level field names kept before the rest are counted as field="other". */
export const MAX_FOLDED_FIELD_SERIES = 50;
const MAX_LABEL_LENGTH = 120;

/**
 * Enrichment misses as Prometheus counters. Model names and property keys come from the
 * events themselves, so their label values are bounded: past the cap, new ones are
 * counted under "other" rather than growing the series count without limit.
 */
export function createEnrichCounters(registry: Registry): EnrichCounters {
  const geoMisses = counterOf(registry, METRICS.geoMisses);
  const unparsed = counterOf(registry, METRICS.userAgentsUnparsed);
  const unknownModels = counterOf(registry, METRICS.unknownModels);
  const scrubbed = counterOf(registry, METRICS.contentScrubbed);
  const disagreements = counterOf(registry, METRICS.sdkDeviceDisagreements);
  const geoipDisabled = counterOf(registry, METRICS.geoipDisabled);
  const folded = counterOf(registry, METRICS.unknownFieldsFolded);
  for (const reason of ['invalid', 'private', 'not_found']) geoMisses.inc({ reason }, 0);
  for (const column of ['browser', 'browser_version', 'os', 'os_version', 'device_type'])
    disagreements.inc({ column }, 0);
  unparsed.inc(0);
  geoipDisabled.inc(0);
  const fields = new BoundedLabels(MAX_FOLDED_FIELD_SERIES);
  const models = new BoundedLabels(MAX_UNKNOWN_MODEL_SERIES);
  const keys = new BoundedLabels(MAX_SCRUBBED_KEY_SERIES);
  return {
    geoMiss: (reason) => geoMisses.inc({ reason }),
    userAgentUnparsed: () => unparsed.inc(),
    unknownModel: (provider, model) => {
      const [p, m] = models.admit([provider, model]);
      unknownModels.inc({ provider: p, model: m });
    },
    contentScrubbed: (key) => {
      const [k] = keys.admit([key]);
      scrubbed.inc({ key: k });
    },
    sdkDeviceDisagreement: (column) => disagreements.inc({ column }),
    unknownFieldFolded: (field) => {
      const [f] = fields.admit([field]);
      folded.inc({ field: f });
    },
    geoipDisabled: () => geoipDisabled.inc(),
  } satisfies EnrichCounters;
}

/** Remembers up to `max` label tuples; any further tuple is reported as all "other". */
class BoundedLabels {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  admit(values: readonly string[]): string[] {
    const clean = values.map((v) => (v === '' ? 'none' : v.slice(0, MAX_LABEL_LENGTH)));
    const key = clean.join('\u0000');
    if (this.#seen.has(key)) return clean;
    if (this.#seen.size < this.#max) {
      this.#seen.add(key);
      return clean;
    }
    return clean.map(() => 'other');
  }
}
