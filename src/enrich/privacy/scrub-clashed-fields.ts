import type { DecodedEvent } from '../../decode/decoded-event.ts';
import { CLASHING_FIELDS_KEY } from '../../decode/fold-unknown-fields.ts';
import type { EnrichCounters } from '../enrich-counters.ts';
import { isPlainObject, type EventField } from '../event-field.ts';

/**
 * A top-level field that clashed with a property of its name waits in
 * `properties.$unknown_fields` (fold-unknown-fields.ts): what is never stored in
 * `properties` is not stored from there either. The content keys are scrubbed from it, and
 * the IP keys (`properties.` paths of ENRICH_IP_FIELDS) removed when the raw IP goes.
 */
export function scrubClashedFields(
  event: DecodedEvent,
  scrubContent: (event: DecodedEvent, counters: EnrichCounters) => void,
  ipFields: readonly EventField[] | undefined,
  counters: EnrichCounters,
): void {
  if (event.foldedFields === undefined || event.foldedFields.length === 0) return;
  const clashes = event.properties[CLASHING_FIELDS_KEY];
  if (!isPlainObject(clashes)) return;
  // The clashing fields as properties of their own: the same removers apply.
  const inner: DecodedEvent = { ...event, properties: clashes, propertiesChanged: false };
  scrubContent(inner, counters);
  for (const field of ipFields ?? []) {
    if (field.path.startsWith('properties.') && field.remove(inner)) inner.propertiesChanged = true;
  }
  if (inner.propertiesChanged) event.propertiesChanged = true;
}
