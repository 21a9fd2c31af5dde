import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import { DecompressedTooLarge, isOutputTooLarge, type BoundedCodec } from './record-codec.ts';

const compress = promisify(gzip);
const decompress = promisify(unzip);

/** Kafka's gzip, as kafkajs's own codec (zlib's unzip), with the output bounded. */
export const gzipCodec: BoundedCodec = {
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
