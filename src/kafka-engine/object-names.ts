import {
  instanceName,
  resolveTarget,
  type ResolvedTarget,
  type SchemaTarget,
} from '../schema/schema-target.ts';
import { schemaTableName } from '../schema/render-schema.ts';

/**
 * Every ClickHouse object of Kafka-engine mode, named after the events table the
 * way the schema names its own objects: HIP-47's names for `events` (`events_kafka`,
 * `events_kafka_mv`), `<table>_kafka`… otherwise, so several pipelines can share a database.
 *
 *   <events>_kafka              ENGINE = Kafka: one row per message (the bytes as they are)
 *   <events>_kafka_raw_mv       Kafka table → <events>_kafka_raw (its only view: a plain copy)
 *   <events>_kafka_raw          ENGINE = Null: the message and the engine's virtual columns
 *   <events>_kafka_parse_mv     raw → <events>_kafka_fields: decode rules, privacy, geo, LLM usage
 *   <events>_kafka_fields       ENGINE = Null: every message parsed, good or not, cost not yet
 *   <events>_kafka_price_mv     fields → <events>_kafka_parsed: LLM cost from the pricing dictionaries
 *   <events>_kafka_parsed       ENGINE = Null: every message parsed and priced
 *   <events>_kafka_mv           parsed rows without error → events
 *   <events>_kafka_errors_mv    parsed rows with an error → <events>_kafka_errors
 *   <events>_kafka_errors       the raw message, why it was refused, and where it came from
 *   <events>_llm_*              pricing tables and dictionaries (cost in SQL)
 *   <events>_geo_networks       ip_trie table and dictionary: network → location id
 *   <events>_geo_locations      location id → country_code, region, city (geo in SQL)
 *   <events>_user_agents        regexp_tree table and dictionary (uap-core user-agent regexes)
 *   <events>_team_retention     per-team retention table and dictionary (TEAM_SETTINGS_URL set)
 */
export interface KafkaEngineObjects {
  readonly target: ResolvedTarget;
  readonly database: string;
  /** Qualified names (`db.name`). */
  readonly kafkaTable: string;
  readonly rawView: string;
  readonly rawTable: string;
  readonly parseView: string;
  readonly fieldsTable: string;
  readonly priceView: string;
  readonly parsedTable: string;
  readonly rowsView: string;
  readonly errorsView: string;
  readonly errorsTable: string;
  /** Where rows go: the events table (the Distributed one when there is one). */
  readonly eventsTable: string;
  readonly pricing: {
    readonly namesTable: string;
    readonly namesDictionary: string;
    readonly modelsTable: string;
    readonly modelsDictionary: string;
    readonly pricesTable: string;
    readonly pricesDictionary: string;
  };
  readonly geo: {
    readonly table: string;
    readonly dictionary: string;
    readonly locationsTable: string;
    readonly locationsDictionary: string;
  };
  /** uap-core regexes: regexp_tree table and dictionary (user agents in SQL). */
  readonly userAgent: { readonly table: string; readonly dictionary: string };
  readonly retention: { readonly table: string; readonly dictionary: string };
}

export function kafkaEngineObjects(schema: SchemaTarget): KafkaEngineObjects {
  const target = resolveTarget(schema);
  const q = (logical: string): string => `${target.database}.${instanceName(target, logical)}`;
  return {
    target,
    database: target.database,
    kafkaTable: q('events_kafka'),
    rawView: q('events_kafka_raw_mv'),
    rawTable: q('events_kafka_raw'),
    parseView: q('events_kafka_parse_mv'),
    fieldsTable: q('events_kafka_fields'),
    priceView: q('events_kafka_price_mv'),
    parsedTable: q('events_kafka_parsed'),
    rowsView: q('events_kafka_mv'),
    errorsView: q('events_kafka_errors_mv'),
    errorsTable: q('events_kafka_errors'),
    eventsTable: schemaTableName(schema, 'events').read,
    pricing: {
      namesTable: q('events_llm_model_names_data'),
      namesDictionary: q('events_llm_model_names'),
      modelsTable: q('events_llm_models_data'),
      modelsDictionary: q('events_llm_models'),
      pricesTable: q('events_llm_prices_data'),
      pricesDictionary: q('events_llm_prices'),
    },
    geo: {
      table: q('events_geo_networks_data'),
      dictionary: q('events_geo_networks'),
      locationsTable: q('events_geo_locations_data'),
      locationsDictionary: q('events_geo_locations'),
    },
    userAgent: { table: q('events_user_agents_data'), dictionary: q('events_user_agents') },
    retention: {
      table: q('events_team_retention_data'),
      dictionary: q('events_team_retention'),
    },
  };
}
