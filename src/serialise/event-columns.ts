import type { EventRow } from '../decode/event-row.ts';
import {
  ATTRIBUTION_FIELDS,
  LLM_FIELDS,
  PAGE_FIELDS,
  UTM_FIELDS,
} from '../decode/top-level-fields.ts';

/**
 * Columns the worker writes, in the order the rows serialise them (the events table's):
 * the input contract's field groups (top-level-fields.ts) among the columns enrichment fills.
 */
export const EVENT_COLUMNS = [
  'uuid',
  'team_id',
  'distinct_id',
  'session_id',
  'event',
  'timestamp',
  'properties',
  ...PAGE_FIELDS,
  'browser',
  'browser_version',
  'os',
  'os_version',
  'device_type',
  'country_code',
  'city',
  'region',
  ...UTM_FIELDS,
  ...LLM_FIELDS,
  'cost_source',
  ...ATTRIBUTION_FIELDS,
  'retention_months',
  '_topic',
  '_partition',
  '_offset',
  '_ingested_at',
] as const satisfies readonly (keyof EventRow)[];
