import type { DecodeConfig } from '../../config/schema.ts';
import { check, lit, msg } from './field-check-sql.ts';

export type ValueLimitsSql = Pick<DecodeConfig, 'maxDepth' | 'maxKeys' | 'maxStringLength'>;

/** A JSON string literal in raw JSON text (escapes included). */
const JSON_STRING = '"(?:[^"\\\\\\\\]|\\\\\\\\.)*"';

/**
 * The worker's value limits (src/decode/value-limits.ts) over JSON text `text`, as a
 * (class, message) check: nesting deeper than `maxDepth` (the outer value is level 1), more
 * than `maxKeys` object keys plus array items in all, a string (value or key) longer than
 * `maxStringLength` UTF-16 units. Read from the text with the string literals blanked out,
 * so brackets, colons and numbers inside strings never count. Each measure is taken only
 * when the text could pass its limit (enough brackets, bytes): ordinary events cost three
 * counts. `path` names the value in the message, as the worker's reason does.
 */
export function valueLimitsCheck(text: string, limits: ValueLimitsSql, path: string): string {
  const blanked = `replaceRegexpAll(${text}, '${JSON_STRING}', '""')`;
  const depth = `if(countMatches(${text}, '[\\\\[{]') > ${limits.maxDepth}, arrayMax(arrayCumSum(arrayMap(c -> if(c IN ('[', '{'), 1, -1), extractAll(${blanked}, '[\\\\[\\\\]{}]')))), 0)`;
  // Every value but the outer one is a key's value or an array item: count the values.
  const values = `countSubstrings(${blanked}, '""') - countSubstrings(${blanked}, ':') + countMatches(${blanked}, '-?[0-9][0-9.eE+-]*') + countMatches(${blanked}, 'true|false|null') + countMatches(${blanked}, '[\\\\[{]')`;
  const keys = `if(length(${text}) > ${limits.maxKeys}, toInt64(${values}) - 1, 0)`;
  // A UTF-16 unit takes at least one byte of JSON text: shorter texts cannot pass the limit.
  const utf16 = (s: string): string =>
    `(lengthUTF8(${s}) + countMatches(${s}, '[\\\\x{10000}-\\\\x{10FFFF}]'))`;
  const longest = `if(length(${text}) > ${limits.maxStringLength}, arrayMax(arrayMap(s -> ${utf16('JSONExtractString(s)')}, arrayPushBack(extractAll(${text}, '${JSON_STRING}'), '""'))), 0)`;
  return check([
    [
      `${depth} > ${limits.maxDepth}`,
      'too_deeply_nested',
      lit(`${path} nests objects or arrays more than ${limits.maxDepth} levels deep`),
    ],
    [
      `${keys} > ${limits.maxKeys}`,
      'too_many_keys',
      lit(`${path} has more than ${limits.maxKeys} keys and array items in all`),
    ],
    [
      `${longest} > ${limits.maxStringLength}`,
      'string_too_long',
      msg(
        lit(`${path} holds a string of `),
        `toString(${longest})`,
        lit(` characters, above the ${limits.maxStringLength}-character limit`),
      ),
    ],
  ]);
}
