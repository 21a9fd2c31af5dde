import type { DecodedEvent } from '../decode/decoded-event.ts';
import { fillUtmFromUrl } from './columns/utm-from-url.ts';
import type { EnrichCounters } from './enrich-counters.ts';
import type { EnrichStage } from './enrich-stage.ts';
import { dropKey, readFirstPresent, type EventField } from './event-field.ts';
import { scrubClashedFields } from './privacy/scrub-clashed-fields.ts';
import type { GeoLookup } from './geo/geo-lookup.ts';
import { mergeDeviceColumns } from './user-agent/merge-device-columns.ts';
import { isUnparsed, type UserAgentLookup } from './user-agent/user-agent-lookup.ts';

type EventStep = (event: DecodedEvent, counters: EnrichCounters) => void;

/** The enrichers and policies one stage applies; absent parts are switched off. */
export interface EnrichParts {
  readonly counters: EnrichCounters;
  readonly geo: GeoLookup | undefined;
  readonly userAgent: UserAgentLookup | undefined;
  readonly llmCost: EventStep | undefined;
  readonly ipFields: readonly EventField[];
  readonly userAgentFields: readonly EventField[];
  readonly scrubContent: EventStep;
  readonly keepRawIp: boolean;
  /** `$geoip_disable` and the like (geoip-switch.ts): true → not located, IP removed. */
  readonly geoipDisabled?: ((event: DecodedEvent) => boolean) | undefined;
  readonly pseudonymize: ((id: string) => string) | undefined;
  /** An enricher threw (a bug, never bad input): its fields stay empty, the event goes on. */
  readonly onError: (
    step: 'privacy' | 'geo' | 'userAgent' | 'llmCost' | 'columns',
    err: unknown,
  ) => void;
}

/**
 * One event through every enricher, in place. Privacy comes first — the client IP and user
 * agent are read, then content keys and the raw IP are removed — so nothing that must not be
 * stored survives even if a later enricher fails. Each enricher is isolated: a failure leaves
 * its own columns empty.
 */
export function buildEnrichStage(parts: EnrichParts): EnrichStage {
  const { counters, geo, userAgent, llmCost, ipFields, userAgentFields, scrubContent } = parts;
  const { keepRawIp, pseudonymize, onError, geoipDisabled } = parts;
  return (event) => {
    const { row } = event;
    let ip: unknown;
    let ua: unknown;
    try {
      for (const name of event.foldedFields ?? []) counters.unknownFieldFolded(name);
      const notLocated = geoipDisabled?.(event) === true;
      if (notLocated) counters.geoipDisabled();
      if (geo !== undefined && !notLocated) ip = readFirstPresent(ipFields, event);
      if (userAgent !== undefined) ua = readFirstPresent(userAgentFields, event);
      scrubContent(event, counters);
      const removeIp = !keepRawIp || notLocated;
      if (removeIp) {
        for (const field of ipFields) if (field.remove(event)) event.propertiesChanged = true;
      }
      scrubClashedFields(event, scrubContent, removeIp ? ipFields : undefined, counters);
      if (pseudonymize !== undefined) row.distinct_id = pseudonymize(row.distinct_id);
    } catch (err) {
      // Never store what could not be checked: the properties go, the event stays.
      for (const key of Object.keys(event.properties)) dropKey(event.properties, key);
      event.propertiesChanged = true;
      onError('privacy', err);
    }
    if (geo !== undefined && ip !== undefined) {
      try {
        const answer = geo.lookup(ip);
        if (typeof answer === 'string') counters.geoMiss(answer);
        else {
          row.country_code = answer.country_code;
          row.region = answer.region;
          row.city = answer.city;
        }
      } catch (err) {
        onError('geo', err);
      }
    }
    if (userAgent !== undefined && ua !== undefined) {
      try {
        if (typeof ua === 'string') {
          const device = userAgent.lookup(ua);
          // The SDK's own values (decode put them in the row) win; see merge-device-columns.ts.
          mergeDeviceColumns(row, device, (column) => counters.sdkDeviceDisagreement(column));
          if (isUnparsed(device)) counters.userAgentUnparsed();
        } else {
          counters.userAgentUnparsed();
        }
      } catch (err) {
        onError('userAgent', err);
      }
    }
    if (llmCost !== undefined) {
      try {
        llmCost(event, counters);
      } catch (err) {
        onError('llmCost', err);
      }
    }
    try {
      fillUtmFromUrl(row);
    } catch (err) {
      onError('columns', err);
    }
  };
}
