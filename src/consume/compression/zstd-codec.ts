import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import { zlibCodec } from './zlib-codec.ts';

/** Kafka's zstd (Kafka ≥ 2.1): standard zstd frames, from Node's own zlib (Node ≥ 23.8). */
export const zstdCodec = zlibCodec(promisify(zstdCompress), promisify(zstdDecompress));
