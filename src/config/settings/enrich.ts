import { z } from 'zod';
import {
  BUNDLED_GEO_DATABASES,
  DEFAULT_GEOIP_DISABLE_FIELDS,
  DEFAULT_IP_FIELDS,
  DEFAULT_SCRUB_KEYS,
  DEFAULT_USER_AGENT_FIELDS,
  FIELD_PATH_PATTERN,
} from '../../enrich/enrich-defaults.ts';
import { group, setting } from './setting.ts';
import { nonNegativeInt } from './value-types.ts';

const fieldPath = z
  .string()
  .regex(FIELD_PATH_PATTERN, 'must be a field path like properties.$ip or context.ip');

/** Geo, user agent and LLM cost columns, and what is removed before storage. */
export const ENRICH_SETTINGS = {
  geo: group({
    enabled: setting({
      env: 'ENRICH_GEO_ENABLED',
      type: z.boolean(),
      default: true,
      doc: 'Fill country_code, region and city from the client IP',
    }),
    /** MaxMind GeoIP2/GeoLite2 City or ip-location-db, tried in order. */
    databases: setting({
      env: 'ENRICH_GEO_DATABASES',
      type: z.array(z.string().min(1)).min(1),
      default: [...BUNDLED_GEO_DATABASES],
      doc: 'Geo .mmdb files (MaxMind City or ip-location-db), comma-separated; `npm:` = inside a package',
    }),
    cacheSize: setting({
      env: 'ENRICH_GEO_CACHE_SIZE',
      type: nonNegativeInt,
      default: 100_000,
      doc: 'IP lookups kept in the LRU cache',
    }),
    watchIntervalMs: setting({
      env: 'ENRICH_GEO_WATCH_INTERVAL_MS',
      type: nonNegativeInt,
      default: 30_000,
      doc: 'How often geo files are checked for replacement and reloaded (0: never)',
    }),
  }),
  userAgent: group({
    enabled: setting({
      env: 'ENRICH_USER_AGENT_ENABLED',
      type: z.boolean(),
      default: true,
      doc: 'Fill browser, os, device_type from the user agent',
    }),
    cacheSize: setting({
      env: 'ENRICH_USER_AGENT_CACHE_SIZE',
      type: nonNegativeInt,
      default: 20_000,
      doc: 'Parsed user agents kept in the LRU cache',
    }),
  }),
  llmCost: group({
    enabled: setting({
      env: 'ENRICH_LLM_COST_ENABLED',
      type: z.boolean(),
      default: true,
      doc: 'Compute cost_usd of LLM events',
    }),
    overridesFile: setting({
      env: 'ENRICH_PRICING_OVERRIDES_FILE',
      type: z.string().min(1),
      optional: true,
      doc: 'JSON pricing overrides (genai-prices provider format); wins over the bundled prices',
    }),
    recompute: setting({
      env: 'ENRICH_RECOMPUTE_COST',
      type: z.boolean(),
      default: false,
      doc: 'Price events that already carry cost_usd too (else their cost is kept)',
    }),
    cacheSize: setting({
      env: 'ENRICH_PRICING_CACHE_SIZE',
      type: nonNegativeInt,
      default: 10_000,
      doc: 'Resolved (provider, model) pairs kept in the LRU cache',
    }),
  }),
  ipFields: setting({
    env: 'ENRICH_IP_FIELDS',
    type: z.array(fieldPath).min(1),
    default: [...DEFAULT_IP_FIELDS],
    doc: 'Where the client IP is read, first present wins (`properties.` paths read properties)',
  }),
  userAgentFields: setting({
    env: 'ENRICH_USER_AGENT_FIELDS',
    type: z.array(fieldPath).min(1),
    default: [...DEFAULT_USER_AGENT_FIELDS],
    doc: 'Where the user agent is read, first present wins',
  }),
  scrubKeys: setting({
    env: 'ENRICH_SCRUB_KEYS',
    type: z.array(fieldPath),
    default: [...DEFAULT_SCRUB_KEYS],
    doc: 'Properties removed before storage (raw LLM prompts/completions, HIP-47)',
  }),
  /** When one is on, the geo columns stay empty and the client IP is removed. */
  geoipDisableFields: setting({
    env: 'ENRICH_GEOIP_DISABLE_FIELDS',
    type: z.array(fieldPath),
    default: [...DEFAULT_GEOIP_DISABLE_FIELDS],
    doc: 'Privacy switches: when one is on (true, 1, "true"…) the event is not located and its IP is removed',
  }),
  keepRawIp: setting({
    env: 'ENRICH_KEEP_RAW_IP',
    type: z.boolean(),
    default: false,
    doc: 'Keep the client IP in properties (default: removed after the geo lookup)',
  }),
  distinctIdSecret: setting({
    env: 'ENRICH_DISTINCT_ID_SECRET',
    type: z.string().min(16, 'must be at least 16 characters'),
    optional: true,
    doc: 'Set: distinct_id is stored as HMAC-SHA256(secret, distinct_id) hex (off by default)',
    secret: true,
    fromFile: true,
  }),
};
