import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import { DecompressedTooLarge, isOutputTooLarge, type BoundedCodec } from './record-codec.ts';

const compress = promisify(zstdCompress);
const decompress = promisify(zstdDecompress);

/** Kafka's zstd (Kafka ≥ 2.1): standard zstd frames, from Node's own zlib (Node ≥ 23.8). */
export const zstdCodec: BoundedCodec = {
  compress: ({ buffer }) => compress(buffer),
  async decompress(compressed, maxBytes) {
    try {
      return await decompress(compressed, { maxOutputLength: maxBytes });
    } catch (err) {
      if (isOutputTooLarge(err)) throw new DecompressedTooLarge(maxBytes);
      throw err;
    }
  },
};
