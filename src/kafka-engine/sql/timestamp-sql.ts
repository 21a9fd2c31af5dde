import type { DecodeConfig } from '../../config/schema.ts';
import { fieldRaw, jsonNumber, typeAlias } from './json-value-sql.ts';
import { DATETIME64_MAX_MS } from './parse-problems-sql.ts';

/**
 * The timestamp texts the worker reads (ISO 8601 / 'YYYY-MM-DD hh:mm:ss[.fff]', zone
 * optional), with the ranges Date.parse checks: month 1–12, day 1–31 (a day past the month's
 * end rolls over, 02-30 is 03-01), hour 0–23 or 24:00 (the next midnight), minutes and seconds
 * 0–59, zone hours 0–23.
 */
const TIMESTAMP_TEXT =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ](([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?|24:00(:00([.]0+)?)?)(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$';
/** Parsed as the 1st at hh (24 → 00), then the days and the 24th hour added as Date.parse rolls them. */
const TIMESTAMP_AT_FIRST =
  "concat(substring(p_ts_s, 1, 8), '01', replaceRegexpOne(substring(p_ts_s, 11), '^([T ])24:', '\\\\100:'))";
const TIMESTAMP_ROLLOVER_MS =
  "(toInt64(substring(p_ts_s, 9, 2)) - 1 + if(match(p_ts_s, '^.{10}[T ]24:'), 1, 0)) * 86400000";

/**
 * The event's timestamp in epoch ms (p_ts_ms) as the worker's parse-timestamp.ts reads it:
 * a number, or a timestamp text; a time too far ahead is the broker's under `broker-time`.
 */
export function timestampAliases(
  decode: Pick<DecodeConfig, 'maxFutureSkewMs' | 'timestampSkewPolicy'>,
): [string, string][] {
  const skewed = decode.timestampSkewPolicy === 'broker-time';
  return [
    ['p_ts_f', jsonNumber(fieldRaw('timestamp'))],
    ['p_ts_s', `trimBoth(JSONExtractString(${fieldRaw('timestamp')}))`],
    ['p_ts_is_num', `${typeAlias('timestamp')} IN ('Int64', 'UInt64', 'Double')`],
    [
      'p_ts_parsed',
      `if(${typeAlias('timestamp')} = 'String' AND match(p_ts_s, '${TIMESTAMP_TEXT}'), parseDateTime64BestEffortOrNull(${TIMESTAMP_AT_FIRST}, 3, 'UTC'), NULL)`,
    ],
    // Years the parser would clamp are judged on the text, as Date.parse sees them.
    ['p_ts_year', 'toUInt32OrZero(substring(p_ts_s, 1, 4))'],
    [
      'p_ts_ms_f',
      `multiIf(p_ts_is_num, trunc(p_ts_f), p_ts_parsed IS NOT NULL AND p_ts_year > 2299, 1e16, p_ts_parsed IS NOT NULL, toFloat64(toUnixTimestamp64Milli(assumeNotNull(p_ts_parsed)) + ${TIMESTAMP_ROLLOVER_MS}), nan)`,
    ],
    ['p_now_ms', 'toUnixTimestamp64Milli(now64(3))'],
    [
      'p_ts_future',
      `isFinite(p_ts_ms_f) AND p_ts_ms_f >= 0 AND p_ts_ms_f <= ${DATETIME64_MAX_MS} AND p_ts_ms_f > p_now_ms + ${decode.maxFutureSkewMs}`,
    ],
    // The broker's time stands in only where an event's own would be accepted.
    [
      'p_ts_broker',
      skewed
        ? `p_ts_future AND _timestamp_ms IS NOT NULL AND toUnixTimestamp64Milli(assumeNotNull(_timestamp_ms)) BETWEEN 0 AND p_now_ms + ${decode.maxFutureSkewMs}`
        : 'false',
    ],
    [
      'p_ts_ms',
      `if(p_ts_broker, toUnixTimestamp64Milli(assumeNotNull(_timestamp_ms)), toInt64(if(isFinite(p_ts_ms_f) AND p_ts_ms_f >= 0 AND p_ts_ms_f <= ${DATETIME64_MAX_MS}, p_ts_ms_f, 0)))`,
    ],
  ];
}
