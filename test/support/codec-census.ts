import kafkajs from 'kafkajs';
import { CODEC_NAMES, type CodecName } from '../../src/consume/compression/record-codec.ts';
import { registerCompressionCodecs } from '../../src/consume/compression/register-compression-codecs.ts';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const counts: Record<CodecName, number> = { gzip: 0, snappy: 0, lz4: 0, zstd: 0 };
let installed = false;

/**
 * Registers the worker's codecs in this (test) process and counts the record batches
 * kafkajs decompresses here, per codec: reading a topic with kafkajs then tells which codec
 * its batches were written with. The real codecs do the work; this only counts.
 */
export function decompressedBatches(): Readonly<Record<CodecName, number>> {
  if (!installed) {
    installed = true;
    registerCompressionCodecs();
    const types = {
      gzip: CompressionTypes.GZIP,
      snappy: CompressionTypes.Snappy,
      lz4: CompressionTypes.LZ4,
      zstd: CompressionTypes.ZSTD,
    } as const;
    for (const name of CODEC_NAMES) {
      const type = types[name];
      const codec = CompressionCodecs[type]() as {
        decompress(buffer: Buffer): Promise<Buffer>;
      };
      const counted = {
        ...codec,
        decompress: (buffer: Buffer) => {
          counts[name]++;
          return codec.decompress(buffer);
        },
      };
      CompressionCodecs[type] = () => counted;
    }
  }
  return { ...counts };
}

/** What `read` made kafkajs decompress, per codec (codecs with none left out). */
export async function codecsOf(
  read: () => Promise<unknown>,
): Promise<Partial<Record<CodecName, number>>> {
  const before = decompressedBatches();
  await read();
  const after = decompressedBatches();
  return Object.fromEntries(
    CODEC_NAMES.filter((name) => after[name] > before[name]).map((name) => [
      name,
      after[name] - before[name],
    ]),
  );
}
