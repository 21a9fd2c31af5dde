import type { ZlibOptions } from 'node:zlib';
import { DecompressedTooLarge, isOutputTooLarge, type BoundedCodec } from './record-codec.ts';

type Convenience = (
  buffer: Buffer,
  options?: Pick<ZlibOptions, 'maxOutputLength'>,
) => Promise<Buffer>;

/** A codec over Node's zlib convenience functions, the output bounded by `maxOutputLength`. */
export function zlibCodec(compress: Convenience, decompress: Convenience): BoundedCodec {
  return {
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
}
