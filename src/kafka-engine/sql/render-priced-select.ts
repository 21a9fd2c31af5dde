import type { KafkaEngineObjects } from '../object-names.ts';
import { llmPriceAliases } from './llm-cost-sql.ts';
import type { ParseSelectOptions } from './parse-select-options.ts';
import { FIELDS_EXTRA_COLUMNS, PARSED_COLUMN_NAMES } from './parsed-columns-sql.ts';
import { stagedSelect } from './staged-select.ts';

/**
 * The pricing view's SELECT: fields table → parsed table, adding `cost_usd` and
 * `cost_source` (llm-cost-sql.ts). A view of its own on purpose: its hundreds of match
 * conditions then read materialised columns — inside one view, ClickHouse's short-circuit
 * evaluation recomputes a lazily evaluated input at every condition, gigabytes per block.
 */
export function renderPricedSelect(
  objects: KafkaEngineObjects,
  fieldsTable: string,
  options: Pick<ParseSelectOptions, 'llmCost'>,
): string {
  const passed = PARSED_COLUMN_NAMES.filter((c) => c !== 'cost_usd' && c !== 'cost_source');
  const aliases: [string, string][] = [
    ['p_model', 'model'],
    ['p_tp', 'tokens_prompt'],
    ['p_tc', 'tokens_completion'],
    ...llmPriceAliases(objects, options.llmCost),
  ];
  const outer = PARSED_COLUMN_NAMES.map((c) =>
    c === 'cost_usd'
      ? 'toDecimal64OrZero(p_cost_text, 8) AS cost_usd'
      : c === 'cost_source'
        ? 'p_cost_src AS cost_source'
        : c,
  );
  const base = `SELECT ${[...passed, ...FIELDS_EXTRA_COLUMNS.map(([n]) => n)].join(', ')} FROM ${fieldsTable}`;
  return stagedSelect(base, aliases, outer);
}
