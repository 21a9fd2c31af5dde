import type { DecodedEvent } from '../../decode/decoded-event.ts';
import type { EnrichCounters } from '../enrich-counters.ts';
import { compilePropertyRemover, dropKey } from '../event-field.ts';

/**
 * HIP-47: raw LLM prompts and completions must never reach the analytics store. Removes the
 * configured keys from `properties` (a dotted key reaches into nested objects) and counts
 * each removal by key. Runs on every event, before `properties` is serialised.
 */
export function compileContentScrubber(
  keys: readonly string[],
): (event: DecodedEvent, counters: EnrichCounters) => void {
  const topLevel = keys.filter((key) => !key.includes('.'));
  const nested = keys
    .filter((key) => key.includes('.'))
    .map((key) => ({ key, remove: compilePropertyRemover(key.split('.')) }));
  return (event, counters) => {
    const { properties } = event;
    for (const key of topLevel) {
      if (!Object.hasOwn(properties, key) || properties[key] === undefined) continue;
      dropKey(properties, key);
      event.propertiesChanged = true;
      counters.contentScrubbed(key);
    }
    for (const { key, remove } of nested) {
      if (!remove(properties)) continue;
      event.propertiesChanged = true;
      counters.contentScrubbed(key);
    }
  };
}
