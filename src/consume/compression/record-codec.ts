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

/** KAFKA_MAX_DECOMPRESSED_BATCH_BYTES's default. */
export const DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

/** A codec of ours: decompresses no more than `maxBytes` (else throws DecompressedTooLarge). */
export interface BoundedCodec {
  compress(encoder: { readonly buffer: Buffer }): Promise<Buffer>;
  decompress(compressed: Buffer, maxBytes: number): Promise<Buffer>;
}

/** A batch's records would decompress to more than the limit. */
export class DecompressedTooLarge extends Error {
  override readonly name = 'DecompressedTooLarge';
  /** How large the records are, when the codec could tell without decompressing them. */
  readonly bytes: number | undefined;

  constructor(maxBytes: number, bytes?: number) {
    super(
      bytes === undefined
        ? `decompresses to more than the ${maxBytes}-byte limit`
        : `decompresses to ${bytes} bytes, above the ${maxBytes}-byte limit`,
    );
    this.bytes = bytes;
  }
}

/** Node's zlib convenience functions over `maxOutputLength` throw this (nothing larger is allocated). */
export function isOutputTooLarge(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}
