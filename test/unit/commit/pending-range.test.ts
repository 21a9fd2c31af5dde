import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeCommitMark,
  decodePendingRange,
  encodeCommitMark,
  encodePendingRangeV1,
} from '../../../src/commit/pending-range.ts';
import { deduplicationToken } from '../../../src/batch/sealed-batch.ts';
import { lifeOf, tokenNamespace } from '../../../src/batch/token-namespace.ts';

describe('commit metadata v2', () => {
  test('carries the namespace with and without a pending range', () => {
    const ns = tokenNamespace('cluster-1/group.a', '0a1b2c3d4e5f');
    assert.deepEqual(decodeCommitMark(encodeCommitMark(ns), 7n), {
      namespace: ns,
      pending: undefined,
    });
    assert.deepEqual(decodeCommitMark(encodeCommitMark(ns, { first: 7n, last: 99n }), 7n), {
      namespace: ns,
      pending: { first: 7n, last: 99n, namespace: ns },
    });
    assert.equal(lifeOf(ns), '0a1b2c3d4e5f');
  });

  test('namespaces with spaces or separators survive the metadata', () => {
    const ns = tokenNamespace('a b=c', 'ff');
    assert.equal(decodeCommitMark(encodeCommitMark(ns, { first: 0n, last: 1n }), 0n).namespace, ns);
  });

  test('a v1 pending range (rolling upgrade) decodes without a namespace, so its v1 token', () => {
    const text = encodePendingRangeV1({ first: 1000n, last: 1999n });
    assert.equal(text, 'hanzo-ingest/v1 pending=1000-1999', 'exactly what v1 wrote');
    const mark = decodeCommitMark(text, 1000n);
    const recordedNamespace = mark.pending?.namespace;
    assert.deepEqual(mark, { namespace: undefined, pending: { first: 1000n, last: 1999n } });
    assert.equal(
      deduplicationToken('t', 0, 1000n, 1999n, recordedNamespace),
      't:0:1000-1999',
      'the token v1 inserted under',
    );
  });

  test('a range only applies at its committed offset; garbage and foreign metadata are nothing', () => {
    const ns = 'p~aa';
    assert.equal(decodePendingRange(encodeCommitMark(ns, { first: 5n, last: 9n }), 10n), undefined);
    assert.deepEqual(decodePendingRange(encodeCommitMark(ns, { first: 5n, last: 9n }), 3n), {
      first: 5n,
      last: 9n,
      namespace: ns,
    });
    for (const text of [
      '',
      'hello',
      'hanzo-ingest/v2 pending=1-2',
      'hanzo-ingest/v2 ns=%E0%A4%A',
    ]) {
      assert.deepEqual(decodeCommitMark(text, 0n), { namespace: undefined, pending: undefined });
    }
    assert.deepEqual(decodeCommitMark(null, 0n), { namespace: undefined, pending: undefined });
  });

  test('dead letters due or done ride with the range; a version without the field reads the range', () => {
    const ns = tokenNamespace('p', 'aa');
    for (const deadLetters of ['due', 'done'] as const) {
      const text = encodeCommitMark(ns, { first: 5n, last: 9n, deadLetters });
      assert.equal(text, `hanzo-ingest/v2 ns=p~aa pending=5-9 dlq=${deadLetters}`);
      assert.deepEqual(decodePendingRange(text, 5n), {
        first: 5n,
        last: 9n,
        namespace: ns,
        deadLetters,
      });
    }
    // An unknown dlq value announces nothing; without a range there is nothing to mark.
    assert.deepEqual(decodePendingRange('hanzo-ingest/v2 ns=p~aa pending=5-9 dlq=x', 5n), {
      first: 5n,
      last: 9n,
      namespace: ns,
    });
    assert.equal(encodeCommitMark(ns), 'hanzo-ingest/v2 ns=p~aa');
  });

  test('fits in Kafka metadata (offset.metadata.max.bytes 4096) with the longest pipeline id', () => {
    const ns = tokenNamespace('x'.repeat(200), 'ffffffffffff');
    const text = encodeCommitMark(ns, {
      first: 2n ** 63n - 2n,
      last: 2n ** 63n - 1n,
      deadLetters: 'done',
    });
    assert.ok(Buffer.byteLength(text) < 4096);
  });
});
