import type { KafkaEngineObjects } from '../object-names.ts';
import type { MatchRules } from '../pricing/pricing-tables.ts';
import { sqlString } from '../sql-literal.ts';
import { modelRulesSql, providerSql } from './llm-match-rules-sql.ts';

export interface LlmCostSqlOptions {
  readonly recompute: boolean;
  readonly rules: MatchRules;
  /** The most price periods of one model, and long-context tiers of one price, in the data. */
  readonly maxPeriods: number;
  readonly maxTiers: number;
}

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
export function llmPriceAliases(
  objects: KafkaEngineObjects,
  options: LlmCostSqlOptions | undefined,
): [string, string][] {
  if (options === undefined) {
    return [
      ['p_cost_text', 'p_cost_text1'],
      ['p_cost_src', 'p_cost_src1'],
    ];
  }
  const { rules, maxPeriods, maxTiers } = options;
  const p = objects.pricing;
  const names = sqlString(p.namesDictionary);
  const models = sqlString(p.modelsDictionary);
  const prices = sqlString(p.pricesDictionary);
  const noHit = "('', '', toUInt8(0))";
  const priceAttr = (key: string, attr: string): string =>
    `dictGet(${prices}, '${key}_${attr}', (p_llm_owner, p_llm_model_id, p_llm_period))`;
  // Rate with long-context tiers: the last tier whose start the input total exceeds
  // (unrolled to the data's most tiers: no lambdas, see renderParseSelect).
  const rate = (key: string): string => {
    const starts = priceAttr(key, 'tier_starts');
    const tiers = Array.from({ length: maxTiers }, (_, i) => maxTiers - i).flatMap((i) => [
      `length(${starts}) >= ${i} AND p_u_input_total > arrayElement(${starts}, ${i})`,
      `arrayElement(${priceAttr(key, 'tier_prices')}, ${i})`,
    ]);
    return `toInt128(${tiers.length === 0 ? priceAttr(key, 'base') : `multiIf(${tiers.join(', ')}, ${priceAttr(key, 'base')})`})`;
  };
  const modelKey = '(p_llm_owner, p_llm_model_id)';
  const holds = (i: number): string => {
    const k = `arrayElement(p_llm_kinds, ${i})`;
    const a = `arrayElement(dictGet(${models}, 'period_a', ${modelKey}), ${i})`;
    const b = `arrayElement(dictGet(${models}, 'period_b', ${modelKey}), ${i})`;
    return `length(p_llm_kinds) >= ${i} AND multiIf(${k} = 0, true, ${k} = 1, p_ts_ms >= ${a}, ${b} < ${a}, p_llm_ms_of_day >= ${a} OR p_llm_ms_of_day < ${b}, p_llm_ms_of_day >= ${a} AND p_llm_ms_of_day < ${b})`;
  };
  const exact = (name: string): string =>
    `if(p_llm_pid != '' AND dictHas(${names}, (p_llm_pid, ${name})), dictGet(${names}, ('owner', 'model_id', 'convention'), (p_llm_pid, ${name})), ${noHit})`;
  const has = (key: string): string => `toInt128(${priceAttr(key, 'set')})`;
  return [
    ['p_llm', `p_event = '$llm_request' OR p_model != '' OR p_tp != 0 OR p_tc != 0`],
    ['p_llm_price', `p_llm AND (p_cost_src1 != 'provided' OR ${options.recompute ? '1' : '0'})`],
    // genai-prices' provider: by id, else provider_match; from the model when none is given.
    ['p_llm_pid', `if(NOT p_llm_price OR p_llm_m = '', '', ${providerSql(rules)})`],
    // genai-prices retries a name with a compact date suffix (-20250514) as -2025-05-14.
    [
      'p_llm_m2',
      `replaceRegexpAll(p_llm_m, '-(20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(-|:|$)', '-\\\\1-\\\\2-\\\\3\\\\4')`,
    ],
    // The name, then its date variant: the exact-name dictionary (the library's own answer
    // for the names it knows), else the rules in the library's order.
    ['p_llm_exact1', exact('p_llm_m')],
    ['p_llm_exact2', `if(p_llm_m2 = p_llm_m, ${noHit}, ${exact('p_llm_m2')})`],
    [
      'p_llm_rule1',
      `if(p_llm_pid = '' OR p_llm_exact1.2 != '', ${noHit}, ${modelRulesSql(rules, 'p_llm_m', noHit)})`,
    ],
    [
      'p_llm_rule2',
      `if(p_llm_pid = '' OR p_llm_m2 = p_llm_m OR p_llm_exact1.2 != '' OR p_llm_rule1.2 != '' OR p_llm_exact2.2 != '', ${noHit}, ${modelRulesSql(rules, 'p_llm_m2', noHit)})`,
    ],
    [
      'p_llm_hit',
      "multiIf(p_llm_exact1.2 != '', p_llm_exact1, p_llm_rule1.2 != '', p_llm_rule1, p_llm_exact2.2 != '', p_llm_exact2, p_llm_rule2)",
    ],
    ['p_llm_owner', 'p_llm_hit.1'],
    ['p_llm_model_id', 'p_llm_hit.2'],
    ['p_llm_convention', 'p_llm_hit.3'],
    ['p_llm_kinds', `dictGet(${models}, 'period_kinds', (p_llm_owner, p_llm_model_id))`],
    ['p_llm_ms_of_day', 'p_ts_ms % 86400000'],
    // The last period whose constraint holds at the event's time, else the first.
    [
      'p_llm_period',
      `toUInt16(${
        maxPeriods <= 1
          ? '1'
          : `multiIf(${Array.from({ length: maxPeriods - 1 }, (_, i) => maxPeriods - i)
              .flatMap((i) => [holds(i), String(i)])
              .join(', ')}, 1)`
      })`,
    ],
    // Usage normalised to genai-prices' convention (token-usage.ts normalizeUsage).
    ['p_u_p', 'toInt64(p_tp)'],
    ['p_u_c', 'toInt64(p_tc)'],
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
      // Each part times its 0/1 "priced" flag rather than inside if(): see p_cost_choice.
      [
        `${has('cache_read')} * toInt128(p_u_read) * ${rate('cache_read')}`,
        `${has('cache_write')} * toInt128(p_u_write) * ${rate('cache_write')}`,
        `${has('input')} * toInt128(p_u_input_total - ${has('cache_read')} * p_u_read - ${has('cache_write')} * p_u_write) * ${rate('input')}`,
        `${has('reasoning')} * toInt128(p_u_reasoning) * ${rate('reasoning')}`,
        `${has('output')} * toInt128(p_u_output_total - ${has('reasoning')} * p_u_reasoning) * ${rate('output')}`,
        `${has('requests')} * toInt128(${priceAttr('requests', 'base')}) * 1000`,
      ].join(' + '),
    ],
    // Half-up to the column's 8 decimals.
    ['p_llm_units', 'intDiv(p_llm_cost + 5000000000, 10000000000)'],
    [
      'p_llm_cost_text',
      `concat(toString(intDiv(p_llm_units, 100000000)), '.', leftPad(toString(p_llm_units % 100000000), 8, '0'))`,
    ],
    // 1: as the event says, 2: priced here, 3: unknown model. The results are chosen from an
    // array, not inside multiIf: ClickHouse's short-circuit evaluation would compute the
    // price lazily, re-running its shared inputs per use (gigabytes for a handful of rows).
    [
      'p_cost_choice',
      "multiIf(NOT p_llm_price, 1, p_llm_model_id != '', 2, p_cost_src1 = 'provided', 1, 3)",
    ],
    ['p_cost_text', "arrayElement([p_cost_text1, p_llm_cost_text, '0'], p_cost_choice)"],
    [
      'p_cost_src',
      `arrayElement([p_cost_src1, dictGet(${models}, 'cost_source', (p_llm_owner, p_llm_model_id)), 'unknown'], p_cost_choice)`,
    ],
  ];
}
