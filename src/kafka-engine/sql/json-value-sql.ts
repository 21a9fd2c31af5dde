import { sqlString } from '../sql-literal.ts';

/**
 * SQL for reading raw JSON values the way JavaScript sees them, over `p_f`: the message's
 * top-level keys → raw JSON text of their values (a Map, last duplicate wins like JSON.parse).
 * The building blocks of the field readers (json-field-sql.ts).
 */

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

/**
 * Value text of a raw JSON string/number as JavaScript's String() would print it: every
 * number is a double there (9007199254740993 prints as …992), in shortest round-trip form.
 */
export function jsStringOf(raw: string, type: string): string {
  return `multiIf(${type} = 'String', JSONExtractString(${raw}), ${type} IN ('Int64', 'UInt64', 'Double'), ${jsNumberText(jsonNumber(raw))}, '')`;
}

/** Alias of a field's JSONType (declared once per field in the parse select). */
export function typeAlias(key: string): string {
  return `p_t_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
}
