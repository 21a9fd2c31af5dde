import { compress, uncompress } from 'snappy';
import { DecompressedTooLarge, type BoundedCodec } from './record-codec.ts';
import {
  frameXerial,
  isXerialFramed,
  XERIAL_BLOCK_BYTES,
  xerialBlocks,
} from './xerial-snappy-framing.ts';

/**
 * Kafka's snappy: the Java producer writes xerial framing, librdkafka (and older clients)
 * may write one raw snappy block; both are read. Written as xerial framing, which every
 * Java consumer requires (and librdkafka reads). Each raw block states its uncompressed
 * length first: the limit is checked on those before anything is decompressed.
 */
export const snappyCodec: BoundedCodec = {
  async compress({ buffer }) {
    const blocks: Buffer[] = [];
    for (let at = 0; at < buffer.length; at += XERIAL_BLOCK_BYTES) {
      blocks.push(await compress(buffer.subarray(at, at + XERIAL_BLOCK_BYTES)));
    }
    return frameXerial(blocks);
  },

  async decompress(compressed, maxBytes) {
    const blocks = isXerialFramed(compressed) ? xerialBlocks(compressed) : [compressed];
    const bytes = blocks.reduce((sum, block) => sum + statedLength(block), 0);
    if (bytes > maxBytes) throw new DecompressedTooLarge(maxBytes, bytes);
    return Buffer.concat(await Promise.all(blocks.map(uncompressBlock)));
  },
};

async function uncompressBlock(block: Uint8Array): Promise<Buffer> {
  const out = await uncompress(block, { asBuffer: true });
  return typeof out === 'string' ? Buffer.from(out) : out;
}

/** The uncompressed length a raw snappy block starts with (a little-endian base-128 varint). */
function statedLength(block: Uint8Array): number {
  let length = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i] as number;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return length;
  }
  throw new Error('snappy block without a valid length');
}
