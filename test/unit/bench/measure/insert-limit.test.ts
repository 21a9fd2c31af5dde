import { readRowBinary, type ReadRow } from '../../../fixtures/serialise/read-row-binary.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../../src/config/load-config.ts';
import { createEnrichment } from '../../../../src/enrich/create-enrichment.ts';
import {
  buildInsertBatches,
  cutBatches,
  planInserts,
} from '../../../../test/bench/measure/insert-limit.ts';

describe('insert limit batches', () => {
  test('cut like an open batch seals: by rows, by bytes, an oversized row alone', () => {
    const rows = ['aa\n', 'bb\n', 'cc\n', 'dd\n', 'e'.repeat(20)];
    assert.deepEqual(
      cutBatches(3, rows, { maxRows: 2, maxBytes: 1000 }).map((b) => b.rows.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      cutBatches(3, rows, { maxRows: 100, maxBytes: 7 }).map((b) => b.rows),
      [['aa\n', 'bb\n'], ['cc\n', 'dd\n'], ['e'.repeat(20)]],
    );
    assert.equal(cutBatches(3, rows, { maxRows: 100, maxBytes: 7 })[0]!.partition, 3);
  });

  test('the corpus serialised by the worker decoder and enrich stage, spread over partitions in turn', async () => {
    const config = loadConfig({ env: { KAFKA_BROKERS: '127.0.0.1:9092', BATCH_MAX_ROWS: '40' } });
    const enrichment = await createEnrichment({
      ...config.enrich,
      geo: { ...config.enrich.geo, watchIntervalMs: 0 },
    });
    const batches = buildInsertBatches(
      { seed: 1, endMs: Date.now(), events: 300 },
      config,
      't',
      3,
      {
        enrich: enrichment.stage,
      },
    );
    enrichment.close();
    assert.deepEqual(
      batches.map((b) => [b.partition, b.rows.length]),
      [
        [0, 40],
        [1, 40],
        [2, 40],
        [0, 40],
        [1, 40],
        [2, 40],
        [0, 20],
        [1, 20],
        [2, 20],
      ],
    );
    // RowBinary, as the worker writes it: each row read back whole, values in column order.
    const record = (bytes: string | Uint8Array): ReadRow => {
      assert.ok(typeof bytes !== 'string');
      const read = readRowBinary(bytes);
      assert.equal(read.length, 1);
      return read[0]!;
    };
    const row = record(batches[4]!.rows[0]!);
    assert.equal(row._partition, 1);
    assert.equal(row._offset, '40');
    const rows = batches.flatMap((b) => b.rows.map(record));
    assert.ok(
      rows.some((r) => r.browser !== '' && r.country_code !== ''),
      'enriched',
    );
    assert.ok(
      rows.every((r) => {
        const properties = JSON.parse(String(r.properties)) as object;
        return typeof properties === 'object' && !('$ai_input' in properties);
      }),
      'prompt content scrubbed',
    );
  });

  test('plans exactly the requested rows, cycling the pre-built batches', () => {
    const batches = [
      { partition: 0, rows: ['a', 'b', 'c'] },
      { partition: 1, rows: ['d', 'e'] },
    ];
    const plan = planInserts(batches, 9);
    assert.deepEqual(
      plan.map((p) => p.rows.join('')),
      ['abc', 'de', 'abc', 'd'],
    );
    assert.equal(
      plan.reduce((s, p) => s + p.rows.length, 0),
      9,
    );
  });
});
