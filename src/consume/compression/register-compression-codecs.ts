import kafkajs from 'kafkajs';
import type { DecompressError } from './decompress-error.ts';
import { guardDecompress } from './guard-decompress.ts';
import { lz4Codec } from './lz4-codec.ts';
import type { RecordCodec } from './record-codec.ts';
import { snappyCodec } from './snappy-codec.ts';
import { zstdCodec } from './zstd-codec.ts';

// Not named exports to Node: kafkajs builds these properties from expressions.
const { CompressionCodecs, CompressionTypes } = kafkajs;

export type DecompressFailureListener = (error: DecompressError) => void;

// kafkajs keeps one codec table per process, so failures are reported per process too.
const listeners = new Set<DecompressFailureListener>();
let registered = false;

/**
 * Puts snappy, lz4 and zstd into kafkajs's codec table (where they throw "not implemented",
 * which stops the consumer for good) and guards gzip's too. Idempotent; runs before any
 * client is created (create-kafka.ts).
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const report = (error: DecompressError): void => {
    for (const listener of listeners) listener(error);
  };
  const gzip = guardDecompress(
    'gzip',
    CompressionCodecs[CompressionTypes.GZIP]() as RecordCodec,
    report,
  );
  const snappy = guardDecompress('snappy', snappyCodec, report);
  const lz4 = guardDecompress('lz4', lz4Codec, report);
  const zstd = guardDecompress('zstd', zstdCodec, report);
  CompressionCodecs[CompressionTypes.GZIP] = () => gzip;
  CompressionCodecs[CompressionTypes.Snappy] = () => snappy;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4;
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstd;
  // Ids 5–7 fit in the attribute bits but name no codec. kafkajs would read such a batch as
  // uncompressed and stop the consumer for good on the garbage: make it a retriable error.
  for (const id of UNDEFINED_CODEC_IDS) {
    const unknown = guardDecompress('unknown', undefinedCodec(id), report);
    (CompressionCodecs as Record<number, () => RecordCodec>)[id] = () => unknown;
  }
}

const UNDEFINED_CODEC_IDS = [5, 6, 7] as const;

function undefinedCodec(id: number): RecordCodec {
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
