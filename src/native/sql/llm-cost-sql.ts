import type { KafkaEngineObjects } from '../kafka-engine-objects.ts';
import { sqlString } from '../sql-literal.ts';
import { decimalText, fieldRaw, lenientCount } from './json-field-sql.ts';

/**
 * The worker's LLM cost enrichment (src/enrich/llm/llm-cost-enricher.ts) in SQL, priced
 * from the dictionaries that flatten-genai-prices.ts fills:
 *
 * 1. PostHog `$ai_*` properties fill an empty model, provider, token counts and cost;
 * 2. an LLM event (`$llm_request`, or any with a model or tokens) whose cost was not
 *    provided (or with `recompute`) is priced: provider (by id, provider_match, or from the
 *    model), model (exact names, then rules, then the date-normalised name), the price
 *    period at the event's time, usage normalised by the provider's convention, long-context
 *    tiers, exact integer arithmetic in 10^-18 dollars rounded half-up to 8 decimals;
 * 3. a model priced nowhere gets cost 0 and `cost_source = 'unknown'`.
 *
 * Expects the parse select's aliases p_model0, p_provider0, p_tp0, p_tc0, p_cost_text0,
 * p_cost_src0, p_pm_kept (properties after scrubbing: key → raw JSON), p_ts_ms, p_event;
 * declares p_model, p_provider, p_tp, p_tc, p_cost_text, p_cost_src.
 */
export function llmCostAliases(
  objects: KafkaEngineObjects,
  options: { enabled: boolean; recompute: boolean },
): [string, string][] {
  if (!options.enabled) {
    return [
      ['p_model', 'p_model0'],
      ['p_provider', 'p_provider0'],
      ['p_tp', 'p_tp0'],
      ['p_tc', 'p_tc0'],
      ['p_cost_text', 'p_cost_text0'],
      ['p_cost_src', 'p_cost_src0'],
    ];
  }
  const p = objects.pricing;
  const rules = sqlString(p.rulesDictionary);
  const names = sqlString(p.namesDictionary);
  const models = sqlString(p.modelsDictionary);
  const prices = sqlString(p.pricesDictionary);
  const prop = (key: string): string => `p_pm_kept[${sqlString(key)}]`;
  const propType = (key: string): string =>
    `if(mapContains(p_pm_kept, ${sqlString(key)}), toString(JSONType(${prop(key)})), 'Missing')`;
  const aiCost = decimalText(prop('$ai_total_cost_usd'), propType('$ai_total_cost_usd'));
  // First rule of a scope that matches `subject`: its 1-based index, 0 for none.
  const firstRule = (scope: string, subject: string): string => {
    const arr = (a: string): string => `dictGet(${rules}, '${a}', ${scope})`;
    const prim = (k: string, a: string, re: string): string =>
      `multiIf(${k} = 'equals', ${subject} = ${a}, ${k} = 'starts_with', startsWith(${subject}, ${a}), ${k} = 'ends_with', endsWith(${subject}, ${a}), ${k} = 'contains', position(${subject}, ${a}) > 0, ${k} = 'regex', match(${subject}, ${re}), false)`;
    return `arrayFirstIndex((k1, a1, re1, n1, k2, a2, re2, n2) -> (${prim('k1', 'a1', 're1')}) != n1 AND (k2 = '' OR (${prim('k2', 'a2', 're2')}) != n2), ${['k1', 'a1', 're1', 'n1', 'k2', 'a2', 're2', 'n2'].map(arr).join(', ')})`;
  };
  const ruleField = (scope: string, field: string, index: string): string =>
    `arrayElement(dictGet(${rules}, '${field}', ${scope}), ${index})`;
  // Resolution of one candidate name: exact names first, then rules.
  const resolve = (name: string, suffix: string): [string, string][] => [
    [
      `p_llm_exact${suffix}`,
      `dictGetOrDefault(${names}, ('owner', 'model_id', 'convention'), (p_llm_pid, ${name}), ('', '', toUInt8(0)))`,
    ],
    [
      `p_llm_rule${suffix}`,
      `if(p_llm_pid = '' OR p_llm_exact${suffix}.2 != '', 0, ${firstRule('p_llm_scope', name)})`,
    ],
    [
      `p_llm_hit${suffix}`,
      `if(p_llm_exact${suffix}.2 != '', p_llm_exact${suffix}, (${ruleField('p_llm_scope', 'target_provider', `p_llm_rule${suffix}`)}, ${ruleField('p_llm_scope', 'target_model', `p_llm_rule${suffix}`)}, ${ruleField('p_llm_scope', 'convention', `p_llm_rule${suffix}`)}))`,
    ],
  ];
  const priceAttr = (key: string, attr: string): string =>
    `dictGet(${prices}, '${key}_${attr}', (p_llm_owner, p_llm_model_id, p_llm_period))`;
  // Rate with long-context tiers: the last tier whose start the input total exceeds.
  const rate = (key: string): string =>
    `toInt128(if(arrayLastIndex(s -> p_u_input_total > s, ${priceAttr(key, 'tier_starts')}) = 0, ${priceAttr(key, 'base')}, arrayElement(${priceAttr(key, 'tier_prices')}, arrayLastIndex(s -> p_u_input_total > s, ${priceAttr(key, 'tier_starts')}))))`;
  const has = (key: string): string => `${priceAttr(key, 'set')} = 1`;
  const tokenCount = (field: string, property: string): string =>
    lenientCount(
      `if(mapContains(p_f, ${sqlString(field)}) AND JSONType(${fieldRaw(field)}) != 'Null', ${fieldRaw(field)}, ${prop(property)})`,
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
    ['p_llm', `p_event = '$llm_request' OR p_model != '' OR p_tp != 0 OR p_tc != 0`],
    ['p_llm_price', `p_llm AND (p_cost_src1 != 'provided' OR ${options.recompute ? '1' : '0'})`],
    ['p_llm_m', `lower(trimBoth(p_model))`],
    ['p_llm_p', `lower(trimBoth(p_provider))`],
    [
      'p_llm_pid',
      `if(NOT p_llm_price OR p_llm_m = '', '', if(p_llm_p != '', if(has(dictGet(${rules}, 'target_provider', 'provider_ids'), p_llm_p), p_llm_p, ${ruleField("'provider'", 'target_provider', firstRule("'provider'", 'p_llm_p'))}), ${ruleField("'model_match'", 'target_provider', firstRule("'model_match'", 'p_llm_m'))}))`,
    ],
    ['p_llm_scope', `concat('models:', p_llm_pid)`],
    ...resolve('p_llm_m', '1'),
    // genai-prices retries a name with a compact date suffix (-20250514) as -2025-05-14.
    [
      'p_llm_m2',
      `replaceRegexpAll(p_llm_m, '-(20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(-|:|$)', '-\\\\1-\\\\2-\\\\3\\\\4')`,
    ],
    ...resolve('p_llm_m2', '2'),
    ['p_llm_hit', `if(p_llm_hit1.2 != '' OR p_llm_m2 = p_llm_m, p_llm_hit1, p_llm_hit2)`],
    ['p_llm_owner', 'p_llm_hit.1'],
    ['p_llm_model_id', 'p_llm_hit.2'],
    ['p_llm_convention', 'p_llm_hit.3'],
    ['p_llm_kinds', `dictGet(${models}, 'period_kinds', (p_llm_owner, p_llm_model_id))`],
    ['p_llm_ms_of_day', 'p_ts_ms % 86400000'],
    [
      'p_llm_period',
      `toUInt16(greatest(1, arrayLastIndex((k, a, b) -> multiIf(k = 0, true, k = 1, p_ts_ms >= a, b < a, p_llm_ms_of_day >= a OR p_llm_ms_of_day < b, p_llm_ms_of_day >= a AND p_llm_ms_of_day < b), p_llm_kinds, dictGet(${models}, 'period_a', (p_llm_owner, p_llm_model_id)), dictGet(${models}, 'period_b', (p_llm_owner, p_llm_model_id)))))`,
    ],
    // Usage normalised to genai-prices' convention (token-usage.ts normalizeUsage).
    ['p_u_p', 'toInt64(p_tp)'],
    ['p_u_c', 'toInt64(p_tc)'],
    ['p_u_cr', tokenCount('tokens_cache_read', '$ai_cache_read_input_tokens')],
    ['p_u_cw', tokenCount('tokens_cache_write', '$ai_cache_creation_input_tokens')],
    ['p_u_r', tokenCount('tokens_reasoning', '$ai_reasoning_tokens')],
    ['p_u_read', 'if(p_llm_convention = 1, toInt64(p_u_cr), least(toInt64(p_u_cr), p_u_p))'],
    ['p_u_input_total', 'if(p_llm_convention = 1, p_u_p + p_u_cr + p_u_cw, p_u_p)'],
    [
      'p_u_write',
      'if(p_llm_convention = 1, toInt64(p_u_cw), least(toInt64(p_u_cw), p_u_p - p_u_read))',
    ],
    ['p_u_output_total', 'if(p_llm_convention = 2, p_u_c + p_u_r, p_u_c)'],
    ['p_u_reasoning', 'if(p_llm_convention = 2, toInt64(p_u_r), least(toInt64(p_u_r), p_u_c))'],
    // price-token-usage.ts priceTokenUsage, in 10^-18 dollars.
    [
      'p_llm_cost',
      [
        `if(${has('cache_read')}, toInt128(p_u_read) * ${rate('cache_read')}, toInt128(0))`,
        `if(${has('cache_write')}, toInt128(p_u_write) * ${rate('cache_write')}, toInt128(0))`,
        `if(${has('input')}, toInt128(p_u_input_total - if(${has('cache_read')}, p_u_read, 0) - if(${has('cache_write')}, p_u_write, 0)) * ${rate('input')}, toInt128(0))`,
        `if(${has('reasoning')}, toInt128(p_u_reasoning) * ${rate('reasoning')}, toInt128(0))`,
        `if(${has('output')}, toInt128(p_u_output_total - if(${has('reasoning')}, p_u_reasoning, 0)) * ${rate('output')}, toInt128(0))`,
        `if(${has('requests')}, toInt128(${priceAttr('requests', 'base')}) * 1000, toInt128(0))`,
      ].join(' + '),
    ],
    // Half-up to the column's 8 decimals.
    ['p_llm_units', 'intDiv(p_llm_cost + 5000000000, 10000000000)'],
    [
      'p_llm_cost_text',
      `concat(toString(intDiv(p_llm_units, 100000000)), '.', leftPad(toString(p_llm_units % 100000000), 8, '0'))`,
    ],
    [
      'p_cost_text',
      `multiIf(NOT p_llm_price, p_cost_text1, p_llm_model_id != '', p_llm_cost_text, p_cost_src1 = 'provided', p_cost_text1, '0')`,
    ],
    [
      'p_cost_src',
      `multiIf(NOT p_llm_price, p_cost_src1, p_llm_model_id != '', dictGet(${models}, 'cost_source', (p_llm_owner, p_llm_model_id)), p_cost_src1 = 'provided', p_cost_src1, 'unknown')`,
    ],
  ];
}
