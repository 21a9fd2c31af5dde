import { sqlString } from '../sql-literal.ts';

/**
 * SQL for reading the top-level fields of an event the way the worker's field readers do
 * (src/decode/field-readers.ts), over `p_f`: the message's top-level keys → raw JSON text of
 * their values (a Map, last duplicate wins like JSON.parse). Each reader gives a value
 * expression that never throws and a check: a (class, message) tuple, ('', '') when fine.
 */

export const NO_PROBLEM = "('', '')";

/** Raw JSON text of a top-level field ('' when absent). */
export function fieldRaw(key: string): string {
  return `p_f[${sqlString(key)}]`;
}

/** JSONType of a top-level field as text, 'Missing' when absent. */
export function fieldType(key: string): string {
  const k = sqlString(key);
  return `if(mapContains(p_f, ${k}), ${jsonType(`p_f[${k}]`)}, 'Missing')`;
}

/**
 * JSONType of raw JSON text (one value) as text, as JSON.parse sees it. The raw extraction
 * prints a whole double from 2^64 up to 1e21 as digits (1e20 → 21 digits), which ClickHouse
 * then no longer reads ('Null'): such a value is a number — or an object or array holding
 * one (properties.ts refuses those) — never an absent field (`tokens_prompt: 1e20` landed
 * as 0 that way).
 */
export function jsonType(raw: string): string {
  return `multiIf(JSONType(${raw}) != 'Null' OR ${raw} = 'null', toString(JSONType(${raw})), startsWith(${raw}, '{'), 'Object', startsWith(${raw}, '['), 'Array', 'Double')`;
}

/** The number raw JSON text holds, as a double (JSONExtractFloat reads 0 for 21 digits). */
export function jsonNumber(raw: string): string {
  return `toFloat64OrZero(${raw})`;
}

/** JavaScript's String() of a double: `1e+21` rather than `1e21`, and `0` for -0. */
export function jsNumberText(value: string): string {
  return `if(${value} = 0, '0', replaceRegexpOne(toString(${value}), 'e([0-9])', 'e+\\\\1'))`;
}

/** JavaScript's typeName of a JSON value (field-readers.ts) from its JSONType. */
export function jsTypeName(type: string): string {
  return `multiIf(${type} = 'Null', 'null', ${type} = 'Array', 'array', ${type} = 'Object', 'object', ${type} = 'Bool', 'boolean', ${type} = 'String', 'string', 'number')`;
}

/** A check: the first condition that holds names the problem. */
export function check(
  cases: readonly (readonly [cond: string, cls: string, message: string])[],
): string {
  if (cases.length === 0) return NO_PROBLEM;
  const parts = cases.flatMap(([cond, cls, message]) => [cond, `(${sqlString(cls)}, ${message})`]);
  return `multiIf(${parts.join(', ')}, ${NO_PROBLEM})`;
}

/** A message literal joined with SQL string expressions: msg('team_id must …, got ', expr). */
export function msg(...parts: readonly string[]): string {
  return parts.length === 1 ? (parts[0] ?? "''") : `concat(${parts.join(', ')})`;
}

export function lit(text: string): string {
  return sqlString(text);
}

/**
 * Value text of a raw JSON string/number as JavaScript's String() would print it: every
 * number is a double there (9007199254740993 prints as …992), in shortest round-trip form.
 */
export function jsStringOf(raw: string, type: string): string {
  return `multiIf(${type} = 'String', JSONExtractString(${raw}), ${type} IN ('Int64', 'UInt64', 'Double'), ${jsNumberText(jsonNumber(raw))}, '')`;
}

export interface FieldSql {
  /** Value expression (valid even when the check fails). */
  readonly value: string;
  readonly check: string;
}

const T = (key: string): string => `p_t_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** Alias of a field's JSONType (declared once per field in the parse select). */
export function typeAlias(key: string): string {
  return T(key);
}

/** `requiredString`: a non-empty string. */
export function requiredString(key: string): FieldSql {
  const t = T(key);
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

/** `requiredId`: a string, or a number printed as JavaScript prints it. */
export function requiredId(key: string): FieldSql {
  const t = T(key);
  const base = requiredString(key);
  return {
    value: jsStringOf(fieldRaw(key), t),
    check: `if(${t} IN ('Int64', 'UInt64', 'Double'), ${NO_PROBLEM}, ${base.check})`,
  };
}

/** `optionalString`: absent or null → '', a number → its text, anything else is wrong. */
export function optionalString(key: string): FieldSql {
  const t = T(key);
  return {
    value: jsStringOf(fieldRaw(key), t),
    check: check([
      [
        `${t} NOT IN ('Missing', 'Null', 'String', 'Int64', 'UInt64', 'Double')`,
        'wrong_type',
        msg(lit(`${key} must be a string, got `), jsTypeName(t)),
      ],
    ]),
  };
}

const MAX_SAFE_INTEGER = '9007199254740991';

/** `requiredUInt64`: a safe non-negative integer, or its digits as a string (≤ 2^64−1). */
export function requiredUInt64(key: string): FieldSql {
  const t = T(key);
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

const UINT32_MAX = '4294967295';

/** `optionalUInt32`: absent → 0; an integer 0…2^32−1, or up to 10 digits as a string. */
export function optionalUInt32(key: string): FieldSql {
  const t = T(key);
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

/**
 * A token count read leniently (llm-cost-enricher.ts `count`): a whole number 0…2^32−1 or
 * its digits, anything else 0. `raw` is raw JSON text ('' when absent).
 */
export function lenientCount(raw: string): string {
  const type = `if(${raw} = '', 'Missing', ${jsonType(raw)})`;
  const s = `JSONExtractString(${raw})`;
  const f = jsonNumber(raw);
  const okNumber = `(${type} IN ('Int64', 'UInt64', 'Double') AND ${f} >= 0 AND ${f} <= ${UINT32_MAX} AND ${f} = floor(${f}))`;
  return `toUInt32(multiIf(${okNumber}, toUInt64(if(${okNumber}, ${f}, 0)), ${type} = 'String' AND match(${s}, '^[0-9]{1,10}$') AND toUInt64OrZero(${s}) <= ${UINT32_MAX}, toUInt64OrZero(${s}), toUInt64(0)))`;
}

/**
 * `optionalDecimal` as Decimal64(8) text: a number 0 ≤ v < 1e10 (rounded to 8 places) or
 * decimal text with up to 10 + 8 digits. `raw`/`type` of any JSON value.
 */
export function decimalText(raw: string, type: string): { ok: string; text: string } {
  const s = `JSONExtractString(${raw})`;
  const f = jsonNumber(raw);
  const okNumber = `(${type} IN ('Int64', 'UInt64', 'Double') AND ${f} >= 0 AND ${f} < 1e10)`;
  const okString = `(${type} = 'String' AND match(${s}, '^[0-9]{1,10}(\\\\.[0-9]{1,8})?$'))`;
  return {
    ok: `(${type} IN ('Missing', 'Null') OR ${okNumber} OR ${okString})`,
    text: `multiIf(${okNumber}, toString(round(${f}, 8)), ${okString}, ${s}, '0')`,
  };
}

/** `optionalUuid`: absent, null or '' → no uuid; else a UUID string, lower-cased. */
export function optionalUuid(key: string): FieldSql {
  const t = T(key);
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
