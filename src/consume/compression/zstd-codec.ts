import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import type { RecordCodec } from './record-codec.ts';

const compress = promisify(zstdCompress);
const decompress = promisify(zstdDecompress);

/** Kafka's zstd (Kafka ≥ 2.1): standard zstd frames, from Node's own zlib (Node ≥ 23.8). */
export const zstdCodec: RecordCodec = {
  compress: ({ buffer }) => compress(buffer),
  decompress: (compressed) => decompress(compressed),
};
