import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  COMPARED_COLUMNS,
  compareEventsTables,
  errorClasses,
} from '../../fixtures/kafka-engine/compare-landed.ts';
import { limitValueMessages } from '../../fixtures/kafka-engine/limit-values.ts';
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
 * The coercion audit: a value at or beyond each type's limits (integers, floats, strings,
 * timestamps, nesting) in each field, through the Kafka-engine views and through the
 * worker's decoder. A value the worker refuses is an error row with the same class — never
 * a default (`tokens_prompt: 1e20` used to land as 0) — and an accepted one lands with the
 * same columns.
 */
/**
 * Documented (docs/kafka-engine.md, what differs between the modes): a JSON number ClickHouse
 * cannot hold (an integer literal beyond 64 bits) makes the message invalid_json, and so does
 * a whole number from 2^64 up to 1e21 (1e20) anywhere inside properties — refused, never
 * stored as something else. The worker reads both as doubles.
 */
function documentedClass(label: string): string | undefined {
  if (label.endsWith(': 123456789012345680000')) return 'invalid_json';
  if (label.startsWith('properties.') && /: -?1e20$/.test(label)) return 'invalid_json';
  return undefined;
}

/**
 * Documented too: inside `properties`, numbers from 1e21 on are written `1e21` (JavaScript:
 * `1e+21`) and integers beyond 2^53 keep their digits (JavaScript rounds them to a double).
 */
function propertiesWrittenDifferently(label: string): boolean {
  const value = /^properties\.[^:]+: (.*)$/.exec(label)?.[1];
  if (value === undefined) return false;
  const exponent = /e([0-9]+)$/.exec(value)?.[1];
  if (exponent !== undefined) return Number(exponent) >= 21;
  return /^-?[0-9]+$/.test(value) && !Number.isSafeInteger(Number(value));
}

describe('kafka-engine views coerce nothing the worker refuses', () => {
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('every value class at and beyond the limits: same classes, same rows', async () => {
    const nowMs = Date.now();
    const table = uniqueName('klim');
    const topic = uniqueName('klim_topic');
    const config = kafkaEngineTestConfig(table, topic, {
      KAFKA_GROUP_ID: `${topic}_group`,
      ENRICH_GEO_ENABLED: 'false',
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
    });
    const placed = placeMessages(limitValueMessages(), topic, nowMs - 1_000);
    const worker = await decodeLikeTheWorker(config, placed, nowMs);
    const documented = new Set(
      placed.filter((m) => documentedClass(m.label) !== undefined).map((m) => String(m.offset)),
    );
    const reference = {
      rows: worker.rows.filter((r) => !documented.has(String(r._offset))),
      deadLetters: worker.deadLetters,
    };
    // Timestamps from 1970 on are compared: the tables keep no TTL.
    const input = { placed, workerRows: reference.rows, removeTtl: true };
    await landInBothModes(
      clickhouse,
      config,
      input,
      async ({ objects, engineTable, workerTable }) => {
        // Not vacuous: both outcomes are well represented.
        assert.ok(reference.rows.length > 150, `rows: ${reference.rows.length}`);
        assert.ok(reference.deadLetters.size > 150, `dead letters: ${reference.deadLetters.size}`);

        const errors = await errorClasses(clickhouse, objects.errorsTable, topic);
        const labelOf = new Map(placed.map((m) => [`${m.partition}:${m.offset}`, m.label]));
        const expected = placed.flatMap((m) => {
          const k = `${m.partition}:${m.offset}`;
          const reason = documentedClass(m.label) ?? reference.deadLetters.get(k)?.reason;
          return reason === undefined ? [] : [`${reason} ← ${m.label} @${k}`];
        });
        const actual = [...errors].map(
          ([k, e]) => `${e.errorClass} ← ${labelOf.get(k) ?? '?'} @${k}`,
        );
        const engineOnly = actual.filter((a) => !expected.includes(a)).sort();
        const workerOnly = expected.filter((e) => !actual.includes(e)).sort();
        assert.deepEqual({ engineOnly, workerOnly }, { engineOnly: [], workerOnly: [] });

        const comparison = await compareEventsTables(
          clickhouse,
          engineTable,
          workerTable,
          COMPARED_COLUMNS.filter((c) => c !== 'properties'),
        );
        const writtenDifferently = placed
          .filter((m) => propertiesWrittenDifferently(m.label))
          .map((m) => m.offset);
        assert.ok(writtenDifferently.length > 10, 'the documented spellings are exercised');
        const [props] = await queryRows<{ differ: string }>(
          clickhouse,
          `SELECT count() AS differ FROM ${engineTable} AS x INNER JOIN ${workerTable} AS y
           USING (_topic, _partition, _offset)
           WHERE x.properties != y.properties AND _offset NOT IN (${writtenDifferently.join(', ')})`,
        );
        assert.equal(Number(props?.differ), 0, 'properties differ beyond the documented spellings');
        assertLandedAlike(comparison, reference.rows.length);
      },
    );
  });
});
