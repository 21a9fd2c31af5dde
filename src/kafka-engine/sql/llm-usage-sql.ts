import { sqlString } from '../sql-literal.ts';
import { fieldRaw, jsonType } from './json-value-sql.ts';
import { decimalText, lenientCount } from './number-text-sql.ts';

/**
 * LLM usage from the event, before any price (llm-cost-enricher.ts): PostHog `$ai_*`
 * properties fill an empty model, provider, token counts and cost; cache and reasoning
 * tokens are read; the names used for pricing are normalised. Runs in the parse view, so the
 * pricing view reads these as plain columns (see renderPricedSelect).
 */
export function llmUsageAliases(enabled: boolean): [string, string][] {
  if (!enabled) {
    return [
      ['p_model', 'p_model0'],
      ['p_provider', 'p_provider0'],
      ['p_tp', 'p_tp0'],
      ['p_tc', 'p_tc0'],
      ['p_cost_text1', 'p_cost_text0'],
      ['p_cost_src1', 'p_cost_src0'],
      ['p_u_cr', 'toUInt32(0)'],
      ['p_u_cw', 'toUInt32(0)'],
      ['p_u_r', 'toUInt32(0)'],
      ['p_llm_m', "''"],
      ['p_llm_p', "''"],
    ];
  }
  const prop = (key: string): string => `p_pm_kept[${sqlString(key)}]`;
  const propType = (key: string): string =>
    `if(mapContains(p_pm_kept, ${sqlString(key)}), ${jsonType(prop(key))}, 'Missing')`;
  const aiCost = decimalText(prop('$ai_total_cost_usd'), propType('$ai_total_cost_usd'));
  const tokenCount = (field: string, property: string): string =>
    lenientCount(
      `if(mapContains(p_f, ${sqlString(field)}) AND ${jsonType(fieldRaw(field))} != 'Null', ${fieldRaw(field)}, ${prop(property)})`,
    );
  return [
    ['p_ai', `mapContains(p_pm_kept, '$ai_model')`],
    [
      'p_model',
      `if(p_ai AND p_model0 = '' AND ${propType('$ai_model')} = 'String', JSONExtractString(${prop('$ai_model')}), p_model0)`,
    ],
    [
      'p_provider',
      `if(p_ai AND p_provider0 = '' AND ${propType('$ai_provider')} = 'String', JSONExtractString(${prop('$ai_provider')}), p_provider0)`,
    ],
    ['p_tp', `if(p_ai AND p_tp0 = 0, ${lenientCount(prop('$ai_input_tokens'))}, p_tp0)`],
    ['p_tc', `if(p_ai AND p_tc0 = 0, ${lenientCount(prop('$ai_output_tokens'))}, p_tc0)`],
    [
      'p_ai_cost',
      `p_ai AND p_cost_src0 = '' AND mapContains(p_pm_kept, '$ai_total_cost_usd') AND ${aiCost.ok}`,
    ],
    ['p_cost_text1', `if(p_ai_cost, ${aiCost.text}, p_cost_text0)`],
    ['p_cost_src1', `if(p_ai_cost, 'provided', p_cost_src0)`],
    ['p_u_cr', tokenCount('tokens_cache_read', '$ai_cache_read_input_tokens')],
    ['p_u_cw', tokenCount('tokens_cache_write', '$ai_cache_creation_input_tokens')],
    ['p_u_r', tokenCount('tokens_reasoning', '$ai_reasoning_tokens')],
    ['p_llm_m', `lower(trimBoth(p_model))`],
    ['p_llm_p', `lower(trimBoth(p_provider))`],
  ];
}
