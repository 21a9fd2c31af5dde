import { compressFrame, decompressFrame } from 'lz4-napi';
import { DecompressedTooLarge, type BoundedCodec } from './record-codec.ts';

/**
 * Kafka's lz4: the standard LZ4 frame format with independent blocks, which lz4-napi writes
 * by default and Java's KafkaLZ4BlockInputStream reads. (Only magic-0 message sets had a
 * non-standard header checksum, KIP-57; Kafka 4 stores record batches only.) lz4-napi has no
 * output bound: the limit is checked after, and LZ4 cannot expand more than ~255 times.
 */
export const lz4Codec: BoundedCodec = {
  compress: ({ buffer }) => compressFrame(buffer),
  async decompress(compressed, maxBytes) {
    const out = await decompressFrame(compressed);
    if (out.length > maxBytes) throw new DecompressedTooLarge(maxBytes, out.length);
    return out;
  },
};
