import type { Config } from '../config/schema.ts';
import { ENV_SETTINGS } from '../config/env-settings.ts';
import { ConfigError } from '../errors.ts';
import type { PricingTables } from './pricing/pricing-tables.ts';
import type { KafkaTableSettings } from './render-kafka-table.ts';
import type { LlmCostSqlOptions } from './sql/llm-cost-sql.ts';
import { botPattern } from './user-agent/bot-pattern.ts';
import type { FieldPath } from './sql/client-ip-sql.ts';
import type { ParseSelectOptions } from './sql/parse-select-options.ts';

export interface KafkaEngineOptions {
  readonly kafka: KafkaTableSettings;
  readonly parse: ParseSelectOptions;
  /** The ip_trie CSV, when geo is on and one is configured. */
  readonly geoNetworksFile: string | undefined;
  /** Per-team retention on (teamSettings.url set): rows read it from a dictionary. */
  readonly teamRetention: boolean;
  /** The worker's geo databases: the ip_trie's data when no networks file is given. */
  readonly geoDatabases: readonly string[];
  /** What this mode does differently from the worker with this configuration (logged at start). */
  readonly differences: readonly string[];
}

/**
 * Kafka-engine mode's settings from the worker's configuration: the same topics, consumer
 * group, decode limits and enrichment choices (`pricing`: the flattened genai-prices data,
 * needed when LLM cost is on). What SQL cannot do safely stops start-up
 * (naming the setting) instead of silently storing something the worker would not.
 */
export function kafkaEngineOptions(
  config: Readonly<Config>,
  pricing: PricingTables | undefined,
): KafkaEngineOptions {
  const problems: string[] = [];
  const differences: string[] = [];
  const { decode, enrich, kafka, kafkaEngine } = config;
  if (decode.format !== 'json' && decode.format !== 'auto') {
    problems.push(
      `${setting('decode.format')}: kafka-engine mode reads JSON only, got ${decode.format}; use mode worker for Avro topics`,
    );
  }
  if (decode.format === 'auto') {
    differences.push(
      'Avro (Confluent wire format) messages go to the errors table as avro_not_supported',
    );
  }
  if (enrich.distinctIdSecret !== undefined) {
    problems.push(
      `${setting('enrich.distinctIdSecret')}: kafka-engine mode would have to write the secret into the view definition (readable in system.tables); pseudonymize in the producers or use mode worker`,
    );
  }
  if (enrich.llmCost.enabled && enrich.llmCost.overridesFile !== undefined) {
    problems.push(
      `${setting('enrich.llmCost.overridesFile')}: kafka-engine mode prices from the bundled genai-prices data only; unset it or use mode worker`,
    );
  }
  // The worker's scrub keys, read as compileContentScrubber reads them: a dotted key is a path.
  const topLevelScrub = enrich.scrubKeys.filter((k) => !k.includes('.'));
  const nestedScrub = enrich.scrubKeys.filter((k) => k.includes('.')).map((k) => k.split('.'));
  const ipFields: FieldPath[] = enrich.ipFields.map(fieldPathOf);
  const removedIp = enrich.keepRawIp ? [] : ipFields.filter((f) => f.inProperties);
  const nestedIp = removedIp.filter((f) => f.segments.length > 1);
  if (nestedIp.length > 0) {
    problems.push(
      `${setting('enrich.ipFields')}: kafka-engine mode removes the raw IP from top-level properties keys only (or set ${setting('enrich.keepRawIp')} to true): ${nestedIp.map((f) => `properties.${f.segments.join('.')}`).join(', ')}`,
    );
  }
  // A top-level IP field (Segment's context.ip) is kept out of the folding of unknown
  // top-level fields, whole: SQL cannot remove a key nested in a folded value.
  const topLevelIp = ipFields.filter((f) => !f.inProperties);
  const topLevelIpRoots = [...new Set(topLevelIp.map((f) => f.segments[0] ?? ''))];
  const switches = enrich.geoipDisableFields.map((path): FieldPath => {
    const segments = path.split('.');
    const inProperties = segments[0] === 'properties' && segments.length > 1;
    return { inProperties, segments: inProperties ? segments.slice(1) : segments };
  });
  const switchedIp = enrich.keepRawIp ? ipFields.filter((f) => f.inProperties) : [];
  if (switches.length > 0 && switchedIp.some((f) => f.segments.length > 1)) {
    problems.push(
      `${setting('enrich.geoipDisableFields')}: with ${setting('enrich.keepRawIp')} on, kafka-engine mode can remove the raw IP of a switched-off event from top-level properties keys only: ${switchedIp
        .filter((f) => f.segments.length > 1)
        .map((f) => `properties.${f.segments.join('.')}`)
        .join(', ')}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const nestedTopLevelIp = topLevelIp.filter((f) => f.segments.length > 1);
  if (nestedTopLevelIp.length > 0) {
    differences.push(
      `the top-level field${nestedTopLevelIp.length > 1 ? 's' : ''} ${[...new Set(nestedTopLevelIp.map((f) => f.segments[0]))].join(', ')} (holding the IP field ${nestedTopLevelIp.map((f) => f.segments.join('.')).join(', ')}) ${enrich.keepRawIp ? 'is not folded into properties when a geo switch is on' : 'is not folded into properties'} (the worker keeps it without the IP)`,
    );
  }

  if (enrich.userAgent.enabled) {
    differences.push(
      'browser, os and device_type from the SDK properties ($browser, $os, …) when sent, else from uap-core regexes in SQL (regexp_tree), not ua-parser-js: names mapped, a share of agents differs (docs/kafka-engine.md)',
    );
  }
  const geo = enrich.geo.enabled;
  if (geo && kafkaEngine.geoNetworksFile === undefined) {
    differences.push(
      'country_code, region and city from an ip_trie dictionary of the same geo databases (per address family the first database that covers it)',
    );
  }
  return {
    kafka: {
      brokers: kafka.brokers,
      topics: kafka.topics,
      groupName: kafka.groupId,
      clientId: kafka.clientId,
      numConsumers: kafkaEngine.numConsumers,
      maxBlockSize: kafkaEngine.maxBlockSize,
      flushIntervalMs: kafkaEngine.flushIntervalMs,
      threadPerConsumer: kafkaEngine.threadPerConsumer,
    },
    parse: {
      decode,
      removeKeys: [...new Set([...topLevelScrub, ...removedIp.map((f) => f.segments[0] ?? '')])],
      removePaths: nestedScrub,
      ipFields: geo ? ipFields : [],
      geo,
      geoipSwitches: switches,
      ipKeysWhenSwitched: [...new Set(switchedIp.map((f) => f.segments[0] ?? ''))],
      fold: enrich.keepRawIp
        ? { neverFolded: [], notFoldedWhenSwitched: topLevelIpRoots }
        : { neverFolded: topLevelIpRoots, notFoldedWhenSwitched: [] },
      userAgent: enrich.userAgent.enabled
        ? {
            fields: enrich.userAgentFields.map(fieldPathOf),
            botPattern: botPattern(),
          }
        : undefined,
      llmCost: enrich.llmCost.enabled
        ? llmCostOf(enrich.llmCost.recompute, pricingOf(pricing))
        : undefined,
    },
    geoNetworksFile: geo ? kafkaEngine.geoNetworksFile : undefined,
    teamRetention: config.teamSettings.url !== undefined,
    geoDatabases: enrich.geo.databases,
    differences,
  };
}

function fieldPathOf(path: string): FieldPath {
  const segments = path.split('.');
  const inProperties = segments[0] === 'properties' && segments.length > 1;
  return { inProperties, segments: inProperties ? segments.slice(1) : segments };
}

function pricingOf(pricing: PricingTables | undefined): PricingTables {
  if (pricing === undefined) throw new Error('LLM cost is on: load the pricing tables first');
  return pricing;
}

function llmCostOf(recompute: boolean, pricing: PricingTables): LlmCostSqlOptions {
  const { rules, maxPeriods, maxTiers } = pricing;
  return { recompute, rules, maxPeriods, maxTiers };
}

/** `ENV_NAME (config.path)`, as configuration errors name a setting. */
function setting(path: string): string {
  const env = ENV_SETTINGS.find((s) => s.path.join('.') === path)?.env;
  return env === undefined ? path : `${env} (${path})`;
}
