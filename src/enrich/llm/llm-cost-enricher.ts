import type { DecodedEvent } from '../../decode/decoded-event.ts';
import type { EventRow } from '../../decode/event-row.ts';
import { optionalDecimal } from '../../decode/field-readers.ts';
import type { EnrichCounters } from '../enrich-counters.ts';
import type { PriceCatalog } from './price-catalog.ts';
import { costColumnText, priceTokenUsage } from './price-token-usage.ts';
import { normalizeUsage, type ReportedUsage } from './token-usage.ts';

export interface LlmCostOptions {
  readonly catalog: PriceCatalog;
  /** Price events that carry their own cost too (else a provided cost is kept). */
  readonly recompute: boolean;
}

const UINT32_MAX = 4_294_967_295;

/**
 * Fills `cost_usd` and `cost_source` of LLM events — `$llm_request` and any event with a
 * model or token counts — from the model's price at the event's timestamp. Token counts
 * come from the row (`tokens_prompt`, `tokens_completion`) plus, when present, cache and
 * reasoning counts (`tokens_cache_read`, `tokens_cache_write`, `tokens_reasoning` at the top
 * level, or PostHog's `$ai_cache_read_input_tokens`, `$ai_cache_creation_input_tokens`,
 * `$ai_reasoning_tokens` properties). PostHog `$ai_*` properties also fill empty model,
 * provider, token and cost columns.
 */
export function createLlmCostEnricher(
  options: LlmCostOptions,
): (event: DecodedEvent, counters: EnrichCounters) => void {
  const { catalog, recompute } = options;
  return (decoded, counters) => {
    const { row, properties, event } = decoded;
    if (Object.hasOwn(properties, '$ai_model')) fillFromAiProperties(row, properties);
    if (
      row.event !== '$llm_request' &&
      row.model === '' &&
      row.tokens_prompt === 0 &&
      row.tokens_completion === 0
    ) {
      return;
    }
    if (row.cost_source === 'provided' && !recompute) return;
    const pricing = catalog.resolve(row.provider, row.model);
    if (pricing === undefined) {
      counters.unknownModel(row.provider, row.model);
      if (row.cost_source !== 'provided') {
        row.cost_usd = '0';
        row.cost_source = 'unknown';
      }
      return;
    }
    const reported: ReportedUsage = {
      prompt: row.tokens_prompt,
      completion: row.tokens_completion,
      cacheRead: count(event['tokens_cache_read'] ?? properties['$ai_cache_read_input_tokens']),
      cacheWrite: count(
        event['tokens_cache_write'] ?? properties['$ai_cache_creation_input_tokens'],
      ),
      reasoning: count(event['tokens_reasoning'] ?? properties['$ai_reasoning_tokens']),
    };
    const usage = normalizeUsage(reported, pricing.convention);
    row.cost_usd = costColumnText(
      priceTokenUsage(usage, pricing.schedule.pricesAt(decoded.timestampMs)),
    );
    row.cost_source = pricing.source;
  };
}

/** PostHog LLM observability events carry their usage in `$ai_*` properties. */
function fillFromAiProperties(row: EventRow, p: Readonly<Record<string, unknown>>): void {
  if (row.model === '' && typeof p['$ai_model'] === 'string') row.model = p['$ai_model'];
  if (row.provider === '' && typeof p['$ai_provider'] === 'string') {
    row.provider = p['$ai_provider'];
  }
  if (row.tokens_prompt === 0) row.tokens_prompt = count(p['$ai_input_tokens']);
  if (row.tokens_completion === 0) row.tokens_completion = count(p['$ai_output_tokens']);
  if (row.cost_source === '' && p['$ai_total_cost_usd'] !== undefined) {
    const cost = optionalDecimal(p, '$ai_total_cost_usd');
    if (typeof cost === 'string') {
      row.cost_usd = cost;
      row.cost_source = 'provided';
    }
  }
}

/** A token count: a whole number 0…2^32−1 (or its digits); anything else counts as 0. */
function count(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= UINT32_MAX ? n : 0;
}
