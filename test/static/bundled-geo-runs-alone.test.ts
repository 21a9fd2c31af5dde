/**
 * The Kafka-engine mode with default settings loads the bundled geo database into ClickHouse
 * (13.7 M networks, ~3 GB, minutes on a busy 2-core box). Only the test that is about that
 * load may do it, and it runs alone (RUN_ALONE in test/run.ts): every other integration test
 * that starts the Kafka-engine mode turns geo off or gives it a small networks file, so its
 * waits measure what it tests and nothing beside it slows down.
 */
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const ALONE = 'test/integration/kafka-engine/geo-default.test.ts';

test('only the run-alone test loads the bundled geo database into ClickHouse', () => {
  const offenders = globSync('test/integration/**/*.test.ts')
    .filter((file) => file !== ALONE)
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return (
        text.includes("INGEST_MODE: 'kafka-engine'") &&
        !text.includes("ENRICH_GEO_ENABLED: 'false'") &&
        !text.includes('KAFKA_ENGINE_GEO_NETWORKS_FILE')
      );
    });
  assert.deepEqual(offenders, []);
  assert.match(readFileSync('test/run.ts', 'utf8'), new RegExp(ALONE.replaceAll('.', '\\.')));
});
