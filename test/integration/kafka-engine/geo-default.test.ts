import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { compareEventsTables } from '../../fixtures/kafka-engine/compare-landed.ts';
import { CORPUS_LIMITS, parityCorpus } from '../../fixtures/kafka-engine/parity-corpus.ts';
import {
  assertLandedAlike,
  kafkaEngineTestConfig,
  landInBothModes,
  placeMessages,
} from '../../fixtures/kafka-engine/land-in-both-modes.ts';
import { decodeLikeTheWorker } from '../../fixtures/kafka-engine/worker-reference.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { uniqueName } from '../../support/stack-env.ts';

/**
 * Geo with no networks file: the apply generates the ip_trie data from the worker's own
 * bundled DB-IP databases (IPv4 and IPv6), and the views answer what the worker answers for
 * every client IP of the corpus. Loads the full data set (about 13.7 million networks): the
 * slowest test of the Kafka-engine suite, by design — it is the default configuration.
 */
describe('kafka-engine mode has geo by default', () => {
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('the bundled geo databases, walked and loaded at apply time, answer as the worker does', async () => {
    const nowMs = Date.now();
    const table = uniqueName('kgeo');
    const topic = uniqueName('kgeo_topic');
    const config = kafkaEngineTestConfig(table, topic, {
      ENRICH_LLM_COST_ENABLED: 'false',
      DECODE_MAX_MESSAGE_BYTES: String(CORPUS_LIMITS.maxMessageBytes),
      DECODE_MAX_PROPERTIES_BYTES: String(CORPUS_LIMITS.maxPropertiesBytes),
    });
    const placed = placeMessages(parityCorpus(400, 23, nowMs), topic, nowMs - 1_000);
    const reference = await decodeLikeTheWorker(config, placed, nowMs);
    const input = { placed, workerRows: reference.rows };
    await landInBothModes(
      clickhouse,
      config,
      input,
      async ({ objects, applied, engineTable, workerTable }) => {
        const [dictionaries] = await queryRows<{
          bytes: string;
          elements: string;
          seconds: number;
        }>(
          clickhouse,
          `SELECT sum(bytes_allocated) AS bytes, sum(element_count) AS elements, sum(loading_duration) AS seconds
           FROM system.dictionaries WHERE database = 'default' AND name IN ({n:String}, {l:String})`,
          {
            n: objects.geo.dictionary.split('.')[1] ?? '',
            l: objects.geo.locationsDictionary.split('.')[1] ?? '',
          },
        );
        console.log(
          `bundled geo: ${JSON.stringify(applied.geoLoad)}; dictionaries: ${JSON.stringify(dictionaries)}`,
        );
        assert.equal(applied.geo, 'loaded');
        assert.ok((applied.geoLoad?.networks ?? 0) > 5_000_000, JSON.stringify(applied.geoLoad));

        const [geo] = await queryRows<{ worker: string; engine: string }>(
          clickhouse,
          `SELECT (SELECT countIf(country_code != '\\0\\0') FROM ${workerTable}) AS worker,
                  (SELECT countIf(country_code != '\\0\\0') FROM ${engineTable}) AS engine`,
        );
        assert.ok(Number(geo?.worker) > 200, JSON.stringify(geo));
        const comparison = await compareEventsTables(clickhouse, engineTable, workerTable, [
          'country_code',
          'region',
          'city',
        ]);
        assertLandedAlike(comparison, reference.rows.length);
      },
    );
  });
});
