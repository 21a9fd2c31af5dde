/**
 * The top-level fields of the input contract (docs/input-contract.md), declared once. The
 * unknown-field fold (fold-unknown-fields.ts, and its SQL in sdk-fields-sql.ts), the
 * Kafka-engine field checks (parse-problems-sql.ts) and the events columns (event-columns.ts)
 * are derived from these lists; the field readers of both modes (normalize-event.ts,
 * render-parse-select.ts) are type-checked against them, and their order is tested
 * (test/unit/decode/top-level-fields.test.ts). Order matters: both modes check the fields in
 * this order, so it decides which problem of an event with several is reported.
 */

/** Checked first, in this order. */
export const IDENTITY_FIELDS = ['uuid', 'team_id', 'event', 'distinct_id'] as const;

export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** Page columns; each also read from a PostHog property when absent (string-from-properties.ts). */
export const PAGE_FIELDS = ['url', 'referrer', 'host', 'pathname'] as const;

export const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign'] as const;

export const LLM_FIELDS = [
  'model',
  'provider',
  'tokens_prompt',
  'tokens_completion',
  'cost_usd',
] as const;

export const ATTRIBUTION_FIELDS = ['organization_id', 'project_id', 'api_key_id'] as const;

/** Each lands in the column of its name; checked after the identity fields, in this order. */
export const COLUMN_FIELDS = [
  'session_id',
  ...PAGE_FIELDS,
  ...UTM_FIELDS,
  ...LLM_FIELDS,
  ...ATTRIBUTION_FIELDS,
] as const;

export type ColumnField = (typeof COLUMN_FIELDS)[number];

/** Read by LLM pricing (llm-cost-enricher.ts), stored in no column of their own. */
export const LLM_USAGE_FIELDS = [
  'tokens_cache_read',
  'tokens_cache_write',
  'tokens_reasoning',
] as const;

/** Every top-level field the contract names; any other is folded into `properties`. */
export const TOP_LEVEL_FIELDS = [
  ...IDENTITY_FIELDS,
  'timestamp',
  'properties',
  ...COLUMN_FIELDS,
  ...LLM_USAGE_FIELDS,
] as const;
