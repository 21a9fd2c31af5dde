/**
 * The framing of snappy-java's SnappyOutputStream, which Kafka's Java producer writes:
 * an 8-byte magic, int32 version, int32 compatible version, then blocks of an int32
 * big-endian length followed by one raw snappy block. Pure byte work; the snappy calls
 * live in snappy-codec.ts.
 */
const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]); // \x82SNAPPY\0
const HEADER_BYTES = MAGIC.length + 8;
const VERSION = 1;
const COMPATIBLE_VERSION = 1;

/** SnappyOutputStream's default block size, which Kafka's producer keeps. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

export function isXerialFramed(data: Uint8Array): boolean {
  return data.length >= MAGIC.length && MAGIC.equals(data.subarray(0, MAGIC.length));
}

/** Raw snappy blocks framed as one xerial stream. */
export function frameXerial(blocks: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeInt32BE(VERSION, MAGIC.length);
  header.writeInt32BE(COMPATIBLE_VERSION, MAGIC.length + 4);
  const parts: Uint8Array[] = [header];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/**
 * The raw snappy blocks of an xerial stream. Concatenated streams are accepted (a header
 * may follow a block, as snappy-java reads them): a block length is a positive int32 and
 * the magic starts with 0x82, a negative one, so the two never look alike.
 */
export function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    if (isXerialFramed(data.subarray(at))) {
      if (data.length - at < HEADER_BYTES) throw new Error(`xerial header truncated at byte ${at}`);
      at += HEADER_BYTES;
      continue;
    }
    if (data.length - at < 4) throw new Error(`xerial block length truncated at byte ${at}`);
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || length > data.length - at) {
      throw new Error(
        `xerial block at byte ${at - 4} claims ${length} bytes, ${data.length - at} remain`,
      );
    }
    blocks.push(data.subarray(at, at + length));
    at += length;
  }
  return blocks;
}
