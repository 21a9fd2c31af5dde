import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { compressSync as snappyRaw } from 'snappy';
import { DecompressError } from '../../../../src/consume/compression/decompress-error.ts';
import { guardDecompress } from '../../../../src/consume/compression/guard-decompress.ts';
import { lz4Codec } from '../../../../src/consume/compression/lz4-codec.ts';
import type { CodecName, RecordCodec } from '../../../../src/consume/compression/record-codec.ts';
import {
  registerCompressionCodecs,
  watchDecompressFailures,
} from '../../../../src/consume/compression/register-compression-codecs.ts';
import { snappyCodec } from '../../../../src/consume/compression/snappy-codec.ts';
import { isXerialFramed } from '../../../../src/consume/compression/xerial-snappy-framing.ts';
import { zstdCodec } from '../../../../src/consume/compression/zstd-codec.ts';

const { CompressionCodecs, CompressionTypes } = kafkajs;
registerCompressionCodecs();
/** The codec kafkajs looks up for a batch's attributes, once registered. */
const LOOKUP: Record<CodecName, () => RecordCodec> = {
  gzip: () => CompressionCodecs[CompressionTypes.GZIP]() as RecordCodec,
  snappy: () => CompressionCodecs[CompressionTypes.Snappy]() as RecordCodec,
  lz4: () => CompressionCodecs[CompressionTypes.LZ4]() as RecordCodec,
  zstd: () => CompressionCodecs[CompressionTypes.ZSTD]() as RecordCodec,
};
const registered = (name: CodecName): RecordCodec => LOOKUP[name]();
const compress = (codec: Pick<RecordCodec, 'compress'>, data: Buffer): Promise<Buffer> =>
  codec.compress({ buffer: data });

/** Compressible JSON-ish records, about `bytes` long. */
function jsonLines(bytes: number): Buffer {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const line = `{"event":"$pageview","uuid":"${i.toString(16).padStart(32, '0')}","n":${i}}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

const PAYLOADS = {
  'one byte': Buffer.from('x'),
  'small JSON': jsonLines(300),
  'JSON over several 32 KiB snappy blocks': jsonLines(200_000),
  'incompressible bytes': randomBytes(100_000),
};

describe('record codecs: round trips through the registered codecs', () => {
  for (const name of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    for (const [label, data] of Object.entries(PAYLOADS)) {
      test(`${name}: ${label}`, async () => {
        const codec = registered(name);
        const compressed = await compress(codec, data);
        assert.ok(!compressed.equals(data));
        assert.deepEqual(await codec.decompress(compressed), data);
      });
    }
    test(`${name}: an empty payload compresses to bytes that decompress to nothing`, async () => {
      const codec = registered(name);
      const compressed = await compress(codec, Buffer.alloc(0));
      assert.ok(compressed.length > 0);
      assert.equal((await codec.decompress(compressed)).length, 0);
    });
  }

  test('snappy writes xerial framing in 32 KiB blocks (what Java consumers require)', async () => {
    const data = jsonLines(100_000);
    const compressed = await compress(snappyCodec, data);
    assert.ok(isXerialFramed(compressed));
    let blocks = 0;
    for (let at = 16; at < compressed.length; blocks++) at += 4 + compressed.readInt32BE(at);
    assert.equal(blocks, Math.ceil(data.length / 32_768));
  });

  test('snappy reads raw snappy too (librdkafka, older clients)', async () => {
    const data = jsonLines(50_000);
    const raw = snappyRaw(data);
    assert.ok(!isXerialFramed(raw));
    assert.deepEqual(await registered('snappy').decompress(raw), data);
  });

  test('gzip reads what zlib writes', async () => {
    const data = jsonLines(5_000);
    assert.deepEqual(await registered('gzip').decompress(gzipSync(data)), data);
  });

  test('lz4 writes the standard frame format (magic 0x184D2204)', async () => {
    const compressed = await compress(lz4Codec, jsonLines(1_000));
    assert.equal(compressed.readUInt32LE(0), 0x184d2204);
  });

  test('zstd writes standard frames (magic 0xFD2FB528)', async () => {
    const compressed = await compress(zstdCodec, jsonLines(1_000));
    assert.equal(compressed.readUInt32LE(0), 0xfd2fb528);
  });
});

describe('record codecs: an undecodable batch is a retriable error, never a crash', () => {
  for (const id of [5, 6, 7]) {
    test(`codec id ${id}, which Kafka does not define, is a retriable error`, async () => {
      const codec = (CompressionCodecs as unknown as Record<number, () => RecordCodec>)[id]!();
      await assert.rejects(codec.decompress(Buffer.from('whatever')), (err: unknown) => {
        assert.ok(err instanceof DecompressError);
        assert.equal(err.retriable, true);
        assert.equal(err.codec, 'unknown');
        assert.match(err.message, new RegExp(`codec id ${id}, which Kafka does not define`));
        return true;
      });
    });
  }

  const corrupt = async (name: CodecName): Promise<Record<string, Buffer>> => {
    const good = await compress(registered(name), jsonLines(5_000));
    return {
      'garbage bytes': Buffer.from('these bytes were never compressed'),
      truncated: good.subarray(0, Math.floor(good.length / 2)),
      'empty input': Buffer.alloc(0),
    };
  };

  for (const name of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    test(`${name}: garbage, truncated and empty input`, async () => {
      const failures: DecompressError[] = [];
      const unwatch = watchDecompressFailures((error) => failures.push(error));
      try {
        const cases = await corrupt(name);
        for (const [label, bytes] of Object.entries(cases)) {
          await assert.rejects(registered(name).decompress(bytes), (err: unknown) => {
            assert.ok(err instanceof DecompressError, `${label}: ${String(err)}`);
            assert.equal(err.retriable, true);
            assert.equal(err.codec, name);
            assert.equal(err.name, 'DecompressError');
            assert.equal(err.cause, undefined, 'kafkajs reads retriable from the innermost cause');
            assert.match(
              err.message,
              new RegExp(
                `^cannot decompress a ${name}-compressed record batch \\(${bytes.length} bytes\\): .+`,
              ),
            );
            return true;
          });
        }
        assert.deepEqual(
          failures.map((f) => f.codec),
          Object.keys(cases).map(() => name),
        );
      } finally {
        unwatch();
      }
    });
  }

  test('snappy: a broken xerial block names the framing problem', async () => {
    const good = await compress(snappyCodec, jsonLines(5_000));
    const broken = Buffer.from(good);
    broken.writeInt32BE(broken.length, 16);
    await assert.rejects(registered('snappy').decompress(broken), {
      name: 'DecompressError',
      message: new RegExp(`xerial block at byte 16 claims ${broken.length} bytes`),
    });
  });

  test('a library throwing TypeError (unrecoverable to kafkajs) is turned retriable too', async () => {
    const reported: string[] = [];
    const throwing: RecordCodec = {
      compress: ({ buffer }) => Promise.resolve(buffer),
      decompress: () => Promise.reject(new TypeError('napi: expected a Buffer')),
    };
    const guarded = guardDecompress(
      'lz4',
      3,
      throwing,
      () => 1_000_000,
      (e) => reported.push(e.message),
    );
    await assert.rejects(guarded.decompress(Buffer.from([1, 2, 3])), {
      name: 'DecompressError',
      retriable: true,
      message: 'cannot decompress a lz4-compressed record batch (3 bytes): napi: expected a Buffer',
    });
    assert.deepEqual(reported, [
      'cannot decompress a lz4-compressed record batch (3 bytes): napi: expected a Buffer',
    ]);
  });

  test('an unsubscribed listener hears nothing more', async () => {
    let heard = 0;
    const unwatch = watchDecompressFailures(() => heard++);
    await assert.rejects(registered('zstd').decompress(Buffer.from('x')));
    unwatch();
    await assert.rejects(registered('zstd').decompress(Buffer.from('x')));
    assert.equal(heard, 1);
  });
});
