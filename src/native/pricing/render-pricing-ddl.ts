import {
  dataTableSql,
  dictionarySql,
  type DictionarySourceAuth,
  type DictionaryShape,
} from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../kafka-engine-objects.ts';
import { PRICE_KEYS } from './flatten-genai-prices.ts';

const RULE_ARRAYS = [
  ['target_provider', 'Array(String)'],
  ['target_model', 'Array(String)'],
  ['convention', 'Array(UInt8)'],
  ['k1', 'Array(String)'],
  ['a1', 'Array(String)'],
  ['re1', 'Array(String)'],
  ['n1', 'Array(UInt8)'],
  ['k2', 'Array(String)'],
  ['a2', 'Array(String)'],
  ['re2', 'Array(String)'],
  ['n2', 'Array(UInt8)'],
] as const;

/** The four pricing tables and their dictionaries (see flatten-genai-prices.ts). */
export function pricingShapes(objects: KafkaEngineObjects): DictionaryShape[] {
  const p = objects.pricing;
  const priceAttributes = PRICE_KEYS.flatMap(
    (k) =>
      [
        [`${k}_set`, 'UInt8'],
        [`${k}_base`, 'UInt64'],
        [`${k}_tier_starts`, 'Array(UInt64)'],
        [`${k}_tier_prices`, 'Array(UInt64)'],
      ] as const,
  );
  return [
    {
      table: p.rulesTable,
      dictionary: p.rulesDictionary,
      key: [['scope', 'String']],
      attributes: RULE_ARRAYS,
    },
    {
      table: p.namesTable,
      dictionary: p.namesDictionary,
      key: [
        ['provider', 'String'],
        ['name', 'String'],
      ],
      attributes: [
        ['owner', 'String'],
        ['model_id', 'String'],
        ['convention', 'UInt8'],
      ],
    },
    {
      table: p.modelsTable,
      dictionary: p.modelsDictionary,
      key: [
        ['owner', 'String'],
        ['model_id', 'String'],
      ],
      attributes: [
        ['period_kinds', 'Array(UInt8)'],
        ['period_a', 'Array(Int64)'],
        ['period_b', 'Array(Int64)'],
        ['cost_source', 'String'],
      ],
    },
    {
      table: p.pricesTable,
      dictionary: p.pricesDictionary,
      key: [
        ['owner', 'String'],
        ['model_id', 'String'],
        ['period', 'UInt16'],
      ],
      attributes: priceAttributes,
    },
  ];
}

/** CREATE TABLE IF NOT EXISTS for each data table (rows are loaded by the applier). */
export function renderPricingTables(objects: KafkaEngineObjects): string[] {
  return pricingShapes(objects).map((shape) => dataTableSql(objects, shape));
}

/** CREATE OR REPLACE DICTIONARY for each table: fully loaded, reloaded only when told. */
export function renderPricingDictionaries(
  objects: KafkaEngineObjects,
  auth: DictionarySourceAuth,
): string[] {
  return pricingShapes(objects).map((shape) =>
    dictionarySql(objects, shape, auth, 'COMPLEX_KEY_HASHED()'),
  );
}
