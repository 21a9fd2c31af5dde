import { errorMessage } from '../../errors.ts';
import { failpointFails } from '../../observe/failpoints.ts';
import { DecompressError } from './decompress-error.ts';
import {
  DecompressedTooLarge,
  type BoundedCodec,
  type FetchedCodec,
  type RecordCodec,
} from './record-codec.ts';
import { unreadBatchRecords } from './unread-batch.ts';

/**
 * The codec as kafkajs calls it: at most `maxBytes()` decompressed per batch, and every
 * decompression failure (corrupt bytes, a library throwing, even a TypeError) turned into a
 * retriable DecompressError and reported. kafkajs treats a TypeError or RangeError from a
 * fetch as unrecoverable and stops the consumer for good; this way the worker retries and
 * stays alive. A batch that would decompress to more than the limit is not retried (it never
 * gets smaller): its records become dead letters (unread-batch.ts).
 */
export function guardDecompress(
  codec: FetchedCodec,
  codecId: number,
  inner: BoundedCodec,
  maxBytes: () => number,
  onFailure: (error: DecompressError) => void,
): RecordCodec {
  return {
    compress: (encoder) => inner.compress(encoder),
    async decompress(compressed) {
      try {
        if (failpointFails('decompress')) throw new Error('injected by failpoint decompress');
        // kafkajs skips batches without records, and no codec writes zero bytes.
        if (compressed.length === 0) throw new Error('no compressed bytes');
        return await inner.decompress(compressed, maxBytes());
      } catch (err) {
        if (err instanceof DecompressedTooLarge) {
          const reason = `its ${codec}-compressed record batch (${compressed.length} bytes) ${err.message} (KAFKA_MAX_DECOMPRESSED_BATCH_BYTES)`;
          const standIns = unreadBatchRecords(compressed, codecId, reason);
          if (standIns !== undefined) return standIns;
        }
        const error = new DecompressError(codec, compressed.length, errorMessage(err));
        onFailure(error);
        throw error;
      }
    },
  };
}
