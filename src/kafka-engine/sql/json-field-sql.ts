import { UNSAFE_INTEGER_DETAIL } from '../../decode/field-readers.ts';
import { check, lit, msg } from './field-check-sql.ts';
import { fieldRaw, jsonNumber, jsStringOf, jsTypeName, typeAlias } from './json-value-sql.ts';
import { UINT32_MAX } from './number-text-sql.ts';

/**
 * SQL for reading the top-level fields of an event the way the worker's field readers do
 * (src/decode/field-readers.ts). Each reader gives a value expression that never throws and
 * a check (field-check-sql.ts).
 */

export interface FieldSql {
  /** Value expression (valid even when the check fails). */
  readonly value: string;
  readonly check: string;
}

/** `requiredString`: a non-empty string. */
export function requiredString(key: string): FieldSql {
  const t = typeAlias(key);
  const v = `JSONExtractString(${fieldRaw(key)})`;
  return {
    value: v,
    check: check([
      [
        `${t} IN ('Missing', 'Null') OR (${t} = 'String' AND ${v} = '')`,
        'missing_field',
        lit(`${key} is required`),
      ],
      [`${t} != 'String'`, 'wrong_type', msg(lit(`${key} must be a string, got `), jsTypeName(t))],
    ]),
  };
}

/** `requiredId`: a string, or a number printed as JavaScript prints it (not beyond 2^53). */
export function requiredId(key: string): FieldSql {
  const t = typeAlias(key);
  const base = requiredString(key);
  return {
    value: jsStringOf(fieldRaw(key), t),
    check: `if(${t} IN ('Int64', 'UInt64', 'Double'), ${check([unsafeInteger(key)])}, ${base.check})`,
  };
}

/** `optionalString`: absent or null → '', a number → its text, anything else is wrong. */
export function optionalString(key: string): FieldSql {
  const t = typeAlias(key);
  return {
    value: jsStringOf(fieldRaw(key), t),
    check: check([
      unsafeInteger(key),
      [
        `${t} NOT IN ('Missing', 'Null', 'String', 'Int64', 'UInt64', 'Double')`,
        'wrong_type',
        msg(lit(`${key} must be a string, got `), jsTypeName(t)),
      ],
    ]),
  };
}

/** A number where text is stored that is an integer beyond 2^53 (field-readers.ts numberText). */
function unsafeInteger(key: string): [string, 'wrong_type', string] {
  const t = typeAlias(key);
  const f = jsonNumber(fieldRaw(key));
  return [
    `${t} IN ('Int64', 'UInt64', 'Double') AND abs(${f}) > ${MAX_SAFE_INTEGER} AND ${f} = floor(${f})`,
    'wrong_type',
    lit(`${key} ${UNSAFE_INTEGER_DETAIL}`),
  ];
}

const MAX_SAFE_INTEGER = '9007199254740991';

/** `requiredUInt64`: a safe non-negative integer, or its digits as a string (≤ 2^64−1). */
export function requiredUInt64(key: string): FieldSql {
  const t = typeAlias(key);
  const raw = fieldRaw(key);
  const s = `JSONExtractString(${raw})`;
  const f = jsonNumber(raw);
  const okNumber = `(${t} IN ('Int64', 'UInt64', 'Double') AND ${f} >= 0 AND ${f} <= ${MAX_SAFE_INTEGER} AND ${f} = floor(${f}))`;
  const okString = `(${t} = 'String' AND match(${s}, '^[0-9]{1,20}$') AND toUInt64OrNull(${s}) IS NOT NULL)`;
  return {
    // Conversions get an in-range argument whatever the row: nothing here may throw.
    value: `multiIf(${okNumber}, toUInt64(if(${okNumber}, ${f}, 0)), ${okString}, toUInt64OrZero(${s}), toUInt64(0))`,
    check: check([
      [`${t} IN ('Missing', 'Null')`, 'missing_field', lit(`${key} is required`)],
      [
        `${t} IN ('Int64', 'UInt64', 'Double') AND NOT ${okNumber}`,
        'wrong_type',
        msg(lit(`${key} must be a non-negative integer, got `), jsStringOf(raw, t)),
      ],
      [
        `${t} NOT IN ('Int64', 'UInt64', 'Double') AND NOT ${okString}`,
        'wrong_type',
        msg(lit(`${key} must be a non-negative integer, got `), jsTypeName(t)),
      ],
    ]),
  };
}

/** `optionalUInt32`: absent → 0; an integer 0…2^32−1, or up to 10 digits as a string. */
export function optionalUInt32(key: string): FieldSql {
  const t = typeAlias(key);
  const raw = fieldRaw(key);
  const s = `JSONExtractString(${raw})`;
  const f = jsonNumber(raw);
  const okNumber = `(${t} IN ('Int64', 'UInt64', 'Double') AND ${f} >= 0 AND ${f} <= ${UINT32_MAX} AND ${f} = floor(${f}))`;
  const okString = `(${t} = 'String' AND match(${s}, '^[0-9]{1,10}$') AND toUInt64OrZero(${s}) <= ${UINT32_MAX})`;
  return {
    value: `toUInt32(multiIf(${okNumber}, toUInt64(if(${okNumber}, ${f}, 0)), ${okString}, toUInt64OrZero(${s}), toUInt64(0)))`,
    check: check([
      [
        `${t} NOT IN ('Missing', 'Null') AND NOT ${okNumber} AND NOT ${okString}`,
        'wrong_type',
        msg(lit(`${key} must be an integer from 0 to ${UINT32_MAX}, got `), jsTypeName(t)),
      ],
    ]),
  };
}

/** `optionalUuid`: absent, null or '' → no uuid; else a UUID string, lower-cased. */
export function optionalUuid(key: string): FieldSql {
  const t = typeAlias(key);
  const s = `JSONExtractString(${fieldRaw(key)})`;
  const ok = `(${t} = 'String' AND match(${s}, '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'))`;
  return {
    value: `if(${ok}, lower(${s}), '')`,
    check: check([
      [
        `NOT (${t} IN ('Missing', 'Null') OR (${t} = 'String' AND ${s} = '')) AND NOT ${ok}`,
        'wrong_type',
        msg(lit(`${key} must be a UUID, got `), `if(${t} = 'String', ${s}, ${jsTypeName(t)})`),
      ],
    ]),
  };
}
