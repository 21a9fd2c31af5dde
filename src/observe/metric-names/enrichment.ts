import type { MetricSpec } from './metric-spec.ts';

/** Enrichment: geo, user agents, LLM cost, privacy, SDK fields, and per-team retention (team_settings in PostgreSQL). */
export const ENRICHMENT_METRICS = {
  geoMisses: {
    name: 'hanzo_ingest_enrich_geo_misses_total',
    kind: 'counter',
    help: 'Events with an IP but no geo values, by reason (invalid, private, not_found)',
    labels: ['reason'],
  },
  userAgentsUnparsed: {
    name: 'hanzo_ingest_enrich_user_agents_unparsed_total',
    kind: 'counter',
    help: 'User agent strings that yielded no browser and no OS',
    labels: [],
  },
  unknownModels: {
    name: 'hanzo_ingest_enrich_unknown_models_total',
    kind: 'counter',
    help: 'LLM events whose model has no price (cost 0), by provider and model (capped; the rest as model="other")',
    labels: ['provider', 'model'],
  },
  contentScrubbed: {
    name: 'hanzo_ingest_enrich_llm_content_scrubbed_total',
    kind: 'counter',
    help: 'Raw LLM content fields removed from properties, by key',
    labels: ['key'],
  },
  sdkDeviceDisagreements: {
    name: 'hanzo_ingest_enrich_sdk_device_disagreements_total',
    kind: 'counter',
    help: "Events whose SDK device property ($browser, $os, their versions, $device_type) differs from the parsed user agent, by column (the SDK's value is stored)",
    labels: ['column'],
  },
  geoipDisabled: {
    name: 'hanzo_ingest_enrich_geoip_disabled_total',
    kind: 'counter',
    help: 'Events with $geoip_disable (or another ENRICH_GEOIP_DISABLE_FIELDS switch) on: not located, client IP removed',
    labels: [],
  },
  unknownFieldsFolded: {
    name: 'hanzo_ingest_decode_unknown_fields_folded_total',
    kind: 'counter',
    help: 'Top-level fields outside the input contract folded into properties, by field (capped; the rest as field="other")',
    labels: ['field'],
  },
  // per-team retention (team_settings in PostgreSQL)
  teamSettingsRefreshFailures: {
    name: 'hanzo_ingest_team_settings_refresh_failures_total',
    kind: 'counter',
    help: 'Reads of team_settings from PostgreSQL that failed (the last known settings, or 12 months, stay in use)',
    labels: [],
  },
  teamSettingsAge: {
    name: 'hanzo_ingest_team_settings_age_seconds',
    kind: 'gauge',
    help: 'Age of the team settings in use (since the last successful read; since start-up before any)',
    labels: [],
  },
  teamSettingsTeams: {
    name: 'hanzo_ingest_team_settings_teams',
    kind: 'gauge',
    help: 'Teams with a retention override in the settings in use',
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;
