import kafkajs from 'kafkajs';
import type { DecompressError } from './decompress-error.ts';
import { guardDecompress } from './guard-decompress.ts';
import { gzipCodec } from './gzip-codec.ts';
import { lz4Codec } from './lz4-codec.ts';
import {
  DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES,
  type BoundedCodec,
  type FetchedCodec,
  type RecordCodec,
} from './record-codec.ts';
import { snappyCodec } from './snappy-codec.ts';
import { zstdCodec } from './zstd-codec.ts';

// Not named exports to Node: kafkajs builds these properties from expressions.
const { CompressionCodecs, CompressionTypes } = kafkajs;

export type DecompressFailureListener = (error: DecompressError) => void;

// kafkajs keeps one codec table per process, so failures are reported per process too.
const listeners = new Set<DecompressFailureListener>();
let registered = false;

let maxDecompressedBatchBytes = DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES;

/** The most one fetched record batch may decompress to (one value per process, as the codecs). */
export function limitDecompressedBatches(bytes: number): void {
  maxDecompressedBatchBytes = bytes;
}

/**
 * Puts snappy, lz4 and zstd into kafkajs's codec table (where they throw "not implemented",
 * which stops the consumer for good) and replaces gzip's, each bounded and guarded
 * (guard-decompress.ts). Idempotent; runs before any client is created (create-kafka.ts).
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const report = (error: DecompressError): void => {
    for (const listener of listeners) listener(error);
  };
  const limit = (): number => maxDecompressedBatchBytes;
  const codecs: [number, FetchedCodec, BoundedCodec][] = [
    [CompressionTypes.GZIP, 'gzip', gzipCodec],
    [CompressionTypes.Snappy, 'snappy', snappyCodec],
    [CompressionTypes.LZ4, 'lz4', lz4Codec],
    [CompressionTypes.ZSTD, 'zstd', zstdCodec],
    // Ids 5–7 fit in the attribute bits but name no codec. kafkajs would read such a batch as
    // uncompressed and stop the consumer for good on the garbage: make it a retriable error.
    ...UNDEFINED_CODEC_IDS.map((id): [number, FetchedCodec, BoundedCodec] => [
      id,
      'unknown',
      undefinedCodec(id),
    ]),
  ];
  for (const [id, name, codec] of codecs) {
    const guarded = guardDecompress(name, id, codec, limit, report);
    (CompressionCodecs as Record<number, () => RecordCodec>)[id] = () => guarded;
  }
}

const UNDEFINED_CODEC_IDS = [5, 6, 7] as const;

function undefinedCodec(id: number): BoundedCodec {
  const refuse = (): never => {
    throw new Error(
      `the record batch names compression codec id ${id}, which Kafka does not define`,
    );
  };
  return { compress: refuse, decompress: refuse };
}

/** Calls `listener` on every failed decompression (metrics, logs); returns the unsubscribe. */
export function watchDecompressFailures(listener: DecompressFailureListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
