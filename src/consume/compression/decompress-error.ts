import kafkajs from 'kafkajs';
import type { FetchedCodec } from './record-codec.ts';

// kafkajs spreads its errors into module.exports, which Node's named-export detection misses.
const { KafkaJSError } = kafkajs;

/**
 * A fetched record batch could not be decompressed. Retriable: kafkajs retries the fetch
 * with backoff, then restarts the consumer (CRASH with restart=true) instead of exiting,
 * so data that becomes decodable (a transient library failure) is consumed again.
 *
 * The library's error is kept in the message, not as `cause`: kafkajs decides whether to
 * restart a crashed consumer from the innermost `cause`, and a library error carries no
 * `retriable` flag, which would read as "do not restart".
 */
export class DecompressError extends KafkaJSError {
  override readonly name = 'DecompressError';
  readonly codec: FetchedCodec;

  constructor(codec: FetchedCodec, compressedBytes: number, reason: string) {
    super(
      `cannot decompress a ${codec}-compressed record batch (${compressedBytes} bytes): ${reason}`,
      { retriable: true },
    );
    this.codec = codec;
  }
}
