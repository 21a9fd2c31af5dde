import { errorMessage } from '../../errors.ts';
import { failpointFails } from '../../observe/failpoints.ts';
import { DecompressError } from './decompress-error.ts';
import type { FetchedCodec, RecordCodec } from './record-codec.ts';

/**
 * The codec with every decompression failure (corrupt bytes, a library throwing, even a
 * TypeError) turned into a retriable DecompressError and reported. kafkajs treats a
 * TypeError or RangeError from a fetch as unrecoverable and stops the consumer for good;
 * this way the worker retries and stays alive.
 */
export function guardDecompress(
  codec: FetchedCodec,
  inner: RecordCodec,
  onFailure: (error: DecompressError) => void,
): RecordCodec {
  return {
    compress: (encoder) => inner.compress(encoder),
    async decompress(compressed) {
      try {
        if (failpointFails('decompress')) throw new Error('injected by failpoint decompress');
        // kafkajs skips batches without records, and no codec writes zero bytes.
        if (compressed.length === 0) throw new Error('no compressed bytes');
        return await inner.decompress(compressed);
      } catch (err) {
        const error = new DecompressError(codec, compressed.length, errorMessage(err));
        onFailure(error);
        throw error;
      }
    },
  };
}
