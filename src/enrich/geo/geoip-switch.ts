import type { DecodedEvent } from '../../decode/decoded-event.ts';
import type { EventField } from '../event-field.ts';

/** Strings that mean "off" although JavaScript holds every non-empty string true. */
export const SWITCH_OFF_WORDS: readonly string[] = ['false', '0', 'no', 'off'];

/**
 * A privacy switch's value read as PostHog's SDKs and plugin server read it (JavaScript
 * truthiness), leaning towards privacy: on for `true`, a non-zero number, an object or array,
 * or any string other than '', "false", "0", "no", "off" (case and spaces ignored).
 */
export function isSwitchOn(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    return word !== '' && !SWITCH_OFF_WORDS.includes(word);
  }
  return true;
}

/**
 * `$geoip_disable` and the other configured switches (ENRICH_GEOIP_DISABLE_FIELDS): true when
 * any is on. The event is then not located (every geo column empty) and its client IP is
 * removed from `properties` even when ENRICH_KEEP_RAW_IP is set.
 */
export function compileGeoipSwitch(
  fields: readonly EventField[],
): (event: DecodedEvent) => boolean {
  return (event) => fields.some((field) => isSwitchOn(field.read(event)));
}
