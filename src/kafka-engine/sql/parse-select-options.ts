import type { DecodeConfig } from '../../config/schema.ts';
import type { FieldPath } from './client-ip-sql.ts';
import type { LlmCostSqlOptions } from './llm-cost-sql.ts';
import type { FoldSqlOptions } from './sdk-fields-sql.ts';
import type { UserAgentSqlOptions } from './user-agent-sql.ts';

/** What the parse view applies: the worker's decode limits and the enrichment SQL can do. */
export interface ParseSelectOptions {
  readonly decode: Pick<
    DecodeConfig,
    | 'format'
    | 'maxMessageBytes'
    | 'maxPropertiesBytes'
    | 'maxFutureSkewMs'
    | 'timestampSkewPolicy'
    | 'maxDepth'
    | 'maxKeys'
    | 'maxStringLength'
  >;
  /** Top-level `properties` keys never stored (content scrubbing, the raw client IP). */
  readonly removeKeys: readonly string[];
  /** Nested `properties` keys never stored (dotted scrub keys, split at the dots). */
  readonly removePaths: readonly (readonly string[])[];
  /** Where the client IP is read, first non-empty string wins (geo on when given). */
  readonly ipFields: readonly FieldPath[];
  readonly geo: boolean;
  /** User agents in SQL (uap-core regexp_tree dictionary); undefined: off. */
  readonly userAgent?: UserAgentSqlOptions | undefined;
  /** LLM cost in SQL (the rules are rendered into the view); undefined: off. */
  readonly llmCost: LlmCostSqlOptions | undefined;
  /** `$geoip_disable`-style switches: on → no geo, `ipKeysWhenSwitched` removed too. */
  readonly geoipSwitches?: readonly FieldPath[];
  /** Top-level `properties` keys holding the IP, removed when a switch is on (keepRawIp). */
  readonly ipKeysWhenSwitched?: readonly string[];
  /** Top-level fields kept out of the folding (a top-level IP field's root). */
  readonly fold?: FoldSqlOptions;
}
