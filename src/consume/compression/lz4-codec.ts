import { compressFrame, decompressFrame } from 'lz4-napi';
import type { RecordCodec } from './record-codec.ts';

/**
 * Kafka's lz4: the standard LZ4 frame format with independent blocks, which lz4-napi writes
 * by default and Java's KafkaLZ4BlockInputStream reads. (Only magic-0 message sets had a
 * non-standard header checksum, KIP-57; Kafka 4 stores record batches only.)
 */
export const lz4Codec: RecordCodec = {
  compress: ({ buffer }) => compressFrame(buffer),
  decompress: (compressed) => decompressFrame(compressed),
};
