/**
 * What kafkajs is told about a fetched batch: the offsets the pipeline took or skipped are
 * resolved (kafkajs fetches on from there), never one it refused, and never past one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { MessageDecoder } from '../../../src/decode/decode-message.ts';
import type { PartitionPipeline, SubmitResult } from '../../../src/pipeline/partition-pipeline.ts';
import { consumeFetchedBatch } from '../../../src/worker/consume-fetched-batch.ts';
import { eventMessage } from '../../fixtures/batch/messages.ts';

/** A pipeline answering each offset from `answers` (default accepted). */
function pipeline(answers: Record<string, SubmitResult> = {}) {
  const submitted: string[] = [];
  const readThrough: [bigint, bigint][] = [];
  let takenUpTo = -1n;
  const fake = {
    readThrough: (first: bigint, last: bigint) => readThrough.push([first, last]),
    alive: true,
    get takenUpTo() {
      return takenUpTo;
    },
    submit: (message: KafkaMessage): SubmitResult => {
      submitted.push(message.offset);
      const answer = answers[message.offset] ?? 'accepted';
      if (answer !== 'refused') takenUpTo = BigInt(message.offset);
      return answer;
    },
    fetchEnded: () => true,
  };
  return { pipeline: fake as unknown as PartitionPipeline, submitted, readThrough };
}

/** A fetched batch of messages at `offsets`, its records read up to `lastRead` (a marker). */
function payload(offsets: readonly number[], lastRead = offsets.at(-1) ?? 0) {
  const resolved: string[] = [];
  const messages = offsets.map((o) => eventMessage(o));
  const fake = {
    batch: {
      topic: 't',
      partition: 0,
      highWatermark: String(lastRead + 1),
      messages,
      firstOffset: () => (offsets.length === 0 ? null : String(offsets[0])),
      lastOffset: () => String(lastRead),
    },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
  };
  return { payload: fake as unknown as EachBatchPayload, resolved };
}

const context = {
  decoder: { pendingSchemaId: () => undefined } as unknown as MessageDecoder,
  schemas: undefined,
  stopping: () => false,
  reportRegistryRetry: () => undefined,
};

describe('consumeFetchedBatch: the offsets kafkajs is told are done', () => {
  test('all taken or skipped: the last offset is resolved, the records read are passed', async () => {
    const { pipeline: p, submitted, readThrough } = pipeline({ '11': 'skipped' });
    const { payload: b, resolved } = payload([10, 11, 12, 14], 15);
    assert.deepEqual(await consumeFetchedBatch(b, p, context), { taken: 3, refused: false });
    assert.deepEqual(submitted, ['10', '11', '12', '14']);
    assert.equal(resolved.at(-1), '14');
    // Offset 15 is a transaction's marker: read, never handed over as a message.
    assert.deepEqual(readThrough, [[10n, 15n]]);
  });

  test('a refused message: resolved up to the one before it, never past it', async () => {
    const { pipeline: p, submitted, readThrough } = pipeline({ '12': 'refused' });
    const { payload: b, resolved } = payload([10, 11, 12, 13]);
    assert.deepEqual(await consumeFetchedBatch(b, p, context), { taken: 2, refused: true });
    assert.deepEqual(submitted, ['10', '11', '12']);
    assert.equal(resolved.at(-1), '11');
    assert.ok(resolved.every((o) => Number(o) < 12));
    assert.deepEqual(readThrough, [], 'not all taken: nothing is passed');
  });

  test('the first message refused: nothing resolved', async () => {
    const { pipeline: p } = pipeline({ '10': 'refused' });
    const { payload: b, resolved } = payload([10, 11]);
    assert.deepEqual(await consumeFetchedBatch(b, p, context), { taken: 0, refused: true });
    assert.deepEqual(resolved, []);
  });

  test('a long batch that yields to the event loop: resolved offsets only grow, ending at the last', async () => {
    const offsets = Array.from({ length: 5_000 }, (_, i) => i);
    const { pipeline: p } = pipeline();
    const slow = {
      ...p,
      alive: true,
      takenUpTo: 0n,
      fetchEnded: () => true,
      submit: (m: KafkaMessage): SubmitResult => {
        const until = performance.now() + 0.01;
        while (performance.now() < until);
        return p.submit(m, { nowMs: 0, ingestedAt: '' });
      },
    } as unknown as PartitionPipeline;
    const { payload: b, resolved } = payload(offsets);
    await consumeFetchedBatch(b, slow, context);
    assert.ok(resolved.length >= 2, 'resolved before each turn given to the event loop');
    assert.deepEqual(
      resolved.map(Number),
      [...resolved.map(Number)].sort((x, y) => x - y),
    );
    assert.equal(resolved.at(-1), '4999');
  });
});
