import kafkajs, { type CompressionTypes } from 'kafkajs';
import type { CodecName } from './record-codec.ts';

// Not a named export to Node: kafkajs builds it from an expression.
const Types = kafkajs.CompressionTypes;

const TYPES: Readonly<Record<CodecName | 'none', CompressionTypes>> = {
  none: Types.None,
  gzip: Types.GZIP,
  snappy: Types.Snappy,
  lz4: Types.LZ4,
  zstd: Types.ZSTD,
};

/** kafkajs's `compression` value of a producer send, from a setting's codec name. */
export function compressionTypeOf(name: CodecName | 'none'): CompressionTypes {
  return TYPES[name];
}
