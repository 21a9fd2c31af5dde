import { CLASHING_FIELDS_KEY } from '../../decode/fold-unknown-fields.ts';
import { COLUMN_FIELDS, IDENTITY_FIELDS } from '../../decode/top-level-fields.ts';
import type { DecodeConfig } from '../../config/schema.ts';
import { check, lit, msg } from './field-check-sql.ts';
import type { FieldSql } from './json-field-sql.ts';
import { jsTypeName, typeAlias } from './json-value-sql.ts';
import { valueLimitsCheck, type ValueLimitsSql } from './value-limits-sql.ts';

/** Latest instant DateTime64(3) holds, as the worker's parse-timestamp.ts. */
export const DATETIME64_MAX_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

type DecodeLimits = Pick<
  DecodeConfig,
  'format' | 'maxMessageBytes' | 'maxPropertiesBytes' | 'maxFutureSkewMs'
> &
  ValueLimitsSql;

/**
 * The first problem of a message as a (dead-letter class, message) tuple, ('', '') for a good
 * row — the worker's checks in the worker's order (decode-message.ts, normalize-event.ts,
 * decoded-event.ts finishRow), over the parse view's aliases.
 */
export function problemExpression(
  fields: Readonly<Record<string, FieldSql>>,
  costOk: string,
  decode: DecodeLimits,
): string {
  const ts = typeAlias('timestamp');
  const props = typeAlias('properties');
  const costCheck = check([
    [
      `NOT ${costOk}`,
      'wrong_type',
      msg(
        lit('cost_usd must be a non-negative decimal below 1e10, got '),
        jsTypeName(typeAlias('cost_usd')),
      ),
    ],
  ]);
  const checks = [
    check([
      [
        "_error != ''",
        'kafka_engine',
        "concat('the Kafka engine could not read the message: ', _error)",
      ],
      ['length(p_msg) = 0', 'not_an_object', lit('empty message (no value)')],
      [
        `length(p_msg) > ${decode.maxMessageBytes}`,
        'message_too_large',
        msg(
          lit('message is '),
          'toString(length(p_msg))',
          lit(` bytes, above the ${decode.maxMessageBytes}-byte limit`),
        ),
      ],
      [
        decode.format === 'auto' ? "startsWith(p_msg, '\\0')" : 'false',
        'avro_not_supported',
        lit('Avro (Confluent wire format) message: kafka-engine mode reads JSON only'),
      ],
      ['NOT p_valid_utf8', 'invalid_utf8', lit('message is not valid UTF-8')],
      ['NOT p_valid_json', 'invalid_json', lit('invalid JSON')],
    ]),
    // The whole event's limits, before its shape (decode-message.ts).
    `if(p_valid_json, ${valueLimitsCheck('p_msg', decode, 'event')}, ('', ''))`,
    check([
      [
        "p_msg_type != 'Object'",
        'not_an_object',
        msg(lit('event must be a JSON object, got '), jsTypeName('p_msg_type')),
      ],
    ]),
    check([
      [
        `${props} = 'Object' AND p_props_type != 'Object'`,
        'invalid_json',
        lit(
          'properties holds a whole number from 2^64 up to 1e21 (such as 1e20), which ClickHouse cannot read back',
        ),
      ],
      [
        `${props} = 'String' AND p_props_type = ''`,
        'wrong_type',
        lit('properties is a string but not valid JSON'),
      ],
      [
        `${props} NOT IN ('Missing', 'Null', 'Object') AND (${props} != 'String' OR p_props_type != 'Object')`,
        'wrong_type',
        msg(
          lit('properties must be an object, got '),
          jsTypeName(`if(${props} = 'String', p_props_type, ${props})`),
        ),
      ],
    ]),
    // properties given as JSON text was opaque to the whole event's check (normalize-event.ts).
    `if(${props} = 'String', ${valueLimitsCheck('p_props_text', decode, 'properties')}, ('', ''))`,
    check([
      [
        `${ts} IN ('Missing', 'Null') OR (${ts} = 'String' AND JSONExtractString(p_f['timestamp']) = '')`,
        'missing_field',
        lit('timestamp is required'),
      ],
      [
        'p_ts_is_num AND NOT isFinite(p_ts_f)',
        'wrong_type',
        lit('timestamp must be a finite epoch-ms number'),
      ],
      [
        `${ts} = 'String' AND p_ts_parsed IS NULL`,
        'wrong_type',
        msg(lit('timestamp is not a timestamp: '), 'p_ts_s'),
      ],
      [
        `NOT p_ts_is_num AND ${ts} != 'String'`,
        'wrong_type',
        msg(lit('timestamp must be a string or epoch-ms number, got '), jsTypeName(ts)),
      ],
      ['p_ts_ms_f < 0', 'timestamp_before_1970', lit('timestamp is before 1970')],
      [
        `p_ts_ms_f > ${DATETIME64_MAX_MS}`,
        'timestamp_out_of_range',
        lit('timestamp is beyond DateTime64 range (2299-12-31)'),
      ],
      [
        'p_ts_future AND NOT p_ts_broker',
        'timestamp_in_future',
        msg(
          lit('timestamp is '),
          'toString(round((p_ts_ms_f - p_now_ms) / 1000))',
          lit(` s in the future (allowed: ${Math.round(decode.maxFutureSkewMs / 1000)} s)`),
        ),
      ],
    ]),
    // The fields in the worker's order; cost_usd's reading is the pricing view's (costOk).
    ...[...IDENTITY_FIELDS, ...COLUMN_FIELDS].map((k) =>
      k === 'cost_usd' ? costCheck : (fields[k]?.check ?? "('', '')"),
    ),
    check([
      [
        'p_fold_problem',
        'wrong_type',
        lit(
          `properties.${CLASHING_FIELDS_KEY} is reserved for top-level fields that clash with properties, and the event has such a field`,
        ),
      ],
    ]),
    check([
      [
        `length(p_props_out) > ${decode.maxPropertiesBytes}`,
        'properties_too_large',
        msg(
          lit('properties is '),
          'toString(length(p_props_out))',
          lit(` bytes, above the ${decode.maxPropertiesBytes}-byte limit`),
        ),
      ],
    ]),
  ];
  // The first non-empty check wins.
  return `arrayFirst(x -> x.1 != '', [${checks.join(', ')}, ('', '')])`;
}
