import {
  dataTableSql,
  dictionarySql,
  type DictionarySourceAuth,
  type DictionaryShape,
} from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { PRICE_KEYS } from './pricing-tables.ts';

/** The pricing tables and their dictionaries (see flatten-genai-prices.ts). */
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
