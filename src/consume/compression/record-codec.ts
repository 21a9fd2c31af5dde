/** The Kafka record-batch codecs (attributes bits 0–2: 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export const CODEC_NAMES = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];
/** The codec a failed batch named: one of ours, or an id Kafka does not define (5–7). */
export type FetchedCodec = CodecName | 'unknown';

/**
 * What kafkajs calls on a codec in its `CompressionCodecs` table: `compress` receives its
 * Encoder (only `buffer` is read), `decompress` the compressed records of one batch.
 */
export interface RecordCodec {
  compress(encoder: { readonly buffer: Buffer }): Promise<Buffer>;
  decompress(compressed: Buffer): Promise<Buffer>;
}
