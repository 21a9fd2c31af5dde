/**
 * One row of the HIP-47 `events` table as the worker inserts it (JSONEachRow).
 * Decode fills the event's own fields, enrich fills browser/geo/cost, the batcher adds
 * the ingestion columns. `created_at` is left to the table default.
 */
export interface EventRow {
  uuid: string;
  team_id: number | string;
  distinct_id: string;
  session_id: string;
  event: string;
  /** 'YYYY-MM-DD hh:mm:ss.sss' in UTC (DateTime64(3, 'UTC')). */
  timestamp: string;
  properties: string;
  url: string;
  referrer: string;
  host: string;
  pathname: string;
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  device_type: string;
  country_code: string;
  city: string;
  region: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  model: string;
  provider: string;
  tokens_prompt: number;
  tokens_completion: number;
  /** Decimal64(8): sent as a decimal string to avoid binary float artefacts. */
  cost_usd: string;
  /**
   * Where `cost_usd` came from: `provided` (the event carried it), `bundled@<version>`
   * (genai-prices data), `override` (the user's pricing file), `unknown` (model not priced),
   * or '' (not an LLM event / enrichment off).
   */
  cost_source: string;
  organization_id: string;
  project_id: string;
  api_key_id: string;
  /**
   * Months the row is kept (the events TTL reads it): the team's override from team_settings
   * in PostgreSQL, or HIP-47's 12 (src/enrich/retention).
   */
  retention_months: number;
  _topic: string;
  _partition: number;
  _offset: string;
  _ingested_at: string;
}

/** HIP-47's retention of events, for teams without an override (the column's DEFAULT too). */
export const DEFAULT_RETENTION_MONTHS = 12;

/** Where a Kafka message came from; every row and dead letter carries it. */
export interface MessageOrigin {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as decimal strings. */
  readonly offset: string;
  /** Broker (or producer) timestamp of the message, epoch ms. */
  readonly timestampMs: number;
}

const DAY_MS = 86_400_000;
/** Year 10000: from there on toISOString writes six-digit years. */
const FOUR_DIGIT_YEARS_END_MS = 253_402_300_800_000;
let cachedDay = Number.NaN;
let cachedDate = '';

/**
 * ClickHouse DateTime64(3) text for an epoch-millisecond instant (`YYYY-MM-DD hh:mm:ss.sss`,
 * UTC), as `Date#toISOString` writes it. Once per event: the calendar date is worked out once
 * per day (events of a batch share a few days), the time of day by arithmetic.
 */
export function toClickHouseDateTime64(epochMs: number): string {
  const ms = Math.trunc(epochMs);
  if (!(ms >= 0 && ms < FOUR_DIGIT_YEARS_END_MS)) {
    const iso = new Date(epochMs).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cachedDay = day;
  }
  const inDay = ms - day * DAY_MS;
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor((inDay % 3_600_000) / 60_000);
  const seconds = Math.floor((inDay % 60_000) / 1000);
  const millis = inDay % 1000;
  return `${cachedDate} ${two(hours)}:${two(minutes)}:${two(seconds)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
