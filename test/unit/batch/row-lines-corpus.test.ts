import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { PartitionBatcher } from '../../../src/batch/partition-batcher.ts';
import { sourceMessage } from '../../../src/batch/source-message.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { toClickHouseDateTime64 } from '../../../src/decode/event-row.ts';
import { passThrough } from '../../../src/enrich/enrich-stage.ts';
import { createMessageSteps, runMessageSteps } from '../../../src/pipeline/message-steps.ts';
import { rowLine } from '../../../src/serialise/row-line.ts';
import {
  JSON_COMPACT_ROWS,
  ROW_BINARY,
  RowFormatChoice,
  type RowFormat,
} from '../../../src/serialise/row-format.ts';
import { BenchEventGenerator } from '../../bench/corpus/bench-events.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';

for (const format of [ROW_BINARY, JSON_COMPACT_ROWS]) {
  test(`on the bench corpus, the ${format.name} insert bodies are the rows' bytes, byte for byte`, () => {
    checkBodies(format);
  });
}

function checkBodies(format: RowFormat): void {
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
    new RowFormatChoice(format),
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
  const expected: Buffer[] = [];
  const lines: string[] = [];
  const bodies: Buffer[] = [];
  const take = (): void => {
    const sealed = batcher.takeSealed();
    if (sealed !== undefined) bodies.push(Buffer.concat([...sealed.rows.chunks()]));
  };
  for (let offset = 0; offset < 5_000; offset++) {
    const value = Buffer.from(JSON.stringify(corpus.next()));
    const message = { offset: String(offset), timestamp: '0', key: null, value, headers: {} };
    const source = sourceMessage({ ...message, attributes: 0 }, 't', 0);
    // Each row's bytes copied as written (the writer's buffer is reused), and as a JSON line.
    const outcome = runMessageSteps(steps, source, context);
    assert.ok(outcome.ok);
    expected.push(Buffer.from(outcome.value.bytes));
    lines.push(rowLine(outcome.value.row));
    assert.equal(batcher.add(source, runMessageSteps(steps, source, context)), 'accepted');
    take();
  }
  batcher.sealIfDue(true);
  take();
  assert.ok(bodies.length > 5);
  assert.deepEqual(Buffer.concat(bodies), Buffer.concat(expected));
  // The JSON rows are the row lines as text, as the rows were held before (strings, joined).
  if (format === JSON_COMPACT_ROWS)
    assert.deepEqual(Buffer.concat(bodies), Buffer.from(lines.join(''), 'utf8'));
}
