import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { DLQ_HEADERS, type DeadLetterRecord } from '../../../src/dlq/dead-letter-headers.ts';
import {
  chunkBySize,
  estimateRecordBytes,
  fitDeadLetter,
  RECORD_BATCH_OVERHEAD_BYTES,
  recordBatchBudget,
} from '../../../src/dlq/dead-letter-size.ts';

// kafkajs's own record-batch encoder: the estimate is checked against the bytes it sends.
const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (o: { records: unknown[] }) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: DeadLetterRecord['headers'];
}) => unknown;

async function encodedBatchBytes(records: readonly DeadLetterRecord[]): Promise<number> {
  const encoded = await RecordBatch({
    records: records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: 1_000 * i,
        key: r.key,
        value: r.value,
        headers: r.headers,
      }),
    ),
  });
  return encoded.buffer.length;
}

function letter(valueBytes: number, i = 0): DeadLetterRecord {
  return {
    key: Buffer.from(`key-${i}`),
    value: Buffer.alloc(valueBytes, 0x7b),
    headers: {
      'x-source': 'test',
      'x-multi': ['a', 'bb'],
      [DLQ_HEADERS.errorClass]: 'invalid_json',
      [DLQ_HEADERS.errorMessage]: 'Unexpected end of JSON input '.repeat(20),
      [DLQ_HEADERS.sourceTopic]: 'events',
      [DLQ_HEADERS.sourcePartition]: '3',
      [DLQ_HEADERS.sourceOffset]: String(1_000_000 + i),
    },
  };
}

describe('dead-letter sizes, chunks and truncation', () => {
  test('the estimate is an upper bound of what kafkajs encodes', async () => {
    for (const sizes of [
      [0],
      [1],
      [2_000],
      [2_000, 10, 70_000],
      Array.from({ length: 50 }, () => 2_048),
    ]) {
      const records = sizes.map((n, i) => letter(n, i));
      const estimate =
        RECORD_BATCH_OVERHEAD_BYTES + records.reduce((s, r) => s + estimateRecordBytes(r), 0);
      const real = await encodedBatchBytes(records);
      assert.ok(estimate >= real, `estimate ${estimate} < encoded ${real} for ${sizes.length}`);
      assert.ok(estimate - real < 100 * records.length, 'and not wildly above it');
    }
  });

  test('3,000 letters of 2 KB are chunked in order into batches that fit 64 KiB', async () => {
    const records = Array.from({ length: 3_000 }, (_, i) => letter(2_048, i));
    const budget = recordBatchBudget(64 * 1024);
    const chunks = chunkBySize(records, (r) => r, budget);
    assert.ok(chunks.length > 100, `${chunks.length} chunks`);
    assert.deepEqual(chunks.flat(), records, 'every letter once, in order');
    for (const chunk of chunks) {
      const real = await encodedBatchBytes(chunk);
      assert.ok(real <= budget && budget < 64 * 1024, `chunk of ${real} bytes`);
    }
    // Greedy: each chunk but the last could not take the next letter.
    for (const [i, chunk] of chunks.slice(0, -1).entries()) {
      const next = chunks[i + 1]![0]!;
      const bytes = [...chunk, next].reduce((s, r) => s + estimateRecordBytes(r), 61);
      assert.ok(bytes > budget);
    }
  });

  test('nothing to send makes no chunk; one letter makes one', () => {
    assert.deepEqual(
      chunkBySize([], (r: DeadLetterRecord) => r, 1_000),
      [],
    );
    assert.equal(chunkBySize([letter(10)], (r) => r, 1_000).length, 1);
  });

  test('a letter that fits is kept as it is', () => {
    const record = letter(2_000);
    assert.equal(fitDeadLetter(record, recordBatchBudget(64 * 1024)), record);
  });

  test('a letter larger than the topic takes is cut to fit, marked with its original size', async () => {
    const record = letter(200_000);
    const budget = recordBatchBudget(64 * 1024);
    const fitted = fitDeadLetter(record, budget);
    assert.equal(fitted.headers[DLQ_HEADERS.truncated], '200000');
    assert.ok(fitted.value !== null && fitted.value.length > 50_000, 'keeps as much as fits');
    assert.ok(record.value!.subarray(0, fitted.value.length).equals(fitted.value), 'a prefix');
    assert.deepEqual(fitted.key, record.key);
    for (const name of [DLQ_HEADERS.sourceTopic, DLQ_HEADERS.sourceOffset, 'x-source'])
      assert.equal(fitted.headers[name], record.headers[name]);
    const real = await encodedBatchBytes([fitted]);
    assert.ok(real <= budget, `${real} > ${budget}`);
  });

  test('when even the headers do not fit, only the DLQ headers stay', async () => {
    const record: DeadLetterRecord = {
      ...letter(5_000),
      headers: { ...letter(0).headers, 'x-huge': 'h'.repeat(20_000) },
    };
    const budget = 8_000;
    const fitted = fitDeadLetter(record, budget);
    assert.equal(fitted.headers['x-huge'], undefined);
    assert.equal(fitted.key, null);
    assert.equal(fitted.headers[DLQ_HEADERS.truncated], '5000');
    assert.equal(
      fitted.headers[DLQ_HEADERS.sourceOffset],
      record.headers[DLQ_HEADERS.sourceOffset],
    );
    assert.ok((await encodedBatchBytes([fitted])) <= budget);
  });
});
