import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { PartitionBatcher } from '../../../src/batch/partition-batcher.ts';
import { sourceMessage } from '../../../src/batch/source-message.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { toClickHouseDateTime64 } from '../../../src/decode/event-row.ts';
import { passThrough } from '../../../src/enrich/enrich-stage.ts';
import { createMessageSteps, runMessageSteps } from '../../../src/pipeline/message-steps.ts';
import { BenchEventGenerator } from '../../bench/corpus/bench-events.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';

test('on the bench corpus, the insert bodies are the row lines as text, byte for byte', () => {
  const steps = createMessageSteps(
    new MessageDecoder(
      decodeConfig({
        format: 'json',
        avroSchemaIds: {},
        maxMessageBytes: 1 << 20,
        maxPropertiesBytes: 1 << 16,
        maxFutureSkewMs: 3_600_000,
      }),
      undefined,
    ),
    passThrough,
  );
  const context = { nowMs: Date.now(), ingestedAt: toClickHouseDateTime64(Date.now()) };
  const corpus = new BenchEventGenerator({ seed: 7, endMs: Date.now() });
  const batcher = new PartitionBatcher(
    { topic: 't', partition: 0, offset: 0n },
    {
      limits: { maxRows: 700, maxBytes: 1 << 20, maxAgeMs: 1_000 },
      budget: new BufferBudget(1 << 30),
      now: () => 0,
    },
  );
  const expected: string[] = [];
  const bodies: Buffer[] = [];
  const take = (): void => {
    const sealed = batcher.takeSealed();
    if (sealed !== undefined) bodies.push(Buffer.concat([...sealed.rows.chunks()]));
  };
  for (let offset = 0; offset < 5_000; offset++) {
    const value = Buffer.from(JSON.stringify(corpus.next()));
    const message = { offset: String(offset), timestamp: '0', key: null, value, headers: {} };
    const source = sourceMessage({ ...message, attributes: 0 }, 't', 0);
    // The line as text, as the rows were held before (one string each, joined for the body).
    const text = runMessageSteps(steps, source, context);
    assert.ok(text.ok);
    expected.push(text.value.line);
    assert.equal(batcher.add(source, runMessageSteps(steps, source, context)), 'accepted');
    take();
  }
  batcher.sealIfDue(true);
  take();
  assert.ok(bodies.length > 5);
  assert.deepEqual(Buffer.concat(bodies), Buffer.from(expected.join(''), 'utf8'));
});
