import { compress, uncompress } from 'snappy';
import type { RecordCodec } from './record-codec.ts';
import {
  frameXerial,
  isXerialFramed,
  XERIAL_BLOCK_BYTES,
  xerialBlocks,
} from './xerial-snappy-framing.ts';

/**
 * Kafka's snappy: the Java producer writes xerial framing, librdkafka (and older clients)
 * may write one raw snappy block; both are read. Written as xerial framing, which every
 * Java consumer requires (and librdkafka reads).
 */
export const snappyCodec: RecordCodec = {
  async compress({ buffer }) {
    const blocks: Buffer[] = [];
    for (let at = 0; at < buffer.length; at += XERIAL_BLOCK_BYTES) {
      blocks.push(await compress(buffer.subarray(at, at + XERIAL_BLOCK_BYTES)));
    }
    return frameXerial(blocks);
  },

  async decompress(compressed) {
    if (!isXerialFramed(compressed)) return uncompressBlock(compressed);
    const blocks = await Promise.all(xerialBlocks(compressed).map(uncompressBlock));
    return Buffer.concat(blocks);
  },
};

async function uncompressBlock(block: Uint8Array): Promise<Buffer> {
  const out = await uncompress(block, { asBuffer: true });
  return typeof out === 'string' ? Buffer.from(out) : out;
}
