/**
 * A record batch that would decompress past KAFKA_MAX_DECOMPRESSED_BATCH_BYTES, through
 * kafkajs's own record-batch encoder and decoder with the registered codecs: it comes out as
 * one empty stand-in per record, at the batch's offsets, that decode recognises; the batch is
 * never inflated.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES } from '../../../../src/consume/compression/record-codec.ts';
import {
  limitDecompressedBatches,
  registerCompressionCodecs,
} from '../../../../src/consume/compression/register-compression-codecs.ts';
import { unreadBatchReason } from '../../../../src/consume/compression/unread-batch.ts';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (options: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  options: Record<string, unknown>,
) => unknown;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{
  records: { offset: string; value: Buffer | null; key: Buffer | null; timestamp: string }[];
}>;

const { CompressionTypes } = kafkajs;
registerCompressionCodecs();

/** A compressed batch at offset 1000 of `values`, then read back as a fetch would give it. */
async function roundTrip(compression: number, values: Buffer[]) {
  const batch = await RecordBatch({
    compression,
    firstOffset: 1000,
    firstTimestamp: 1_700_000_000_000,
    lastOffsetDelta: values.length - 1,
    records: values.map((value, i) => Record({ offsetDelta: i, key: null, value })),
  });
  // As in a fetch response: the batch somewhere inside a larger buffer.
  const fetched = Buffer.concat([Buffer.from('response bytes before'), batch.buffer]);
  return {
    compressedBytes: batch.buffer.length,
    decoded: await decodeBatch(new Decoder(fetched.subarray(21))),
  };
}

describe('a record batch past the decompressed limit', () => {
  after(() => limitDecompressedBatches(DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES));
  const codecs = {
    gzip: CompressionTypes.GZIP,
    snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4,
    zstd: CompressionTypes.ZSTD,
  };

  for (const [name, compression] of Object.entries(codecs)) {
    test(`${name}: one empty stand-in per record, at its offset, that decode knows`, async () => {
      const values = Array.from({ length: 5 }, (_, i) => Buffer.alloc(400_000, 97 + i));
      limitDecompressedBatches(1_000_000);
      const { decoded } = await roundTrip(compression, values);
      assert.deepEqual(
        decoded.records.map((r) => [r.offset, r.key, r.value?.length, r.timestamp]),
        values.map((_, i) => [String(1000 + i), null, 0, '1700000000000']),
      );
      for (const record of decoded.records) {
        assert.match(
          unreadBatchReason(record.value) ?? '',
          new RegExp(
            `^its ${name}-compressed record batch \\(\\d+ bytes\\) decompresses to (more than|\\d+ bytes, above) the 1000000-byte limit \\(KAFKA_MAX_DECOMPRESSED_BATCH_BYTES\\)$`,
          ),
        );
      }
    });

    test(`${name}: a batch within the limit is read as it was written`, async () => {
      const values = Array.from({ length: 5 }, (_, i) => Buffer.alloc(100_000, 97 + i));
      limitDecompressedBatches(1_000_000);
      const { decoded } = await roundTrip(compression, values);
      assert.deepEqual(
        decoded.records.map((r) => r.value),
        values,
      );
      assert.ok(decoded.records.every((r) => unreadBatchReason(r.value) === undefined));
    });
  }

  test('offsets past 63 (varints of two bytes): every stand-in at its offset', async () => {
    const values = Array.from({ length: 300 }, () => Buffer.alloc(10_000, 97));
    limitDecompressedBatches(1_000_000);
    const { decoded } = await roundTrip(CompressionTypes.ZSTD, values);
    assert.deepEqual(
      decoded.records.map((r) => r.offset),
      values.map((_, i) => String(1000 + i)),
    );
    assert.ok(decoded.records.every((r) => unreadBatchReason(r.value) !== undefined));
  });

  test('no producer can make a value decode takes for a stand-in', () => {
    assert.equal(unreadBatchReason(Buffer.alloc(0)), undefined);
    assert.equal(unreadBatchReason(null), undefined);
  });
});
