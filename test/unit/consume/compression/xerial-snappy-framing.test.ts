import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  frameXerial,
  isXerialFramed,
  xerialBlocks,
} from '../../../../src/consume/compression/xerial-snappy-framing.ts';

describe('xerial snappy framing', () => {
  test('header: magic, version 1, compatible version 1, as snappy-java writes it', () => {
    const framed = frameXerial([]);
    assert.deepEqual(framed, Buffer.from('82534e41505059000000000100000001', 'hex'));
    assert.ok(isXerialFramed(framed));
    assert.deepEqual(xerialBlocks(framed), []);
  });

  test('blocks: int32 big-endian length, then the block; read back in order', () => {
    const blocks = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('third block')];
    const framed = frameXerial(blocks);
    assert.equal(framed.readInt32BE(16), 5);
    assert.deepEqual(framed.subarray(20, 25), Buffer.from('first'));
    assert.deepEqual(xerialBlocks(framed), blocks);
  });

  test('concatenated streams are read as one', () => {
    const framed = Buffer.concat([
      frameXerial([Buffer.from('a')]),
      frameXerial([Buffer.from('b')]),
    ]);
    assert.deepEqual(xerialBlocks(framed), [Buffer.from('a'), Buffer.from('b')]);
  });

  test('raw snappy is not taken for xerial', () => {
    assert.ok(!isXerialFramed(Buffer.from([0x0b, 0x28, 0x68, 0x65, 0x6c, 0x6c, 0x6f])));
    assert.ok(!isXerialFramed(Buffer.alloc(0)));
    assert.ok(!isXerialFramed(Buffer.from([0x82, 0x53])));
  });

  test('truncated streams name the byte where they break', () => {
    const framed = frameXerial([Buffer.from('hello world')]);
    assert.throws(() => xerialBlocks(framed.subarray(0, framed.length - 3)), {
      message: 'xerial block at byte 16 claims 11 bytes, 8 remain',
    });
    assert.throws(() => xerialBlocks(framed.subarray(0, 18)), {
      message: 'xerial block length truncated at byte 16',
    });
    assert.throws(() => xerialBlocks(framed.subarray(0, 12)), {
      message: 'xerial header truncated at byte 0',
    });
    const huge = Buffer.concat([frameXerial([]), Buffer.from([0x7f, 0xff, 0xff, 0xff])]);
    assert.throws(() => xerialBlocks(huge), /claims 2147483647 bytes, 0 remain/);
    const negative = Buffer.concat([frameXerial([]), Buffer.from([0x80, 0, 0, 1, 0])]);
    assert.throws(() => xerialBlocks(negative), /claims -2147483647 bytes, 1 remain/);
  });
});
