import { jsonNumber, jsonType } from './json-value-sql.ts';

/** Numbers read leniently, as text ClickHouse converts without throwing. */

export const UINT32_MAX = '4294967295';

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
